import { Schema } from "effect"

// Every error carries only what is safe to print: a redacted path and TMDB's own message.
const common = {
  /** The request path with secrets removed, e.g. `/movie/550?append_to_response=credits`. */
  path: Schema.String,
  message: Schema.String
}

/** 404 (TMDB codes 34 and 6). Permanent: never retried. */
export class NotFoundError extends Schema.TaggedError<NotFoundError>()("NotFoundError", {
  ...common,
  statusCode: Schema.optional(Schema.Number)
}) {}

/** 401 (TMDB codes 3, 7, 10). Fatal for the whole run: the client stops sending. */
export class UnauthorizedError extends Schema.TaggedError<UnauthorizedError>()("UnauthorizedError", {
  ...common,
  statusCode: Schema.optional(Schema.Number)
}) {}

/** 429 after the retries were spent, or a Retry-After longer than the configured cap. */
export class RateLimitedError extends Schema.TaggedError<RateLimitedError>()("RateLimitedError", {
  ...common,
  retryAfterMs: Schema.optional(Schema.Number)
}) {}

/** 5xx after the retries were spent. */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  ...common,
  status: Schema.Number
}) {}

/** Connection refused or reset, DNS failure, or a body cut off in transit. */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", common) {}

/** No complete response within the per-request timeout. */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  ...common,
  timeoutMs: Schema.Number
}) {}

/** A complete JSON body of the wrong shape. Not retried: the same request gives the same body. */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", common) {}

/** Any other 4xx (400 invalid page, 422 invalid date range, ...). Not retried. */
export class InvalidRequestError extends Schema.TaggedError<InvalidRequestError>()("InvalidRequestError", {
  ...common,
  status: Schema.Number,
  statusCode: Schema.optional(Schema.Number)
}) {}

export type TmdbError =
  | NotFoundError
  | UnauthorizedError
  | RateLimitedError
  | ServerError
  | TransportError
  | TimeoutError
  | DecodeError
  | InvalidRequestError

/** The failure kinds stored in `fetch_failures.kind`. */
export const FailureKind = Schema.Literal(
  "not_found",
  "unauthorized",
  "rate_limited",
  "server",
  "transport",
  "timeout",
  "decode",
  "invalid_request"
)
export type FailureKind = typeof FailureKind.Type

const kinds: Record<TmdbError["_tag"], FailureKind> = {
  NotFoundError: "not_found",
  UnauthorizedError: "unauthorized",
  RateLimitedError: "rate_limited",
  ServerError: "server",
  TransportError: "transport",
  TimeoutError: "timeout",
  DecodeError: "decode",
  InvalidRequestError: "invalid_request"
}

export const failureKind = (error: TmdbError): FailureKind => kinds[error._tag]

/**
 * Kinds tried again on the next run: the server may answer next time, or (unauthorized) the
 * key may have been fixed. The others wait for the stale horizon.
 */
export const RETRIED_NEXT_RUN: ReadonlyArray<FailureKind> = ["rate_limited", "server", "transport", "timeout", "unauthorized"]
