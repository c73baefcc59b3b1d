// Error bodies as TMDB sends them (https://developer.themoviedb.org/docs/errors, and the real bodies in fixtures/).

export interface Reply {
  status: number
  body: Buffer
  contentType?: string
  headers?: Record<string, string>
  /** Set on a /movie/{id} reply: which movie it was for. */
  movieId?: number
  /** Set on a successful /discover/movie reply. */
  discoverPage?: { gte: string | null; lte: string | null; page: number }
}

export const JSON_TYPE = "application/json;charset=utf-8"

export const json = (status: number, value: unknown, headers?: Record<string, string>): Reply => {
  const reply: Reply = { status, body: Buffer.from(JSON.stringify(value)) }
  if (headers !== undefined) reply.headers = headers
  return reply
}

const tmdbError = (status: number, code: number, message: string, headers?: Record<string, string>): Reply =>
  json(status, { success: false, status_code: code, status_message: message }, headers)

// Key order as in a real 401 body (fixtures/error-401-status-7-adamayoung.json; fixtures/SOURCES.md says where it came from).
export const unauthorized = (): Reply => json(401, { status_code: 7, status_message: "Invalid API key: You must be granted a valid key.", success: false })

const NOT_FOUND = "The resource you requested could not be found."
/** Code 34; `withSuccess` false gives the older shape with no `success` key (fixtures/error-404-not-found-no-success-field.json). */
export const notFound = (withSuccess: boolean): Reply => withSuccess ? tmdbError(404, 34, NOT_FOUND) : json(404, { status_code: 34, status_message: NOT_FOUND })

export const invalidPage = (): Reply => tmdbError(400, 22, "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.")

export const invalidDate = (): Reply => tmdbError(400, 23, "Invalid date: Format needs to be YYYY-MM-DD.")

export const invalidDateRange = (): Reply => tmdbError(422, 20, "Invalid date range: Should be a range no longer than 14 days.")

export const tooManyAppends = (): Reply => tmdbError(400, 27, "Too many append to response objects: The maximum number of remote calls is 20.")

export const methodNotAllowed = (): Reply => tmdbError(405, 42, "This request method is not supported for this resource.")

export const internalError = (): Reply => tmdbError(500, 11, "Internal error: Something went wrong, contact TMDB.")

export const serviceOffline = (retryAfterSeconds: number): Reply =>
  tmdbError(503, 9, "Service offline: This service is temporarily offline, try again later.", { "Retry-After": String(retryAfterSeconds) })

export const gatewayTimeout = (): Reply => tmdbError(504, 24, "Your request to the backend server timed out. Try again.")

/** A CDN's error page: HTML, not JSON. */
export const badGateway = (): Reply => ({
  status: 502,
  contentType: "text/html",
  body: Buffer.from(
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n"
  )
})

/** The legacy 429 body has no `success` key (fixtures/error-429-rate-limit-legacy-2017.json). */
export const rateLimited = (count: number, retryAfterSeconds: number): Reply =>
  json(429, { status_code: 25, status_message: `Your request count (${count}) is over the allowed limit of 40.` }, { "Retry-After": String(retryAfterSeconds) })
