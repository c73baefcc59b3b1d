// Module paths, not the package index: the index also loads the Swagger/Scalar UI bundles.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Duration, Effect, Metric, Random, Redacted, type Scope } from "effect"
import { constTrue } from "effect/Function"
import type { TmdbSettings } from "../../src/Config.js"
import { ServerError, TimeoutError, type TmdbError, TransportError, type UnauthorizedError } from "../../src/Errors.js"
import * as Metrics from "../../src/Metrics.js"
import { redactSecret, showPath } from "../../src/Wire.js"
import { RateLimiter } from "../RateLimiter.js"
import { answers, isTransient } from "./Answers.js"
import { makeDeadlines } from "./Deadlines.js"

export interface ClientStats {
  /** HTTP requests sent, retries included. */
  readonly requests: number
  /** Requests that were retries of an earlier attempt. */
  readonly retries: number
  /** Responses with status 429. */
  readonly rateLimited: number
}

/** A body parsed once, by the pipeline, for whoever reads the response after it. */
interface ReadBody {
  readonly text: string
  readonly json: unknown
}

const readBody = (text: string): ReadBody | undefined => {
  try {
    return { text, json: JSON.parse(text) }
  } catch {
    return undefined
  }
}

/**
 * The platform's types keep what a stage's inner client could fail with, and the Scope
 * `HttpClient.withScope` asks for, as the client's: but the stage below catches every
 * platform error, and `within` gives every attempt its scope.
 */
const asTmdbClient = (client: HttpClient.HttpClient.With<TmdbError | HttpClientError.HttpClientError, Scope.Scope>) =>
  client as unknown as HttpClient.HttpClient.With<TmdbError>

/** One attempt's exchange: the response, and its whole body as text. */
type Exchange = readonly [HttpClientResponse.HttpClientResponse, string]

/**
 * The TMDB transport as one HttpClient stage over the caller's client: authentication, the
 * shared limiter and circuit, a timeout per attempt that covers the body, classification into
 * `TmdbError`s, the Retry-After pause, and retries of the transient only. Every response it
 * yields is a 2xx whose whole body has been read and parses as JSON.
 *
 * One stage, not a stage per concern: each platform stage, `Effect.retry`'s schedule driver, a
 * FiberRef set locally and each read of the platform's cached `response.text` cost fiber
 * operations on every request (bench/cpuOps.ts counts a run's by span). Here the retry loop costs
 * nothing until an attempt fails, and the body is read once.
 */
