// Module paths, not the package index: the index also loads the Swagger/Scalar UI bundles.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Duration, Effect, FiberRef, Metric, Option, Redacted, Ref, Schedule, type Scope } from "effect"
import type { TmdbSettings } from "../../src/Config.js"
import { parseErrorBody } from "../../src/Decode.js"
import {
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  type TmdbError,
  TransportError,
  UnauthorizedError
} from "../../src/Errors.js"
import * as Metrics from "../../src/Metrics.js"
import { describeTransportError, parseRetryAfter, redactSecret, showPath } from "../../src/Wire.js"
import { RateLimiter } from "../RateLimiter.js"
import { makeDeadlines } from "./Deadlines.js"

export interface ClientStats {
  /** HTTP requests sent, retries included. */
  readonly requests: number
  /** Requests that were retries of an earlier attempt. */
  readonly retries: number
  /** Responses with status 429. */
  readonly rateLimited: number
}

/**
 * Statuses worth another try. Until the retries are spent they stay the platform's
 * `ResponseError` (reason StatusCode); every other status becomes one of our errors at once.
 */
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504])

/** Transport failures, unread bodies and transient statuses (platform errors), timeouts, cut-off bodies. */
const isTransient = (error: TmdbError | HttpClientError.HttpClientError): boolean =>
  HttpClientError.isHttpClientError(error) || error._tag === "TimeoutError" || error._tag === "TransportError"

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
 * The platform's types keep the Scope `HttpClient.withScope` asks for as a requirement of every
 * later stage, though `sendWithinPermit` gives one to every attempt and none is left to give.
 */
const scopeGiven = <E>(client: HttpClient.HttpClient.With<E, Scope.Scope>) => client as unknown as HttpClient.HttpClient.With<E>

