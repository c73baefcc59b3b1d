// Module paths, not the package index: the index also loads the Swagger/Scalar UI bundles
// (~31 MB RSS and ~185 ms of start-up, measured in BENCHMARKS.md).
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, Data, Duration, Effect, Either, Option, Redacted, Ref, Schedule, Stream } from "effect"
import { type TmdbClientOptions, tmdbSettings } from "../src/Config.js"
import { decodeChangesPage, decodeDiscoverPage, decodeMovieDetails, parseErrorBody } from "../src/Decode.js"
import { collectDiscover, type DiscoverOptions, discoverStream, type PageQuery, type Range } from "../src/Discover.js"
import {
  DecodeError,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  type TmdbError,
  TimeoutError,
  TransportError,
  UnauthorizedError
} from "../src/Errors.js"
import type { MovieDetails } from "../src/Movie.js"
import { MAX_PAGE } from "../src/Windows.js"
import { describeTransportError, parseRetryAfter, redactSecret, showPath } from "../src/Wire.js"
import { RateLimiter } from "./RateLimiter.js"

/** Appended sub-requests allowed per call: TMDB answers 21 with HTTP 400, status_code 27. */
export const MAX_APPEND = 20

export interface DetailsOptions {
  /** Sub-requests to append (`external_ids`, `credits`, ...), at most 20. */
  readonly appendToResponse?: ReadonlyArray<string>
}

export interface BatchOptions extends DetailsOptions {
  readonly onProgress?: (done: number, total: number) => void
}

export interface BatchResult {
  readonly succeeded: ReadonlyArray<MovieDetails>
  readonly failed: ReadonlyArray<{ readonly tmdbId: number; readonly error: TmdbError }>
}

export interface DetailsOutcome {
  readonly tmdbId: number
  readonly result: Either.Either<MovieDetails, TmdbError>
}

export interface ClientStats {
  /** HTTP requests sent, retries included. */
  readonly requests: number
  /** Requests that were retries of an earlier attempt. */
  readonly retries: number
  /** Responses with status 429. */
  readonly rateLimited: number
}

/** A failed attempt worth another try; unwrapped once the retries are spent. */
class Retryable extends Data.TaggedError("Retryable")<{ readonly error: TmdbError }> {}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504])

/** A part filter's range as `name.gte` / `name.lte`; `lowerDone` when `.gte` is already set. */
const rangeParams = (name: string, range: Range | undefined, lowerDone: boolean): Record<string, string> => {
  if (range === undefined) return {}
  const out: Record<string, string> = lowerDone ? {} : { [`${name}.gte`]: String(range[0]) }
  if (range[1] !== null) out[`${name}.lte`] = String(range[1])
  return out
}

