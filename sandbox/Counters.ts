import type { Endpoint } from "./Routes.js"

export interface SandboxCounters {
  /** TMDB API requests (everything but /__sandbox/* and the files host's /p/*). */
  requests: number
  byEndpoint: Record<Endpoint | string, number>
  /** API requests by path prefix (`pathPrefixOf`): `/3/person/`, `/3/collection/`, `/3/company/`, `/3/movie/`, `/3/discover/`, ... */
  byPrefix: Record<string, number>
  /** Answered requests by HTTP status ("200", "429", ...); resets and hangs are not answered. */
  byStatus: Record<string, number>
  /** 429s, from the rate limit or maxConnections. */
  rateLimited: number
  /** Injected faults by kind: error500, error502, error503, error504, reset, hang, truncate, outage. */
  faultsInjected: Record<string, number>
  maxInFlight: number
  inFlight: number
  /**
   * When the first and the last request of each endpoint reached this server, in ms of its own
   * clock (before any latency or limiter): the rate a client sent at, as the server saw it.
   */
  received: Record<Endpoint | string, { count: number; firstMs: number; lastMs: number }>
  /** Per movie id: successful 200s of /movie/{id}. */
  detailsServed: Map<number, number>
  /** Requests by how they authenticated: "api_key" (in the URL), "bearer", or "none". */
  byAuth: Record<string, number>
  /** Every successful /discover/movie page, with its raw date filters. */
  discoverPages: Array<{ gte: string | null; lte: string | null; page: number }>
  /** Every answered request to the files host (/p/...), with the file name and status; not in `requests`. */
  exportRequests: Array<{ file: string; status: number }>
}

export const emptyCounters = (inFlight = 0): SandboxCounters => ({
  requests: 0,
  byEndpoint: {},
  byPrefix: {},
  byStatus: {},
  rateLimited: 0,
  faultsInjected: {},
  maxInFlight: inFlight,
  inFlight,
  received: {},
  detailsServed: new Map(),
  byAuth: {},
  discoverPages: [],
  exportRequests: []
})

export const noteReceived = (c: SandboxCounters, endpoint: string, at: number): void => {
  const w = c.received[endpoint]
  if (w === undefined) c.received[endpoint] = { count: 1, firstMs: at, lastMs: at }
  else {
    w.count++
    w.lastMs = at
  }
}

/** Resets in place, so references handed out earlier stay live. */
export const resetCounters = (c: SandboxCounters): void => {
  Object.assign(c, emptyCounters(c.inFlight))
}

export const bump = (record: Record<string, number>, key: string): void => {
  record[key] = (record[key] ?? 0) + 1
}

export const countersJson = (c: SandboxCounters): string => JSON.stringify({ ...c, detailsServed: Object.fromEntries(c.detailsServed) })

/** The part of a path requests are grouped by: `/3/person/` for `/3/person/287` and `/3/person/changes`. */
export const pathPrefixOf = (pathname: string): string => {
  const m = /^(\/[^/]+\/[^/]+)(\/?)/.exec(pathname)
  return m === null ? pathname : `${m[1]}${m[2]}`
}
