import type * as HttpClientError from "@effect/platform/HttpClientError"

// Helpers for what crosses the wire and may be printed: every path shown in an error, log line
// or span goes through `showPath`, and every text that came from elsewhere through `redactSecret`.

const SECRET_PARAMS = new Set(["api_key", "access_token", "session_id"])

/** `path?query` with secret parameters dropped, for errors, logs and spans. */
export const showPath = (path: string, params: Readonly<Record<string, string>> = {}): string => {
  const shown = Object.entries(params).filter(([k]) => !SECRET_PARAMS.has(k))
  if (shown.length === 0) return path
  return `${path}?${new URLSearchParams(shown).toString()}`
}

/** Replaces every occurrence of the secret (and any `api_key=` value) with `***`. */
export const redactSecret = (secret: string) => (text: string): string => {
  const masked = secret.length >= 4 ? text.split(secret).join("***") : text
  return masked.replace(/(api_key=)[^&\s"']+/gi, "$1***").replace(/(Bearer\s+)[\w.-]+/gi, "$1***")
}

/**
 * Retry-After as milliseconds: delta-seconds (TMDB's documented form) or an HTTP date.
 * Undefined when absent or unreadable.
 */
export const parseRetryAfter = (value: string | undefined, nowMs: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - nowMs)
}

/** The first string `code` (ECONNREFUSED, SQLITE_BUSY, ...) down a chain of `cause`s that `accept`s. */
export const findErrorCode = (cause: unknown, accept: (code: string) => boolean = () => true, depth = 0): string | undefined => {
  if (depth > 4 || typeof cause !== "object" || cause === null) return undefined
  if ("code" in cause && typeof cause.code === "string" && accept(cause.code)) return cause.code
  return "cause" in cause ? findErrorCode(cause.cause, accept, depth + 1) : undefined
}

/**
 * One line for a platform error. The platform's own message names the request URL, and undici's
 * may too, so neither is used: only the reason and the system error code (ECONNREFUSED, ...).
 */
export const describeTransportError = (error: HttpClientError.HttpClientError): string => {
  const code = findErrorCode(error.cause)
  const what = error._tag === "RequestError"
    ? (code === "ECONNREFUSED" ? "connection refused" : code === "ECONNRESET" ? "connection reset" : "request failed")
    : "response body could not be read"
  return code !== undefined ? `${what} (${code})` : `${what} (${error.reason})`
}
