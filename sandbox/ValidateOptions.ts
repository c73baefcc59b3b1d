import { FAULT_KINDS } from "./Options.js"

// Checks a SandboxOptions object (sandbox/Options.ts) from an untyped source (a test, --config
// JSON): every problem, one line each, so a bad option fails loudly rather than being ignored.

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
