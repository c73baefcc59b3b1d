import { ConfigError, Duration, Effect } from "effect"
import type { CollectionOptions } from "../../src/Collection.js"
import { appendSetting } from "../../src/Config.js"
import { DEFAULT_STALE_AFTER_DAYS } from "../../src/Defaults.js"
import { DEFAULT_MIN_VOTE_COUNT } from "../../src/Discover.js"
import { DEFAULT_KINDS } from "../../src/kinds/Kinds.js"
import { movieKind } from "../../src/MovieKind.js"
import { ExportError, type TmdbExports } from "../TmdbExports.js"

/**
 * A run's options checked, and with `all` today's daily ID export found (and checked to be gzip),
 * before the run is recorded: when either fails, the run writes nothing.
 */
/** TMDB's own API, on either of its hosts (https://developer.themoviedb.org/docs/getting-started). */
const isTmdbApi = (url: string) => /^https:\/\/api\.(themoviedb|tmdb)\.org(\/|$)/i.test(url)

/** A URL as a message may show it: any user name and password left out. */
const shown = (url: string) => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1")

export const prepare = (given: CollectionOptions, startedMs: number, exports: TmdbExports | undefined, baseUrl: string) =>
  Effect.gen(function*() {
    const endYear = given.endYear ?? new Date(startedMs).getUTCFullYear()
    if (given.all !== true && given.startYear === undefined) {
      return yield* Effect.fail(ConfigError.MissingData(["startYear"], "startYear is required unless all is set"))
    }
    const exporter = given.all === true ? exports : undefined
    if (given.all === true && exporter === undefined) {
      return yield* new ExportError({ message: "the whole catalogue (all) needs the TmdbExports service: provide TmdbExports.Default" })
    }
    // Another API (the sandbox, a mirror) with TMDB's own export would mix two catalogues: the
    // export's ids would be asked of a server that does not hold them, and marked removed.
    if (exporter !== undefined && !exporter.filesUrlChosen && !isTmdbApi(baseUrl)) {
      return yield* new ExportError({
        message: `TMDB_BASE_URL is ${
          shown(baseUrl)
        }, not TMDB's API, and TMDB_FILES_URL is not set: set it to that server's files (the sandbox prints it) so --all reads the export of the same catalogue`
      })
    }
    const kinds = given.kinds ?? DEFAULT_KINDS
    if (kinds.length === 0 || new Set(kinds.map((k) => k.name)).size < kinds.length) {
      return yield* Effect.fail(
        ConfigError.InvalidData(["kinds"], `kinds must list at least one kind, each once; got [${kinds.map((k) => k.name).join(", ")}]`)
      )
    }
    // Discover lists movies alone: other kinds come from their exports.
    if (given.all !== true && !kinds.includes(movieKind)) {
      return yield* Effect.fail(ConfigError.InvalidData(["kinds"], "kinds without movies need all: discover lists movies only"))
    }
    // Every file of every kind must be there on the day chosen: one date for the whole run.
    const files = kinds.flatMap((kind) => kind.exports?.files(given) ?? [])
    const locate = exporter === undefined ? Effect.succeed(undefined) : exporter.locate(startedMs, { includeAdult: given.includeAdult, files })
    // An export read already: the files host not answering now costs nothing, the changes are read.
    const located = yield* (given.exportsAfter === undefined ? locate : Effect.orElseSucceed(locate, () => undefined))
    // Read already (an earlier run of a watch): the changes cover the day since.
    const date = located !== undefined && given.exportsAfter !== undefined && located <= given.exportsAfter ? undefined : located
    const staleAfter = Duration.decode(given.staleAfter ?? Duration.days(DEFAULT_STALE_AFTER_DAYS))
    // Checked before the run is recorded: a bad list fails once, not once per movie.
    const append = yield* appendSetting(given.append)
    return {
      endYear,
      kinds,
      staleAfter,
      exporting: exporter === undefined || date === undefined ? undefined : { exports: exporter, date },
      options: { ...given, append },
      /** As `collection_runs.options` records it, for a person to read. */
      recorded: {
        ...given,
        // Discover's threshold as it applied: none with `all`.
        minVoteCount: given.all === true ? undefined : given.minVoteCount ?? DEFAULT_MIN_VOTE_COUNT,
        onProgress: undefined,
        // By name: the kinds' functions are not a person's to read.
        kinds: given.kinds?.map((kind) => kind.name),
        staleAfter: undefined,
        every: given.every === undefined ? undefined : Duration.format(Duration.decode(given.every)),
        // The horizon in days, not Effect's encoding of a Duration.
        staleAfterDays: Duration.toDays(staleAfter),
        endYear,
        append
      }
    }
  })