export const makeTmdbHttp = (settings: TmdbSettings) =>
  Effect.gen(function*() {
    const limiter = yield* RateLimiter
    const { baseUrl, credentials } = settings
    const redact = redactSecret(Redacted.value(credentials._tag === "ApiKey" ? credentials.key : credentials.token))
    const authenticate = credentials._tag === "ApiKey"
      ? HttpClientRequest.setUrlParam("api_key", Redacted.value(credentials.key))
      : HttpClientRequest.bearerToken(credentials.token)
    /** The request as errors, logs and spans show it: the path under the base URL, secrets dropped. */
    const shown = (request: HttpClientRequest.HttpClientRequest) => showPath(request.url.slice(baseUrl.length), Object.fromEntries(request.urlParams))

    const retryBaseMs = Duration.toMillis(settings.retryBase)
    const timeoutMs = Duration.toMillis(settings.timeout)
    const deadlines = yield* makeDeadlines(timeoutMs)
    const counters = { requests: 0, retries: 0, rateLimited: 0 }
    Metrics.zeroCounters()
    // `tmdb_collector.requests`, one counter an outcome, tagged once here rather than per request.
    const outcomes = {
      ok: Metric.tagged(Metrics.requests, "outcome", "ok"),
      rateLimited: Metric.tagged(Metrics.requests, "outcome", "rate_limited"),
      clientError: Metric.tagged(Metrics.requests, "outcome", "client_error"),
      serverError: Metric.tagged(Metrics.requests, "outcome", "server_error"),
      failed: Metric.tagged(Metrics.requests, "outcome", "failed")
    }
    const outcomeOf = (status: number) =>
      status === 429 ? outcomes.rateLimited : status >= 500 ? outcomes.serverError : status >= 400 ? outcomes.clientError : outcomes.ok
    // A 401 revokes the key for every request after it, those waiting for a permit included.
    let revoked: UnauthorizedError | undefined
    const { failedStatus, spent } = answers({
      redact,
      pause: limiter.pause,
      revoke: (error) => (revoked = error),
      rateLimited: () => {
        counters.rateLimited++
        Metrics.rateLimited.unsafeUpdate(1, [])
      }
    })
    // A rich movie's body is tens of KB of JSON: parsed here to check it, it is not parsed again.
    const bodies = new WeakMap<HttpClientResponse.HttpClientResponse, ReadBody>()

    const recordExchange = <E>(exchange: Effect.Effect<Exchange, E>) =>
      Effect.tapBoth(exchange, {
        onFailure: () => {
          outcomes.failed.unsafeUpdate(1, [])
          return limiter.record("failed")
        },
        onSuccess: ([r]: Exchange) => {
          outcomeOf(r.status).unsafeUpdate(1, [])
          return limiter.record(r.status === 429 ? "throttled" : r.status >= 500 ? "failed" : "ok")
        }
      })

    /** One attempt: wait for the limiter, send, read the whole body within the timeout. */
    const sendWithinPermit = (
      send: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, Scope.Scope>,
      path: string,
      attempt: number
    ): Effect.Effect<Exchange, TmdbError | HttpClientError.HttpClientError> => {
      const exchange = Effect.suspend((): Effect.Effect<Exchange, TmdbError | HttpClientError.HttpClientError> => {
        // A 401 may have arrived while this request waited for its permit.
        if (revoked !== undefined) return Effect.fail(revoked)
        counters.requests++
        if (attempt > 0) {
          counters.retries++
          Metrics.retries.unsafeUpdate(1, [])
        }
        const read = deadlines.within(
          Effect.flatMap(send, (response) => Effect.map(response.text, (text): Exchange => [response, text])),
          () => new TimeoutError({ path, timeoutMs, message: `no complete response within ${timeoutMs} ms` })
        )
        // Reported while the permit is held, so a probe's outcome reaches the circuit first.
        return recordExchange(read)
      })
      const permitted = limiter.withPermit(exchange).pipe(
        Effect.catchTag("CircuitOpen", (open) =>
          new ServerError({ path, status: 503, message: `TMDB has failed every request for ${Math.round(open.openForMs / 1000)} s; not sending more` }))
      )
      return Effect.suspend(() => {
        if (revoked !== undefined) {
          return Effect.fail(revoked)
        }
        return attempt > 0 ? Effect.zipRight(Effect.logDebug(`retrying ${path} (attempt ${attempt + 1})`), permitted) : permitted
      })
    }

    /** A read response as ours: a 2xx that parses, a final `TmdbError`, or a transient `ResponseError`. */
    const classify = (
      [response, text]: Exchange,
      path: string
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, TmdbError | HttpClientError.ResponseError> => {
      if (response.status >= 200 && response.status < 300) {
        const read = readBody(text)
        if (read === undefined) {
          return Effect.fail(new TransportError({ path, message: `truncated or unparseable body (${text.length} bytes)` }))
        }
        bodies.set(response, read)
        return Effect.succeed(response)
      }
      return failedStatus(response, text, path)
    }

    /** Exponential from `retryBase`, each delay jittered by 0.8-1.2 as `Schedule.jittered` does. */
    const backoff = (retry: number) =>
      Effect.flatMap(Random.next, (r) => Effect.sleep(Duration.millis(retryBaseMs * 2 ** retry * (0.8 * (1 - r) + 1.2 * r))))

    /** Attempt `attempt` and, while it fails transiently and retries are left, the ones after it. */
    const attempts = (
      send: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, Scope.Scope>,
      path: string,
      attempt: number
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, TmdbError> =>
      Effect.flatMap(sendWithinPermit(send, path, attempt), (exchange) => classify(exchange, path)).pipe(
        Effect.catchAll((error) =>
          isTransient(error) && attempt < settings.retries
            ? Effect.zipRight(backoff(attempt), attempts(send, path, attempt + 1))
            : spent(error, path)
        )
      )

    // The platform's client span records `url.full`, query included, which would carry a v3
    // api_key into traces. Its tracer is off; `TmdbClient.request` spans carry a redacted path.
    // `withScope` ties each request's AbortController to a scope, which `within` gives every
    // attempt and closes at its deadline (services/tmdbClient/Deadlines.ts).
    const client = asTmdbClient((yield* HttpClient.HttpClient).pipe(
      HttpClient.withScope,
      HttpClient.mapRequest((request) => authenticate(HttpClientRequest.acceptJson(HttpClientRequest.prependUrl(request, baseUrl)))),
      HttpClient.transform((send, request) => {
        const path = shown(request)
        return attempts(send, path, 0).pipe(
          Effect.locally(HttpClient.currentTracerDisabledWhen, constTrue),
          Effect.withSpan("TmdbClient.request", { attributes: { "tmdb.path": path } })
        )
      })
    ))

    const stats = Effect.sync((): ClientStats => ({ ...counters }))

    /** The body of a response the client yielded, as the pipeline read and parsed it. */
    const bodyOf = (response: HttpClientResponse.HttpClientResponse): ReadBody => {
      const body = bodies.get(response)
      if (body === undefined) throw new Error("a response that did not pass through the TMDB pipeline")
      return body
    }

    return { client, stats, redact, bodyOf } as const
  })
