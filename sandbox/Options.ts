import type { Reply } from "./Bodies.js"
export interface SandboxFaults {
  error500?: number | undefined
  /** Answered with an HTML body (a CDN error page), not JSON. */
  error502?: number | undefined
  /** Answered with Retry-After: retryAfter503Seconds. */
  error503?: number | undefined
  error504?: number | undefined
  /** Destroy the socket without a response. */
  reset?: number | undefined
  /** Never answer (until the server closes). */
  hang?: number | undefined
  /** 200 with the full Content-Length but only half the body, then the socket destroyed. */
  truncate?: number | undefined
  retryAfter503Seconds?: number | undefined
}

export interface SandboxRateLimit {
  rps: number
  burst: number
  retryAfterSeconds?: number | undefined
}

/** How the daily ID export files (`/p/exports/…`) misbehave; by default they are whole. */
export interface SandboxExports {
  /** Today's two files answer 404 (yesterday's and older are served), as on TMDB before about 08:00 UTC. */
  missingToday?: boolean | undefined
  /** Garbage lines inserted at seeded positions of each movie_ids file: cut short, not JSON, a string id. */
  malformedLines?: number | undefined
  /** The files are sent uncompressed (still `Content-Type: application/gzip`), as a broken mirror would. */
  notGzip?: boolean | undefined
  /**
   * Made-up people credited in no movie that `person_ids` lists after the credited ones (ids above
   * theirs; they answer /person/{id} too). Default: a tenth of the credited people.
   */
  extraPeople?: number | undefined
}

export interface SandboxOptions {
  port?: number | undefined
  apiKey?: string | undefined
  readToken?: string | undefined
  catalogue?: {
    seed?: number | undefined
    startYear?: number | undefined
    endYear?: number | undefined
    perYear?: number | Record<number, number> | undefined
    includeFixtures?: boolean | undefined
    /** Share of each year's movies dated January 1 (placeholder dates). Default 0. */
    crowdedDayFraction?: number | undefined
  } | undefined
  /**
   * Movies with equal sort keys (same-day releases, in a date order) come in a new random order
   * on every discover request, as TMDB's do (sct/overseerr#3040). Default false: ties by id.
   */
  unstableOrder?: boolean | undefined
  /**
   * Where latency and jitter sit: "after" the rate limiter (the default: the server answers
   * late) or "before" it, as the network in front of TMDB's CDN-edge limiter does, so requests
   * sent evenly can reach the limiter bunched.
   */
  jitterPlacement?: "before" | "after" | undefined
  latencyMs?: number | undefined
  jitterMs?: number | undefined
  rateLimit?: SandboxRateLimit | undefined
  maxConnections?: number | undefined
  faults?: SandboxFaults | undefined
  deletedFraction?: number | undefined
  alwaysFailFraction?: number | undefined
  driftFraction?: number | undefined
  outage?: { afterMs?: number | undefined; durationMs: number } | undefined
  faultPaths?: "all" | "details" | undefined
  exports?: SandboxExports | undefined
  routes?: SandboxRoutes | undefined
}

/**
 * Routes a test mounts, for a kind of record the sandbox does not serve itself. They sit behind
 * the same key check, limiter, faults and latency as the sandbox's own API routes; export files
 * are served from the files host as the movie files are.
 */
export interface SandboxRoutes {
  /** An API path (`/3/toy/7`) and its query: the reply, or undefined for the sandbox's own routes. */
  readonly api?: ((path: string, params: URLSearchParams) => Reply | undefined) | undefined
  /** An export file's name (`toy_ids_12_07_2026.json.gz`): its gzip body, or undefined. */
  readonly file?: ((name: string) => Buffer | undefined) | undefined
}

export const FAULT_KINDS = ["reset", "hang", "truncate", "error500", "error502", "error503", "error504"] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export const DEFAULTS = {
  port: 0,
  apiKey: "sandbox-api-key",
  readToken: "sandbox-read-token",
  seed: 42,
  startYear: 2019,
  endYear: 2021,
  perYear: 60,
  includeFixtures: true,
  latencyMs: 0,
  jitterMs: 0,
  retryAfter503Seconds: 1,
  faultPaths: "all",
  unstableOrder: false,
  jitterPlacement: "after"
} as const

/** `input` with every default filled in, and the catalogue's own configuration. */
export const withDefaults = (input: SandboxOptions) => {
  const c = input.catalogue ?? {}
  const seed = c.seed ?? DEFAULTS.seed
  const catalogueConfig = {
    seed,
    startYear: c.startYear ?? DEFAULTS.startYear,
    endYear: c.endYear ?? DEFAULTS.endYear,
    perYear: c.perYear ?? DEFAULTS.perYear,
    includeFixtures: c.includeFixtures ?? DEFAULTS.includeFixtures,
    crowdedDayFraction: c.crowdedDayFraction ?? 0
  }
  const options: SandboxOptions = {
    ...input,
    port: input.port ?? DEFAULTS.port,
    apiKey: input.apiKey ?? DEFAULTS.apiKey,
    readToken: input.readToken ?? DEFAULTS.readToken,
    catalogue: catalogueConfig,
    latencyMs: input.latencyMs ?? DEFAULTS.latencyMs,
    jitterMs: input.jitterMs ?? DEFAULTS.jitterMs,
    deletedFraction: input.deletedFraction ?? 0,
    alwaysFailFraction: input.alwaysFailFraction ?? 0,
    driftFraction: input.driftFraction ?? 0,
    faultPaths: input.faultPaths ?? DEFAULTS.faultPaths,
    unstableOrder: input.unstableOrder ?? DEFAULTS.unstableOrder,
    jitterPlacement: input.jitterPlacement ?? DEFAULTS.jitterPlacement
  }
  return { options, catalogueConfig }
}