export class TmdbClient extends Effect.Service<TmdbClient>()("tmdb/TmdbClient", {
  effect: (options?: TmdbClientOptions) =>
    Effect.gen(function*() {
      const settings = yield* tmdbSettings(options)
      const limiter = yield* RateLimiter
      const secret = settings.credentials._tag === "ApiKey"
        ? Redacted.value(settings.credentials.key)
        : Redacted.value(settings.credentials.token)
      const redact = redactSecret(secret)

      // The platform's client span records `url.full`, query included, which would carry a v3
      // api_key into traces. Its tracer is off; `TmdbClient.request` spans carry a redacted path.
      const client = (yield* HttpClient.HttpClient).pipe(
        HttpClient.withTracerDisabledWhen(() => true),
        HttpClient.mapRequest((request) => {
          const withBase = HttpClientRequest.acceptJson(HttpClientRequest.prependUrl(request, settings.baseUrl))
          return settings.credentials._tag === "ApiKey"
            ? HttpClientRequest.setUrlParam(withBase, "api_key", Redacted.value(settings.credentials.key))
            : HttpClientRequest.bearerToken(withBase, settings.credentials.token)
        })
      )

      const retryPolicy = Schedule.exponential(settings.retryBase).pipe(
        Schedule.jittered,
        Schedule.intersect(Schedule.recurs(settings.retries))
      )
      const timeoutMs = Duration.toMillis(settings.timeout)
      const counters = { requests: 0, retries: 0, rateLimited: 0 }
      const revoked = yield* Ref.make(Option.none<UnauthorizedError>())

      const classify = (path: string, status: number, headers: Record<string, string>, text: string) =>
        Effect.gen(function*() {
          if (status >= 200 && status < 300) {
            try {
              return JSON.parse(text) as unknown
            } catch {
              return yield* new Retryable({ error: new TransportError({ path, message: `truncated or unparseable body (${text.length} bytes)` }) })
            }
          }
          const body = parseErrorBody(text)
          const tmdb = body.message !== null ? redact(body.message) : `HTTP ${status}`
          const statusCode = body.statusCode ?? undefined
          if (status === 401) {
            const error = new UnauthorizedError({ path, statusCode, message: `TMDB refused the credentials: ${tmdb}` })
            yield* Ref.set(revoked, Option.some(error))
            return yield* error
          }
          if (status === 404) return yield* new NotFoundError({ path, statusCode, message: tmdb })
          const retryAfterMs = parseRetryAfter(headers["retry-after"], yield* Clock.currentTimeMillis)
          if (status === 429) counters.rateLimited++
          yield* Effect.logDebug(`${path} answered ${status}: ${tmdb}`)
          if ((status === 429 || status === 503) && retryAfterMs !== undefined) {
            const paused = yield* limiter.pause(retryAfterMs)
            if (!paused) {
              return yield* new RateLimitedError({
                path,
                retryAfterMs,
                message: `Retry-After of ${Math.round(retryAfterMs / 1000)} s exceeds the pause cap`
              })
            }
          }
          if (status === 429) return yield* new Retryable({ error: new RateLimitedError({ path, retryAfterMs, message: tmdb }) })
          if (RETRYABLE_STATUS.has(status)) return yield* new Retryable({ error: new ServerError({ path, status, message: tmdb }) })
          if (status >= 500) return yield* new ServerError({ path, status, message: tmdb })
          return yield* new InvalidRequestError({ path, status, statusCode, message: tmdb })
        })

      /** One attempt: wait for the limiter, send, read the whole body within the timeout. */
      const attempt = (request: HttpClientRequest.HttpClientRequest, path: string, sends: { n: number }) =>
        Effect.gen(function*() {
          const fatal = yield* Ref.get(revoked)
          if (Option.isSome(fatal)) return yield* fatal.value
          if (sends.n > 0) yield* Effect.logDebug(`retrying ${path} (attempt ${sends.n + 1})`)
          const response = yield* limiter.withPermit(
            Effect.gen(function*() {
              // A 401 may have arrived while this request waited for its permit.
              const revokedNow = yield* Ref.get(revoked)
              if (Option.isSome(revokedNow)) return yield* revokedNow.value
              counters.requests++
              if (sends.n++ > 0) counters.retries++
              const response = yield* client.execute(request)
              const text = yield* response.text
              return { status: response.status, headers: response.headers, text }
            }).pipe(
              Effect.catchTag("RequestError", "ResponseError", (error) =>
                new Retryable({ error: new TransportError({ path, message: redact(describeTransportError(error)) }) })),
              Effect.timeoutFail({
                duration: settings.timeout,
                onTimeout: () =>
                  new Retryable({ error: new TimeoutError({ path, timeoutMs, message: `no complete response within ${timeoutMs} ms` }) })
              }),
              // Reported while the permit is held, so a probe's outcome reaches the circuit first.
              Effect.tapBoth({
                onFailure: (e) => (e._tag === "Retryable" ? limiter.record("failed") : Effect.void),
                onSuccess: (r) => limiter.record(r.status === 429 ? "throttled" : r.status >= 500 ? "failed" : "ok")
              })
            )
          ).pipe(
            Effect.catchTag("CircuitOpen", (open) =>
              new ServerError({
                path,
                status: 503,
                message: `TMDB has failed every request for ${Math.round(open.openForMs / 1000)} s; not sending more`
              }))
          )
          return yield* classify(path, response.status, response.headers, response.text)
        })

      /** GET `path` through the whole pipeline, retrying only what is transient. */
      const getJson = (path: string, params: Record<string, string>) => {
        const shown = showPath(path, params)
        const request = HttpClientRequest.get(path).pipe(HttpClientRequest.setUrlParams(params))
        return Effect.suspend(() => {
          const sends = { n: 0 }
          return attempt(request, shown, sends).pipe(
            Effect.retry({ schedule: retryPolicy, while: (e) => e instanceof Retryable }),
            Effect.mapError((e) => (e instanceof Retryable ? e.error : e)),
            Effect.withSpan("TmdbClient.request", { attributes: { "tmdb.path": shown } })
          )
        })
      }

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
          "vote_count.gte": String(f?.voteCount?.[0] ?? options.minVoteCount ?? 200),
          ...rangeParams("vote_count", f?.voteCount, true),
          ...rangeParams("vote_average", f?.voteAverage, false),
          sort_by: options.sortBy ?? "primary_release_date.desc",
          include_adult: String(options.includeAdult ?? false),
          include_video: String(options.includeVideo ?? false),
          page: String(query.page)
        }
        return getJson("/discover/movie", params).pipe(
          Effect.flatMap((json) =>
            Either.match(decodeDiscoverPage(json), {
              onLeft: (message) => Effect.fail(new DecodeError({ path: showPath("/discover/movie", params), message: redact(message) })),
              onRight: Effect.succeed
            })
          )
        )
      }

      /** Discovery as a stream of page events, so a caller can store pages as they arrive. */
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

      const getMovieDetails = Effect.fn("TmdbClient.getMovieDetails")(function*(
        tmdbId: number,
        options: DetailsOptions = {}
      ) {
        yield* Effect.annotateCurrentSpan({ "tmdb.movie_id": tmdbId })
        const path = `/movie/${tmdbId}`
        const append = options.appendToResponse ?? []
        if (!Number.isInteger(tmdbId) || tmdbId <= 0) {
          return yield* new InvalidRequestError({ path, status: 400, message: `invalid movie id ${tmdbId}` })
        }
        if (append.length > MAX_APPEND) {
          return yield* new InvalidRequestError({
            path,
            status: 400,
            statusCode: 27,
            message: `append_to_response takes at most ${MAX_APPEND} items, got ${append.length}`
          })
        }
        const params: Record<string, string> = append.length > 0 ? { append_to_response: append.join(",") } : {}
        const json = yield* getJson(path, params)
        return yield* Either.match(decodeMovieDetails(json, append), {
          onLeft: (message) => Effect.fail(new DecodeError({ path: showPath(path, params), message: redact(message) })),
          onRight: Effect.succeed
        })
      })

      /**
       * Ids of movies changed between two dates (TMDB allows at most 14 days; a longer range is
       * its 422, code 20). Every page is read: late-2022 TMDB put every id on one page.
       */
      const getChangedMovieIds = Effect.fn("TmdbClient.getChangedMovieIds")(function*(range: {
        readonly startDate?: string | undefined
        readonly endDate?: string | undefined
      }) {
        const ids: Array<number> = []
        let page = 1
        let totalPages = 1
        do {
          const params: Record<string, string> = { page: String(page) }
          if (range.startDate !== undefined) params["start_date"] = range.startDate
          if (range.endDate !== undefined) params["end_date"] = range.endDate
          const json = yield* getJson("/movie/changes", params)
          const decoded = decodeChangesPage(json)
          if (Either.isLeft(decoded)) {
            return yield* new DecodeError({ path: showPath("/movie/changes", params), message: redact(decoded.left) })
          }
          ids.push(...decoded.right.ids)
          totalPages = Math.min(decoded.right.totalPages, MAX_PAGE)
          page++
        } while (page <= totalPages)
        return Array.from(new Set(ids))
      })

      /** Details for each id as they complete (unordered), each success or failure on its own. */
      const movieDetailsStream = (ids: Stream.Stream<number>, options: DetailsOptions = {}) =>
        Stream.mapEffect(
          ids,
          (tmdbId) =>
            Effect.map(Effect.either(getMovieDetails(tmdbId, options)), (result): DetailsOutcome => ({ tmdbId, result })),
          { concurrency: settings.maxConcurrent, unordered: true }
        )

      const getBatchMovieDetails = Effect.fn("TmdbClient.getBatchMovieDetails")(function*(
        ids: Iterable<number>,
        options: BatchOptions = {}
      ) {
        const list = Array.from(ids)
        yield* Effect.annotateCurrentSpan({ "tmdb.batch_size": list.length })
        let done = 0
        const outcomes = yield* Effect.forEach(
          list,
          (tmdbId) =>
            Effect.either(getMovieDetails(tmdbId, options)).pipe(
              Effect.tap(() => Effect.sync(() => options.onProgress?.(++done, list.length)))
            ),
          { concurrency: settings.maxConcurrent }
        )
        const succeeded: Array<MovieDetails> = []
        const failed: Array<{ tmdbId: number; error: TmdbError }> = []
        outcomes.forEach((outcome, i) => {
          if (Either.isRight(outcome)) succeeded.push(outcome.right)
          else failed.push({ tmdbId: list[i]!, error: outcome.left })
        })
        return { succeeded, failed } satisfies BatchResult
      })

      const stats = Effect.sync((): ClientStats => ({
        requests: counters.requests,
        retries: counters.retries,
        rateLimited: counters.rateLimited
      }))

      return {
        settings: { ...settings, credentials: undefined },
        discoverMovies,
        discoverMoviesStream,
        getMovieDetails,
        getBatchMovieDetails,
        getChangedMovieIds,
        movieDetailsStream,
        stats
      } as const
    })
}) {}
