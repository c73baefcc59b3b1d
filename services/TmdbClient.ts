import { Effect, Either, Queue, Stream, Take } from "effect"
import { MAX_APPEND } from "../src/Appended.js"
import { type TmdbClientOptions, type TmdbSettings, tmdbSettings } from "../src/Config.js"
import { decodeChangesPage, decodeDiscoverPage } from "../src/Decode.js"
import { collectDiscover, DEFAULT_MIN_VOTE_COUNT, type DiscoverOptions, discoverStream, type PageQuery, type Range } from "../src/Discover.js"
import { DecodeError, InvalidRequestError, type TmdbError } from "../src/Errors.js"
import { collectionKind } from "../src/kinds/Collection.js"
import { companyKind } from "../src/kinds/Company.js"
import { personKind } from "../src/kinds/Person.js"
import type { MovieDetails } from "../src/Movie.js"
import { movieKind } from "../src/MovieKind.js"
import type { Listed, RecordKind } from "../src/RecordKind.js"
import { MAX_PAGE } from "../src/Windows.js"
import { showPath } from "../src/Wire.js"
import { type BatchOptions, type BatchResult, type DetailsOptions, type DetailsOutcome, type DetailsSource, forEachMovieDetails } from "./tmdbClient/Details.js"
import { makeTmdbHttp } from "./tmdbClient/Http.js"

export type { BatchOptions, BatchResult, DetailsOptions, DetailsOutcome } from "./tmdbClient/Details.js"
export type { ClientStats } from "./tmdbClient/Http.js"
export { MAX_APPEND }

/** The settings a client shows: everything but the credentials, which stay with its requests. */
const withoutCredentials = ({ credentials: _, ...shown }: TmdbSettings): Omit<TmdbSettings, "credentials"> => shown

/** The days a changes feed is read for, both included (TMDB allows at most 14). */
interface ChangesRange {
  readonly startDate?: string | undefined
  readonly endDate?: string | undefined
}

/** A part filter's range as `name.gte` / `name.lte`; `lowerDone` when `.gte` is already set. */
const rangeParams = (name: string, range: Range | undefined, lowerDone: boolean): Record<string, string> => {
  if (range === undefined) return {}
  const out: Record<string, string> = lowerDone ? {} : { [`${name}.gte`]: String(range[0]) }
  if (range[1] !== null) out[`${name}.lte`] = String(range[1])
  return out
}

