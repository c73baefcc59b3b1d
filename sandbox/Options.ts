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

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const num = (o: Record<string, unknown>, key: string, path: string, check: (n: number) => boolean, what: string, errors: Array<string>) => {
  const v = o[key]
  if (v === undefined) return
  if (typeof v !== "number" || !Number.isFinite(v) || !check(v)) errors.push(`${path}${key} must be ${what}`)
}

const nonNegInt = (n: number) => Number.isInteger(n) && n >= 0
const nonNeg = (n: number) => n >= 0
const probability = (n: number) => n >= 0 && n <= 1
const year = (n: number) => Number.isInteger(n) && n >= 1870 && n <= 2200

const KNOWN: Record<string, ReadonlyArray<string>> = {
  "": [
    "port",
    "apiKey",
    "readToken",
    "catalogue",
    "unstableOrder",
    "jitterPlacement",
    "latencyMs",
    "jitterMs",
    "rateLimit",
    "maxConnections",
    "faults",
    "deletedFraction",
    "alwaysFailFraction",
    "driftFraction",
    "outage",
    "faultPaths",
    "exports",
    "routes"
  ],
  "catalogue.": ["seed", "startYear", "endYear", "perYear", "includeFixtures", "crowdedDayFraction"],
  "rateLimit.": ["rps", "burst", "retryAfterSeconds"],
  "faults.": [...FAULT_KINDS, "retryAfter503Seconds"],
  "outage.": ["afterMs", "durationMs"],
  "exports.": ["missingToday", "malformedLines", "notGzip", "extraPeople"],
  "routes.": ["api", "file"]
}

const unknownKeys = (o: Record<string, unknown>, path: string, errors: Array<string>) => {
  for (const k of Object.keys(o)) if (!(KNOWN[path] ?? []).includes(k)) errors.push(`${path}${k} is not a sandbox option`)
}

/** Every problem with an options object, one line each (empty when valid). */
export const validateOptions = (o: unknown): Array<string> => {
  const errors: Array<string> = []
  if (o === undefined) return errors
  if (!isObject(o)) return ["options must be an object"]
  unknownKeys(o, "", errors)
  num(o, "port", "", (n) => nonNegInt(n) && n <= 65535, "an integer port in 0..65535", errors)
  for (const k of ["apiKey", "readToken"]) if (o[k] !== undefined && (typeof o[k] !== "string" || o[k] === "")) errors.push(`${k} must be a non-empty string`)
  num(o, "latencyMs", "", nonNeg, "a number >= 0", errors)
  num(o, "jitterMs", "", nonNeg, "a number >= 0", errors)
  num(o, "maxConnections", "", (n) => Number.isInteger(n) && n >= 1, "an integer >= 1", errors)
  for (const k of ["deletedFraction", "alwaysFailFraction", "driftFraction"]) num(o, k, "", probability, "a number in [0,1]", errors)
  if (o.faultPaths !== undefined && o.faultPaths !== "all" && o.faultPaths !== "details") errors.push(`faultPaths must be "all" or "details"`)
  if (o.unstableOrder !== undefined && typeof o.unstableOrder !== "boolean") errors.push("unstableOrder must be a boolean")
  if (o.jitterPlacement !== undefined && o.jitterPlacement !== "before" && o.jitterPlacement !== "after") {
    errors.push(`jitterPlacement must be "before" or "after"`)
  }
  const c = o.catalogue
  if (c !== undefined) {
    if (!isObject(c)) errors.push("catalogue must be an object")
    else {
      unknownKeys(c, "catalogue.", errors)
      num(c, "seed", "catalogue.", Number.isInteger, "an integer", errors)
      num(c, "startYear", "catalogue.", year, "a year", errors)
      num(c, "endYear", "catalogue.", year, "a year", errors)
      if (typeof c.startYear === "number" && typeof c.endYear === "number" && c.startYear > c.endYear) {
        errors.push("catalogue.startYear must not be after catalogue.endYear")
      }
      const p = c.perYear
      if (p !== undefined) {
        const ok = typeof p === "number"
          ? nonNegInt(p)
          : isObject(p) && Object.entries(p).every(([y, n]) => year(Number(y)) && typeof n === "number" && nonNegInt(n))
        if (!ok) errors.push("catalogue.perYear must be an integer >= 0 or an object of year: integer")
      }
      if (c.includeFixtures !== undefined && typeof c.includeFixtures !== "boolean") errors.push("catalogue.includeFixtures must be a boolean")
      num(c, "crowdedDayFraction", "catalogue.", probability, "a number in [0,1]", errors)
    }
  }
  const rl = o.rateLimit
  if (rl !== undefined) {
    if (!isObject(rl)) errors.push("rateLimit must be an object")
    else {
      unknownKeys(rl, "rateLimit.", errors)
      if (rl.rps === undefined || rl.burst === undefined) errors.push("rateLimit needs rps and burst")
      num(rl, "rps", "rateLimit.", (n) => n > 0, "a number > 0", errors)
      num(rl, "burst", "rateLimit.", (n) => n >= 1, "a number >= 1", errors)
      num(rl, "retryAfterSeconds", "rateLimit.", nonNegInt, "an integer >= 0", errors)
    }
  }
  const f = o.faults
  if (f !== undefined) {
    if (!isObject(f)) errors.push("faults must be an object")
    else {
      unknownKeys(f, "faults.", errors)
      for (const k of FAULT_KINDS) num(f, k, "faults.", probability, "a number in [0,1]", errors)
      num(f, "retryAfter503Seconds", "faults.", nonNegInt, "an integer >= 0", errors)
    }
  }
  const out = o.outage
  if (out !== undefined) {
    if (!isObject(out)) errors.push("outage must be an object")
    else {
      unknownKeys(out, "outage.", errors)
      if (out.durationMs === undefined) errors.push("outage needs durationMs")
      num(out, "durationMs", "outage.", nonNeg, "a number >= 0", errors)
      num(out, "afterMs", "outage.", nonNeg, "a number >= 0", errors)
    }
  }
  const ex = o.exports
  if (ex !== undefined) {
    if (!isObject(ex)) errors.push("exports must be an object")
    else {
      unknownKeys(ex, "exports.", errors)
      for (const k of ["missingToday", "notGzip"]) if (ex[k] !== undefined && typeof ex[k] !== "boolean") errors.push(`exports.${k} must be a boolean`)
      num(ex, "malformedLines", "exports.", nonNegInt, "an integer >= 0", errors)
      num(ex, "extraPeople", "exports.", (n) => nonNegInt(n) && n <= 100_000_000, "an integer in 0..100000000", errors)
    }
  }
  const routes = o.routes
  if (routes !== undefined) {
    if (!isObject(routes)) errors.push("routes must be an object")
    else {
      unknownKeys(routes, "routes.", errors)
      for (const k of ["api", "file"]) if (routes[k] !== undefined && typeof routes[k] !== "function") errors.push(`routes.${k} must be a function`)
    }
  }
  return errors
}

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
