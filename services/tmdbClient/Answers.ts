import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Effect } from "effect"
import { parseErrorBody } from "../../src/Decode.js"
import { InvalidRequestError, NotFoundError, RateLimitedError, ServerError, type TmdbError, TransportError, UnauthorizedError } from "../../src/Errors.js"
import { describeTransportError, parseRetryAfter } from "../../src/Wire.js"

// What an answer other than a readable 2xx means to the client: a final `TmdbError`, or a
// transient failure to try again, and what a transient failure becomes once the retries are spent.

/**
 * Statuses worth another try. Until the retries are spent they stay the platform's
 * `ResponseError` (reason StatusCode); every other status becomes one of our errors at once.
 */
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504])

/** Transport failures, unread bodies and transient statuses (platform errors), timeouts, cut-off bodies. */
export const isTransient = (error: TmdbError | HttpClientError.HttpClientError): boolean =>
  HttpClientError.isHttpClientError(error) || error._tag === "TimeoutError" || error._tag === "TransportError"

/** What reading an answer may do to the client: redact TMDB's text, pause every request, revoke the key, count a 429. */
interface AnswerEffects {
  readonly redact: (text: string) => string
  readonly pause: (ms: number) => Effect.Effect<boolean>
  readonly revoke: (error: UnauthorizedError) => UnauthorizedError
  readonly rateLimited: () => void
}

/** How the client reads a failed answer (`failedStatus`) and a spent transient failure (`spent`). */
export const answers = (on: AnswerEffects) => {
  const failedStatus = (response: HttpClientResponse.HttpClientResponse, text: string, path: string) =>
    Effect.gen(function*() {
      const { request, status } = response
      const body = parseErrorBody(text)
      const tmdb = body.message !== null ? on.redact(body.message) : `HTTP ${status}`
      const statusCode = body.statusCode ?? undefined
      if (status === 401) {
        return yield* on.revoke(new UnauthorizedError({ path, statusCode, message: tmdb }))
      }
      if (status === 404) {
        return yield* new NotFoundError({ path, statusCode, message: tmdb })
      }
      const retryAfterMs = parseRetryAfter(response.headers["retry-after"], yield* Clock.currentTimeMillis)
      if (status === 429) {
        on.rateLimited()
      }
      yield* Effect.logDebug(`${path} answered ${status}: ${tmdb}`)
      if ((status === 429 || status === 503) && retryAfterMs !== undefined && !(yield* on.pause(retryAfterMs))) {
        return yield* new RateLimitedError({
          path,
          retryAfterMs,
          message: `Retry-After of ${Math.round(retryAfterMs / 1000)} s exceeds the pause cap`
        })
      }
      if (TRANSIENT_STATUS.has(status)) {
        return yield* new HttpClientError.ResponseError({ request, response, reason: "StatusCode", description: tmdb })
      }
      if (status >= 500) {
        return yield* new ServerError({ path, status, message: tmdb })
      }
      return yield* new InvalidRequestError({ path, status, statusCode, message: tmdb })
    })

  /** A transient failure whose retries are spent, as ours. */
  const spent = (error: TmdbError | HttpClientError.HttpClientError, path: string) =>
    Effect.gen(function*() {
      if (!HttpClientError.isHttpClientError(error)) {
        return yield* Effect.fail(error)
      }
      if (error._tag === "ResponseError" && error.reason === "StatusCode") {
        const { response } = error
        const message = error.description ?? `HTTP ${response.status}`
        if (response.status !== 429) {
          return yield* new ServerError({ path, status: response.status, message })
        }
        const retryAfterMs = parseRetryAfter(response.headers["retry-after"], yield* Clock.currentTimeMillis)
        return yield* new RateLimitedError({ path, retryAfterMs, message })
      }
      return yield* new TransportError({ path, message: on.redact(describeTransportError(error)) })
    })

  return { failedStatus, spent } as const
}