export class TmdbClient extends Effect.Service<TmdbClient>()("tmdb/TmdbClient", {
  scoped: (options?: TmdbClientOptions) =>
    Effect.gen(function*() {
      const settings = yield* tmdbSettings(options)
      const http = yield* makeTmdbHttp(settings)

      /** GET `path` and decode its body; a complete body of the wrong shape is a DecodeError. */
      const get = <A>(path: string, params: Record<string, string>, decode: (json: unknown, body: string) => Either.Either<A, string>) =>
        http.client.get(path, { urlParams: params }).pipe(
          // The pipeline has already read this 2xx body and parsed it.
          Effect.flatMap((response) => {
            const { json, text } = http.bodyOf(response)
            return Either.match(decode(json, text), {
              onLeft: (message) => Effect.fail(new DecodeError({ path: showPath(path, params), message: http.redact(message) })),
              onRight: Effect.succeed
            })
          })
        )

      const discoverPage = (options: DiscoverOptions) => (query: PageQuery) => {
        if (query.page < 1 || query.page > MAX_PAGE) {
          return Effect.fail(
            new InvalidRequestError({ path: "/discover/movie", status: 400, message: `page ${query.page} is outside 1..500` })
          )
        }
        const f = query.filter
        const params: Record<string, string> = {
          "primary_release_date.gte": query.window.from,
          "primary_release_date.lte": query.window.to,
          "vote_count.gte": String(f?.voteCount?.[0] ?? options.minVoteCount ?? DEFAULT_MIN_VOTE_COUNT),
          ...rangeParams("vote_count", f?.voteCount, true),
          ...rangeParams("vote_average", f?.voteAverage, false),
          sort_by: options.sortBy ?? "primary_release_date.desc",
          include_adult: String(options.includeAdult ?? false),
          include_video: String(options.includeVideo ?? false),
          page: String(query.page)
        }
        // Item by item: one bad movie fails alone, the rest of the page is kept.
        return get("/discover/movie", params, decodeDiscoverPage)
      }

      const discoverMoviesStream = (options: DiscoverOptions) =>
        discoverStream(options, discoverPage(options), settings.maxConcurrent).pipe(
          Stream.withSpan("TmdbClient.discoverMoviesStream", {
            attributes: { "tmdb.start_year": options.startYear, "tmdb.end_year": options.endYear ?? options.startYear }
          })
        )

      const discoverMovies = Effect.fn("TmdbClient.discoverMovies")(function*(options: DiscoverOptions) {
        yield* Effect.annotateCurrentSpan({ "tmdb.start_year": options.startYear })
        return yield* collectDiscover(discoverMoviesStream(options))
      })

      // One record of `kind`, by its id, with the sub-resources the kind allows appended.
      const recordOf = <A, L extends Listed>(kind: RecordKind<A, L>, id: number, options: DetailsOptions): Effect.Effect<A, TmdbError> =>
        Effect.gen(function*() {
          const path = kind.details.path(id)
          if (!Number.isInteger(id) || id <= 0) {
            return yield* new InvalidRequestError({ path, status: 400, message: `invalid ${kind.name} id ${id}` })
          }
          const checked = kind.details.append(options.appendToResponse ?? [])
          if (Either.isLeft(checked)) {
            const { message, tooMany } = checked.left
            // Too many is TMDB's own 400, code 27; an unknown name is refused here, before TMDB ignores it.
            return yield* new InvalidRequestError({ path, status: 400, ...(tooMany ? { statusCode: 27 } : {}), message })
          }
          const names = checked.right
          const params: Record<string, string> = names.length > 0 ? { append_to_response: names.join(",") } : {}
          return yield* get(path, params, (json, body) => kind.details.decode(json, body, names))
        })

      const getRecord = <A, L extends Listed>(kind: RecordKind<A, L>, id: number, options: DetailsOptions = {}): Effect.Effect<A, TmdbError> =>
        recordOf(kind, id, options).pipe(Effect.withSpan("TmdbClient.getRecord", { attributes: { "tmdb.kind": kind.name, "tmdb.id": id } }))

      const getMovieDetails = Effect.fn("TmdbClient.getMovieDetails")(function*(
        tmdbId: number,
        options: DetailsOptions = {}
      ) {
        yield* Effect.annotateCurrentSpan({ "tmdb.movie_id": tmdbId })
        return yield* recordOf(movieKind, tmdbId, options)
      })

      /**
       * What a changes feed (`/movie/changes`, `/person/changes`, ...) lists between two dates, and
       * which of them TMDB flags adult (`adult` may be null). Every page is read, up to page 500:
       * `truncated` says there were more (about 50,000 changes; a busy 2024 day listed some
       * 6,000), so a shorter window is needed.
       */
      const getChanges = Effect.fn("TmdbClient.getChanges")(function*(feed: string, range: ChangesRange) {
        const ids: Array<number> = []
        const adult = new Set<number>()
        let lastPage = 1
        let page = 1
        let totalPages = 1
        do {
          const params: Record<string, string> = { page: String(page) }
          if (range.startDate !== undefined) {
            params["start_date"] = range.startDate
          }
          if (range.endDate !== undefined) {
            params["end_date"] = range.endDate
          }
          const changes = yield* get(feed, params, decodeChangesPage)
          ids.push(...changes.ids)
          for (const id of changes.adultIds) {
            adult.add(id)
          }
          lastPage = changes.totalPages
          totalPages = Math.min(changes.totalPages, MAX_PAGE)
          page++
        } while (page <= totalPages)
        // More pages than TMDB serves: the caller reads a shorter window.
        return { ids: Array.from(new Set(ids)), adult, truncated: totalPages < lastPage }
      })

      const getMovieChanges = (range: ChangesRange) => Effect.withSpan(getChanges("/movie/changes", range), "TmdbClient.getMovieChanges")

      const getPersonChanges = (range: ChangesRange) => Effect.withSpan(getChanges(personKind.changes!, range), "TmdbClient.getPersonChanges")

      // The records a movie names, one request each: spanned by their own names.
      const getCollection = (id: number) => Effect.withSpan(recordOf(collectionKind, id, {}), "TmdbClient.getCollection", { attributes: { "tmdb.id": id } })
      const getCompany = (id: number) => Effect.withSpan(recordOf(companyKind, id, {}), "TmdbClient.getCompany", { attributes: { "tmdb.id": id } })
      const getPerson = (id: number) => Effect.withSpan(recordOf(personKind, id, {}), "TmdbClient.getPerson", { attributes: { "tmdb.id": id } })

      const getChangedMovieIds = (range: ChangesRange) => Effect.map(getMovieChanges(range), (changes) => changes.ids)

      const source: DetailsSource = { getMovieDetails, settings }

      const movieDetailsStream = (ids: Stream.Stream<number>, options: DetailsOptions = {}): Stream.Stream<DetailsOutcome> =>
        Stream.unwrapScoped(Effect.gen(function*() {
          const outcomes = yield* Queue.bounded<Take.Take<DetailsOutcome>>(settings.maxConcurrent)
          yield* forEachMovieDetails(source, ids, (outcome) => Queue.offer(outcomes, Take.of(outcome)), options).pipe(
            Effect.zipRight(Queue.offer(outcomes, Take.end)),
            Effect.forkScoped
          )
          return Stream.flattenTake(Stream.fromQueue(outcomes))
        }))

      const getBatchMovieDetails = Effect.fn("TmdbClient.getBatchMovieDetails")(function*(
        ids: Iterable<number>,
        options: BatchOptions = {}
      ): Effect.fn.Return<BatchResult> {
        const list = Array.from(ids)
        yield* Effect.annotateCurrentSpan({ "tmdb.batch_size": list.length })
        const outcomes = new Array<DetailsOutcome>(list.length)
        let done = 0
        yield* forEachMovieDetails(source, Stream.fromIterable(list), (outcome, index) =>
          Effect.sync(() => {
            outcomes[index] = outcome
            options.onProgress?.(++done, list.length)
          }), options)
        const succeeded: Array<MovieDetails> = []
        const failed: Array<{ tmdbId: number; error: TmdbError }> = []
        for (const { result, tmdbId } of outcomes) {
          if (Either.isRight(result)) {
            succeeded.push(result.right)
          } else failed.push({ tmdbId, error: result.left })
        }
        return { succeeded, failed }
      })

      return {
        /** The settings in effect (rate, burst, concurrency, retries, timeout, base URL), without the credentials. */
        settings: withoutCredentials(settings),
        /**
         * Every movie released in `startYear`..`endYear` that passes the filters, past TMDB's
         * 500-page cap of /discover/movie: a year with more results is split into narrower windows.
         * `complete` says whether every page needed was read; `truncated` and `incomplete` say where not.
         */
        discoverMovies,
        /** `discoverMovies` as a stream of page events, so a caller can store pages as they arrive. */
        discoverMoviesStream,
        /**
         * One movie's details (`/movie/{id}`), with up to 20 sub-resources appended in the same
         * request (`credits`, `keywords`, `release_dates`, `external_ids`, ...: `KNOWN_APPENDS`).
         * Fails with `NotFoundError` for an id TMDB does not have, and with the other `TmdbError`s.
         */
        getMovieDetails,
        /** One record of any kind (`movieKind`, or a kind of your own) by its id. */
        getRecord,
        /** A collection (`/collection/{id}`): its name, overview, images and every part's id. */
        getCollection,
        /** A production company (`/company/{id}`), with its parent's id. */
        getCompany,
        /** A person (`/person/{id}`): birthday, gender, department, popularity, IMDb id. */
        getPerson,
        /** People changed between two dates at most 14 days apart (`/person/changes`), and which TMDB flags adult. */
        getPersonChanges,
        /** Details of many movies at the client's concurrency: `succeeded`, and `failed` per id; one failure never aborts the batch. */
        getBatchMovieDetails,
        /** Every id a changes feed (`/movie/changes`, ...) lists between two dates at most 14 days apart, and which TMDB flags adult. */
        getChanges,
        /** The ids of movies changed between two dates at most 14 days apart (TMDB's 422, code 20, otherwise). */
        getChangedMovieIds,
        /** Movies changed between two dates at most 14 days apart, and which TMDB flags adult. */
        getMovieChanges,
        /** Details for each id as they complete (unordered), each success or failure on its own. */
        movieDetailsStream,
        /** Requests sent, retries and 429s so far. */
        stats: http.stats
      } as const
    })
}) {}
