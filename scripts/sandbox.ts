import { parseArgs } from "node:util"
import { startSandbox, validateOptions } from "../sandbox/index.js"
import type { SandboxOptions } from "../sandbox/index.js"

// npm run sandbox -- [options]: prints the base URL on one line, then serves until SIGINT/SIGTERM.
// The daily ID exports are served by the same server: the base URL without "/3" is the files host.

const USAGE = `Usage: npm run sandbox -- [options]
  --config <json>        a full SandboxOptions object; the flags below override it
  --port <n>             default 0 (a free port)
  --seed <n>             catalogue seed, default 42
  --start-year <y>       default 2019
  --end-year <y>         default 2021
  --per-year <n|y:n,..>  movies per year, e.g. 60 or 2023:12000,2022:500 (default 60)
  --fixtures <bool>      serve the real fixture movies too (default true); --no-fixtures
  --crowded-day <f>      share of each year's movies dated January 1, in [0,1] (default 0)
  --unstable-order       reshuffle ties (same-day releases) on every discover request
  --rps <n>              rate limit: tokens per second (with --burst)
  --burst <n>            rate limit: bucket size (default: rps)
  --max-connections <n>  cap on requests in flight
  --latency <ms>         base latency per request, default 0
  --jitter <ms>          +/- uniform jitter, default 0
  --jitter-before        put latency and jitter before the rate limiter (default: after)
  --api-key <key>        default sandbox-api-key
  --read-token <token>   default sandbox-read-token
  --exports-missing-today   today's export files answer 404 (yesterday's are served)
  --exports-malformed <n>   n garbage lines in each movie_ids export file
  --exports-not-gzip        export files sent uncompressed
  --exports-extra-people <n>  made-up people person_ids lists besides the credited (default: a tenth of them)
Export files: <base URL without /3>/p/exports/movie_ids_MM_DD_YYYY.json.gz, adult_movie_ids_…, person_ids_…,
adult_person_ids_…, collection_ids_… and production_company_ids_….`

class UsageError extends Error {}

const int = (flag: string, raw: string | undefined, min: number): number | undefined => {
  if (raw === undefined) return undefined
  if (!/^-?\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got "${raw}"`)
  return Number(raw)
}

const number = (flag: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} must be a number >= 0, got "${raw}"`)
  return n
}

const perYear = (raw: string | undefined): number | Record<number, number> | undefined => {
  if (raw === undefined) return undefined
  if (/^\d+$/.test(raw)) return Number(raw)
  const out: Record<number, number> = {}
  for (const part of raw.split(",")) {
    const m = /^(\d{4}):(\d+)$/.exec(part.trim())
    if (m === null) throw new UsageError(`--per-year must be N or YEAR:N,YEAR:N, got "${raw}"`)
    out[Number(m[1])] = Number(m[2])
  }
  return out
}

const parse = (argv: ReadonlyArray<string>): SandboxOptions | "help" => {
  let values
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string" },
        port: { type: "string" },
        seed: { type: "string" },
        "start-year": { type: "string" },
        "end-year": { type: "string" },
        "per-year": { type: "string" },
        fixtures: { type: "string" },
        "no-fixtures": { type: "boolean" },
        rps: { type: "string" },
        burst: { type: "string" },
        "max-connections": { type: "string" },
        latency: { type: "string" },
        jitter: { type: "string" },
        "jitter-before": { type: "boolean" },
        "crowded-day": { type: "string" },
        "unstable-order": { type: "boolean" },
        "api-key": { type: "string" },
        "read-token": { type: "string" },
        "exports-missing-today": { type: "boolean" },
        "exports-malformed": { type: "string" },
        "exports-not-gzip": { type: "boolean" },
        "exports-extra-people": { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    }))
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    const flag = /'([^']+)'/.exec(message)?.[1]
    throw new UsageError(flag !== undefined && /Unknown option/.test(message) ? `unknown option ${flag}` : (message.split("\n")[0] ?? message))
  }
  if (values.help === true) return "help"
  let options: SandboxOptions = {}
  if (values.config !== undefined) {
    try {
      options = JSON.parse(values.config) as SandboxOptions
    } catch {
      throw new UsageError("--config must be a JSON object")
    }
    const errors = validateOptions(options)
    if (errors.length > 0) throw new UsageError(`--config: ${errors.join("; ")}`)
  }
  const catalogue = { ...options.catalogue }
  const set = <K extends keyof typeof catalogue>(key: K, value: (typeof catalogue)[K] | undefined) => {
    if (value !== undefined) catalogue[key] = value
  }
  set("seed", int("seed", values.seed, Number.MIN_SAFE_INTEGER))
  set("startYear", int("start-year", values["start-year"], 1870))
  set("endYear", int("end-year", values["end-year"], 1870))
  set("perYear", perYear(values["per-year"]))
  set("crowdedDayFraction", number("crowded-day", values["crowded-day"]))
  if (values.fixtures !== undefined) {
    if (values.fixtures !== "true" && values.fixtures !== "false") throw new UsageError(`--fixtures must be true or false, got "${values.fixtures}"`)
    catalogue.includeFixtures = values.fixtures === "true"
  }
  if (values["no-fixtures"] === true) catalogue.includeFixtures = false
  if (Object.keys(catalogue).length > 0) options.catalogue = catalogue
  const port = int("port", values.port, 0)
  if (port !== undefined) options.port = port
  const latency = number("latency", values.latency)
  if (latency !== undefined) options.latencyMs = latency
  const jitter = number("jitter", values.jitter)
  if (jitter !== undefined) options.jitterMs = jitter
  if (values["jitter-before"] === true) options.jitterPlacement = "before"
  if (values["unstable-order"] === true) options.unstableOrder = true
  const maxConnections = int("max-connections", values["max-connections"], 1)
  if (maxConnections !== undefined) options.maxConnections = maxConnections
  if (values["api-key"] !== undefined) options.apiKey = values["api-key"]
  if (values["read-token"] !== undefined) options.readToken = values["read-token"]
  const exportsOptions = { ...options.exports }
  if (values["exports-missing-today"] === true) exportsOptions.missingToday = true
  const malformed = int("exports-malformed", values["exports-malformed"], 0)
  if (malformed !== undefined) exportsOptions.malformedLines = malformed
  if (values["exports-not-gzip"] === true) exportsOptions.notGzip = true
  const extraPeople = int("exports-extra-people", values["exports-extra-people"], 0)
  if (extraPeople !== undefined) exportsOptions.extraPeople = extraPeople
  if (Object.keys(exportsOptions).length > 0) options.exports = exportsOptions
  const rps = number("rps", values.rps)
  const burst = number("burst", values.burst)
  if (burst !== undefined && rps === undefined && options.rateLimit === undefined) throw new UsageError("--burst needs --rps")
  if (rps !== undefined || burst !== undefined) {
    const base = options.rateLimit
    const r = rps ?? base?.rps ?? 1
    options.rateLimit = { ...base, rps: r, burst: burst ?? base?.burst ?? Math.max(1, r) }
  }
  const errors = validateOptions(options)
  if (errors.length > 0) throw new UsageError(errors.join("; "))
  return options
}

const main = async () => {
  let options: SandboxOptions | "help"
  try {
    options = parse(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(`sandbox: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(2)
  }
  if (options === "help") {
    process.stdout.write(USAGE + "\n")
    return
  }
  const sandbox = await startSandbox(options)
  process.stdout.write(sandbox.baseUrl + "\n")
  const stop = () => {
    void sandbox.close().then(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

main().catch((e: unknown) => {
  process.stderr.write(`sandbox: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
