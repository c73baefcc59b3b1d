import { Clock, Duration, Effect } from "effect"
import { failureKind, type TmdbError } from "../../src/Errors.js"
import { DAY, now } from "../../src/Time.js"
import { readChanges, readExport } from "./Catalogue.js"
import type { RunState } from "./Tally.js"
import type { Units } from "./Work.js"

// Phase 2: the whole catalogue (`all`: every id of the latest daily ID export), then what
// /movie/changes lists since the mark. One collector of a generation does both, as one unit: the
// changes need the export's ids to tell what is new.

export const catalogueUnits = (run: RunState): Units => run.work.units([run.options.all === true ? "catalogue" : "changes"])

/** Reads the export (with `all`) and the changes into the run's tally. */
export const readCatalogue = (run: RunState, staleAfter: Duration.Duration) => (_units: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { options, tally } = run
    if (run.exporting !== undefined) {
      tally.exported = yield* readExport(run.repo, run.exporting.exports, run.exporting.date, options, yield* now, run.progress)
      tally.added += tally.exported.report.new
    }
    tally.changes = yield* readChanges(run.client, run.repo, yield* Clock.currentTimeMillis, {
      all: options.all === true,
      includeAdult: options.includeAdult === true,
      listed: tally.exported?.listed,
      readBackDays: Math.floor(Duration.toMillis(staleAfter) / DAY),
      // With `all`, the first request TMDB's API sees: see `unreachable`.
      probe: options.all === true
    })
  })

/**
 * With `all`: when the first request to TMDB's API shows it is not there (a wrong TMDB_BASE_URL, a
 * refused key, no answer), the run stops before every movie fails and a 404 from the wrong server
 * marks them all removed. TMDB busy (5xx, 429 after the retries) is not fatal: the changes are read
 * again next run.
 */
export const failIfUnreachable = (run: RunState): Effect.Effect<void, TmdbError> => {
  const error = run.options.all === true ? run.tally.changes?.unreachable : undefined
  const busy = error !== undefined && (failureKind(error) === "server" || failureKind(error) === "rate_limited")
  return error === undefined || busy ? Effect.void : Effect.fail(error)
}