/**
 * The TMDB transport as one HttpClient pipeline: authentication, the shared limiter and circuit,
 * a timeout per attempt that covers the body, classification into `TmdbError`s, the Retry-After
 * pause, and retries of the transient only. Every response it yields is a 2xx whose whole body
 * has been read and parses as JSON.
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

    const retryPolicy = Schedule.exponential(settings.retryBase).pipe(
      Schedule.jittered,
      Schedule.intersect(Schedule.recurs(settings.retries))
    )
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
    // Attempts sent so far for the request this fiber is making; the outermost stage starts it at 0.
    const sent = FiberRef.unsafeMake(0)
    const revoked = yield* Ref.make(Option.none<UnauthorizedError>())
    // A rich movie's body is tens of KB of JSON: parsed here to check it, it is not parsed again.
    const bodies = new WeakMap<HttpClientResponse.HttpClientResponse, ReadBody>()
    const failIfRevoked = Effect.flatMap(Ref.get(revoked), Option.match({ onNone: () => Effect.void, onSome: Effect.fail }))

    /** One attempt: wait for the limiter, send, read the whole body within the timeout. */
    const sendWithinPermit = (
      send: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, Scope.Scope>,
      request: HttpClientRequest.HttpClientRequest
    ) =>
      Effect.gen(function*() {
        yield* failIfRevoked
        const attempt = yield* FiberRef.get(sent)
        if (attempt > 0) yield* Effect.logDebug(`retrying ${shown(request)} (attempt ${attempt + 1})`)
        return yield* limiter.withPermit(
          Effect.gen(function*() {
            // A 401 may have arrived while this request waited for its permit.
            yield* failIfRevoked
            counters.requests++
            if (attempt > 0) {
              counters.retries++
              Metrics.retries.unsafeUpdate(1, [])
            }
            yield* FiberRef.set(sent, attempt + 1)
            return yield* deadlines.within(
              Effect.tap(send, (response) => response.text),
              () => new TimeoutError({ path: shown(request), timeoutMs, message: `no complete response within ${timeoutMs} ms` })
            ).pipe(
              // Reported while the permit is held, so a probe's outcome reaches the circuit first.
              Effect.tapBoth({
                onFailure: () => {
                  outcomes.failed.unsafeUpdate(1, [])
                  return limiter.record("failed")
                },
                onSuccess: (r) => {
                  outcomeOf(r.status).unsafeUpdate(1, [])
                  return limiter.record(r.status === 429 ? "throttled" : r.status >= 500 ? "failed" : "ok")
                }
              })
            )
          })
        ).pipe(
          Effect.catchTag("CircuitOpen", (open) =>
            new ServerError({
              path: shown(request),
              status: 503,
              message: `TMDB has failed every request for ${Math.round(open.openForMs / 1000)} s; not sending more`
            }))
        )
      })

    /** A read response as ours: a 2xx that parses, a final `TmdbError`, or a transient `ResponseError`. */
    const classify = (response: HttpClientResponse.HttpClientResponse) =>
      Effect.gen(function*() {
        const { request, status } = response
        const text = yield* response.text
        const path = shown(request)
        if (status >= 200 && status < 300) {
          const read = readBody(text)
          if (read !== undefined) {
            bodies.set(response, read)
            return response
          }
          return yield* new TransportError({ path, message: `truncated or unparseable body (${text.length} bytes)` })
        }
        const body = parseErrorBody(text)
        const tmdb = body.message !== null ? redact(body.message) : `HTTP ${status}`
        const statusCode = body.statusCode ?? undefined
        if (status === 401) {
          const error = new UnauthorizedError({ path, statusCode, message: tmdb })
          yield* Ref.set(revoked, Option.some(error))
          return yield* error
        }
        if (status === 404) return yield* new NotFoundError({ path, statusCode, message: tmdb })
        const retryAfterMs = parseRetryAfter(response.headers["retry-after"], yield* Clock.currentTimeMillis)
        if (status === 429) {
          counters.rateLimited++
          Metrics.rateLimited.unsafeUpdate(1, [])
        }
        yield* Effect.logDebug(`${path} answered ${status}: ${tmdb}`)
        if ((status === 429 || status === 503) && retryAfterMs !== undefined && !(yield* limiter.pause(retryAfterMs))) {
          return yield* new RateLimitedError({
            path,
            retryAfterMs,
            message: `Retry-After of ${Math.round(retryAfterMs / 1000)} s exceeds the pause cap`
          })
        }
        if (TRANSIENT_STATUS.has(status)) {
          return yield* new HttpClientError.ResponseError({ request, response, reason: "StatusCode", description: tmdb })
        }
        if (status >= 500) return yield* new ServerError({ path, status, message: tmdb })
        return yield* new InvalidRequestError({ path, status, statusCode, message: tmdb })
      })

    /** A transient status whose retries are spent. */
    const fromTransientStatus = (error: HttpClientError.ResponseError) =>
      Effect.gen(function*() {
        const { request, response } = error
        const path = shown(request)
        const message = error.description ?? `HTTP ${response.status}`
        if (response.status !== 429) return yield* new ServerError({ path, status: response.status, message })
        const retryAfterMs = parseRetryAfter(response.headers["retry-after"], yield* Clock.currentTimeMillis)
        return yield* new RateLimitedError({ path, retryAfterMs, message })
      })

    const transportError = (error: HttpClientError.HttpClientError) =>
      Effect.fail(new TransportError({ path: shown(error.request), message: redact(describeTransportError(error)) }))

    // The platform's client span records `url.full`, query included, which would carry a v3
    // api_key into traces. Its tracer is off; `TmdbClient.request` spans carry a redacted path.
    // `withScope` ties each request's AbortController to a scope, which `sendWithinPermit` gives
    // every attempt and closes at its deadline (services/tmdbClient/Deadlines.ts).
    const client = scopeGiven((yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerDisabledWhen(() => true),
      HttpClient.withScope,
      HttpClient.mapRequest((request) => authenticate(HttpClientRequest.acceptJson(HttpClientRequest.prependUrl(request, baseUrl)))),
      HttpClient.transform(sendWithinPermit),
      HttpClient.transformResponse(Effect.flatMap(classify)),
      HttpClient.retry({ while: isTransient, schedule: retryPolicy }),
      HttpClient.catchTags({
        RequestError: transportError,
        ResponseError: (error) => (error.reason === "StatusCode" ? fromTransientStatus(error) : transportError(error))
      }),
      HttpClient.transform((attempts, request) =>
        attempts.pipe(Effect.locally(sent, 0), Effect.withSpan("TmdbClient.request", { attributes: { "tmdb.path": shown(request) } }))
      )
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
