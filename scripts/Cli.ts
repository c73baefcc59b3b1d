import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Cause, ConfigError, Console, Data, Effect, Either, Exit, Option } from "effect"
import { checkAppend, DEFAULT_APPEND, MAX_APPEND } from "../src/Appended.js"
import { ExportError } from "../src/Catalogue.js"
import { DatabaseError, type DatabaseTarget, databaseTarget, DEFAULT_DB } from "../src/Database.js"
import { DEFAULT_MIN_VOTE_COUNT } from "../src/Discover.js"
import { redactSecret } from "../src/Wire.js"
import { colourFor, helpText, wantsHelp } from "./Help.js"

/** Exit codes: a script can tell what happened. */
export const ExitCode = {
  ok: 0,
  fatal: 1,
  usage: 2,
  incomplete: 3,
  interrupted: 130
} as const

/** A problem a person caused or can fix: one line, no stack trace. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

// Numbers are parsed here rather than by Options.integer, so a bad value names its flag.
const numberFlag = (name: string, pseudoName: string, pattern: RegExp, what: "an integer" | "a number") =>
  Options.text(name).pipe(
    Options.withPseudoName(pseudoName),
    Options.mapEffect((raw) =>
      pattern.test(raw.trim()) && Number.isFinite(Number(raw))
        ? Effect.succeed(Number(raw))
        : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--${name} must be ${what}, got '${raw}'`)))
    )
  )
const integer = (name: string, pseudoName: string) =>
  numberFlag(name, pseudoName, /^[+-]?\d+$/, "an integer").pipe(
    Options.mapEffect((n) =>
      Number.isSafeInteger(n)
        ? Effect.succeed(n)
        : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--${name} is too large: ${n}`)))
    )
  )
const decimal = (name: string, pseudoName: string) => numberFlag(name, pseudoName, /^[+-]?(\d+\.?\d*|\.\d+)$/, "a number")
const allows = <A>(o: Option.Option<A>, ok: (a: A) => boolean) => Option.isNone(o) || ok(o.value)

// @effect/cli's help shows no default of its own for a plain value, so each description says it.
const DEFAULT_STALE_AFTER_DAYS = 90
// services/Coordination.ts's default (test/cli.truths.test.ts holds them equal): the CLI loads
// no service before the flags are valid.
const DEFAULT_LEASE_SECONDS = 30

const options = {
  startYear: integer("start-year", "YEAR").pipe(
    Options.optional,
    Options.withDescription("First release year to collect (an integer; required, except with --all or --renormalize)")
  ),
  all: Options.boolean("all").pipe(
    Options.withDescription("The whole catalogue: every movie of TMDB's latest daily ID export (TMDB_FILES_URL), not discover")
  ),
  minPopularity: decimal("min-popularity", "SCORE").pipe(
    Options.optional,
    Options.withDescription("With --all: only movies whose export line has at least this popularity (a number >= 0; default: 0)")
  ),
  includeAdult: Options.boolean("include-adult").pipe(Options.withDescription("Adult titles too (with --all, also reads the adult export)")),
  includeVideo: Options.boolean("include-video").pipe(Options.withDescription("\"Video\" releases too")),
  endYear: integer("end-year", "YEAR").pipe(Options.optional, Options.withDescription("Last release year (an integer; default: this year)")),
  minVoteCount: integer("min-vote-count", "VOTES").pipe(
    Options.optional,
    Options.withDescription(`Only movies with at least this many votes, TMDB's vote_count.gte (an integer; default: ${DEFAULT_MIN_VOTE_COUNT})`)
  ),
  maxPages: integer("max-pages", "PAGES").pipe(
    Options.optional,
    Options.withDescription("At most this many discover pages per year (an integer; default: no limit)")
  ),
  // No defaults here: unset, they come from TMDB_RPS / TMDB_BURST / TMDB_MAX_CONCURRENT, else 4, 4, 10.
  rps: decimal("rps", "RATE").pipe(Options.optional, Options.withDescription("Requests per second (a number; default: TMDB_RPS, else 4)")),
  burst: integer("burst", "TOKENS").pipe(Options.optional, Options.withDescription("Token bucket capacity (an integer; default: TMDB_BURST, else 4)")),
  concurrency: integer("concurrency", "REQUESTS").pipe(
    Options.optional,
    Options.withDescription("Requests in flight at most (an integer; default: TMDB_MAX_CONCURRENT, else 10)")
  ),
  refreshLimit: integer("refresh-limit", "MOVIES").pipe(
    Options.optional,
    Options.withDescription("At most this many movies get details this run; 0 = discover only (an integer; default: no limit)")
  ),
  staleAfterDays: integer("stale-after-days", "DAYS").pipe(
    Options.withDefault(DEFAULT_STALE_AFTER_DAYS),
    Options.withDescription(`Refresh details older than this many days (an integer; default: ${DEFAULT_STALE_AFTER_DAYS})`)
  ),
  db: Options.text("db").pipe(
    Options.withPseudoName("PATH|URL"),
    Options.optional,
    Options.withDescription(
      `SQLite database file (its folder is created), or postgres://user@host:port/db to share one PostgreSQL database among collectors (default: TMDB_DATABASE_URL, else ${DEFAULT_DB})`
    )
  ),
  redis: Options.text("redis").pipe(
    Options.withPseudoName("URL"),
    Options.optional,
    Options.withDescription(
      "redis://[:password@]host[:port]: one request budget shared by every collector on it, so --rps is their total (default: TMDB_REDIS_URL, else none)"
    )
  ),
  leaseSeconds: integer("lease-seconds", "SECONDS").pipe(
    Options.optional,
    Options.withDescription(
      `PostgreSQL: how long a killed collector's claimed work waits before the others take it over (an integer; default: ${DEFAULT_LEASE_SECONDS})`
    )
  ),
  append: Options.text("append").pipe(
    Options.withPseudoName("LIST"),
    Options.optional,
    Options.withDescription(
      `Sub-resources each details request appends, comma-separated, at most ${MAX_APPEND} (default: TMDB_APPEND, else ${DEFAULT_APPEND.join(",")})`
    )
  ),
  renormalize: Options.boolean("renormalize").pipe(
    Options.withDescription("Rebuild every derived column and table from the stored payloads: no request, no key needed")
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Print the run summary as one JSON object on stdout"))
}

export type Parsed = Command.Command.ParseConfig<typeof options>

const check = (ok: boolean, message: string) => (ok ? Effect.void : Effect.fail(new UsageError({ message })))

/**
 * Where the data goes: `--db`, else TMDB_DATABASE_URL, else the default file. A PostgreSQL URL
 * that does not parse is one line, shown without its password.
 */
export const targetOf = (db: Option.Option<string>): Effect.Effect<DatabaseTarget, UsageError> => {
  const given = Option.getOrElse(db, () => (process.env["TMDB_DATABASE_URL"] ?? "").trim() || DEFAULT_DB)
  if (given.trim() === "") return Effect.fail(new UsageError({ message: "--db must name a file or a postgres:// URL" }))
  return Either.match(databaseTarget(given), {
    onLeft: (e) => Effect.fail(new UsageError({ message: e.message })),
    onRight: Effect.succeed
  })
}

/** The flags of a collection, checked: one line naming the first flag that is wrong. */
export interface Checked {
  /** Undefined with --all. */
  readonly startYear: number | undefined
  readonly endYear: number | undefined
  readonly append: ReadonlyArray<string> | undefined
  readonly target: DatabaseTarget
  /** The shared budget's URL (it may hold a password), or undefined: this collector's own limiter. */
  readonly redis: string | undefined
}

/** `--redis`, else TMDB_REDIS_URL; blank is none. */
const redisOf = (given: Option.Option<string>) => {
  const url = Option.getOrElse(given, () => process.env["TMDB_REDIS_URL"] ?? "").trim()
  return url === "" ? undefined : url
}

const validate = (a: Parsed) =>
  Effect.gen(function*() {
    const thisYear = new Date().getUTCFullYear()
    yield* check(allows(a.minPopularity, (n) => n >= 0), `--min-popularity must be >= 0, got ${Option.getOrElse(a.minPopularity, () => 0)}`)
    yield* check(a.all || Option.isNone(a.minPopularity), "--min-popularity filters the daily export: use it with --all")
    if (a.all) {
      yield* check(Option.isNone(a.startYear), "--all reads every movie of TMDB's daily export: drop --start-year")
      yield* check(Option.isNone(a.endYear), "--all reads every movie of TMDB's daily export: drop --end-year")
      yield* check(Option.isNone(a.maxPages), "--all reads no discover page: drop --max-pages")
      yield* check(Option.isNone(a.minVoteCount), "--all reads no discover page: drop --min-vote-count (--min-popularity filters the export)")
    }
    if (!a.all && Option.isNone(a.startYear)) {
      return yield* new UsageError({ message: "--start-year is required: the first release year to collect (or --all for the whole catalogue)" })
    }
    const startYear = Option.getOrElse(a.startYear, () => thisYear)
    yield* check(startYear >= 1874 && startYear <= thisYear + 10, `--start-year must be a year between 1874 and ${thisYear + 10}, got ${startYear}`)
    const endYear = Option.getOrElse(a.endYear, () => thisYear)
    yield* check(endYear <= thisYear + 10, `--end-year must be at most ${thisYear + 10}, got ${endYear}`)
    yield* check(endYear >= startYear, `--end-year (${endYear}) must not be before --start-year (${startYear})`)
    yield* check(allows(a.minVoteCount, (n) => n >= 0), `--min-vote-count must be >= 0, got ${Option.getOrElse(a.minVoteCount, () => 0)}`)
    yield* check(allows(a.maxPages, (n) => n >= 1), `--max-pages must be >= 1`)
    yield* check(allows(a.rps, (n) => n > 0 && n <= 1_000_000), `--rps must be greater than 0 (and at most 1000000)`)
    yield* check(allows(a.burst, (n) => n >= 1), `--burst must be >= 1`)
    yield* check(allows(a.concurrency, (n) => n >= 1 && n <= 100), `--concurrency must be between 1 and 100`)
    yield* check(allows(a.refreshLimit, (n) => n >= 0), `--refresh-limit must be >= 0`)
    yield* check(a.staleAfterDays >= 0 && a.staleAfterDays <= 36_500, `--stale-after-days must be between 0 and 36500, got ${a.staleAfterDays}`)
    yield* check(allows(a.leaseSeconds, (n) => n >= 2 && n <= 3600), `--lease-seconds must be between 2 and 3600`)
    const target = yield* targetOf(a.db)
    yield* check(target._tag === "postgres" || Option.isNone(a.leaseSeconds), "--lease-seconds applies to a postgres:// database only")
    const redis = redisOf(a.redis)
    yield* check(
      redis === undefined || /^rediss?:\/\/./i.test(redis),
      `--redis must be a redis:// or rediss:// URL${Option.isSome(a.redis) ? "" : " (from TMDB_REDIS_URL)"}`
    )
    const append = Option.isSome(a.append) ? checkAppend(a.append.value.split(",")) : undefined
    if (append !== undefined && Either.isLeft(append)) return yield* new UsageError({ message: `--append: ${append.left.message}` })
    return a.all
      ? { startYear: undefined, endYear: undefined, append: append?.right, target, redis } satisfies Checked
      : { startYear, endYear, append: append?.right, target, redis } satisfies Checked
  })

/** One line for any failure a person can cause. Never the key, never a stack trace. */
export const describeFailure = (error: unknown): string => {
  if (error instanceof UsageError) return error.message
  if (error instanceof DatabaseError) return error.message
  if (error instanceof ExportError) return error.message
  if (ConfigError.isConfigError(error)) {
    const text = String(error)
    if (text.includes("TMDB_API_KEY")) return "TMDB_API_KEY is not set: set TMDB_API_KEY (v3 key) or TMDB_READ_ACCESS_TOKEN (v4 token)"
    return `invalid configuration: ${text.replace(/\s+/g, " ")}`
  }
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const tagged = error as { _tag: string; message?: string }
    if (tagged._tag === "UnauthorizedError") {
      // The token wins when both are set (src/Config.ts).
      const where = (process.env["TMDB_READ_ACCESS_TOKEN"] ?? "").trim() !== "" ? "the token in TMDB_READ_ACCESS_TOKEN" : "the key in TMDB_API_KEY"
      return `TMDB refused ${where}: ${tagged.message ?? "HTTP 401"}`
    }
    if (tagged._tag === "NotFoundError") {
      // Fatal only when nothing else came back: the very first request of a run.
      const url = redactSecret("")(process.env["TMDB_BASE_URL"] ?? "https://api.themoviedb.org/3")
      return `TMDB answered 404 for ${(tagged as { path?: string }).path ?? "the first request"}: is ${url} TMDB's API (it ends in /3)?`
    }
    // Its message shows host:port, never the URL's password.
    if (tagged._tag === "RedisError") return tagged.message ?? "Redis failed"
    if (tagged._tag === "TransportError" || tagged._tag === "TimeoutError" || tagged._tag === "ServerError") {
      const url = redactSecret("")(process.env["TMDB_BASE_URL"] ?? "https://api.themoviedb.org/3")
      return `cannot reach TMDB at ${url}: ${tagged.message ?? tagged._tag}`
    }
    return `${tagged._tag}: ${tagged.message ?? ""}`
  }
  return String(error)
}

// The run's modules (HTTP, SQL, the services) load only once the flags are valid, so `--help`
// and a usage error start without them (BENCHMARKS.md, memory: start-up).
const loadRun = Effect.promise(() => import("./Run.js"))
const collect = (a: Parsed) =>
  a.renormalize
    ? Effect.flatMap(targetOf(a.db), (target) => Effect.flatMap(loadRun, (run) => run.renormalize(a, target)))
    : Effect.flatMap(validate(a), (checked) => Effect.flatMap(loadRun, (run) => run.collect(a, checked)))

/** What a person sees when a signal stops the run; the entry point prints it. */
export const INTERRUPTED = "Interrupted: finished work is saved. Run the same command again to resume."

export const collectCommand = Command.make("collect", options, collect).pipe(
  Command.withDescription(
    "Collect TMDB movies into SQLite: discover by year (or read the daily ID export with --all), then fetch new, changed and stale details"
  )
)

const app = { name: "tmdb-collector", version: "0.3.0" }
const run = Command.run(collectCommand, app)

/** The CLI over `argv` (runtime, script, arguments); `--help` gets the page from ./Help.ts. */
export const cli = (argv: ReadonlyArray<string>) =>
  wantsHelp(argv.slice(2)) ? Console.log(helpText(collectCommand, app, colourFor(process.stdout, process.env))) : run(argv)

/** The exit code for the CLI's result: its own on success, 130 when interrupted, 1 or 2 on failure. */
export const exitCodeOf = (exit: Exit.Exit<unknown, unknown>): number =>
  Exit.match(exit, {
    onSuccess: () => (typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok),
    onFailure: (cause) =>
      Cause.isInterruptedOnly(cause)
        ? ExitCode.interrupted
        : Option.match(Cause.failureOption(cause), {
          onNone: () => ExitCode.fatal,
          onSome: (e) => e instanceof UsageError || ValidationError.isValidationError(e) || ConfigError.isConfigError(e) ? ExitCode.usage : ExitCode.fatal
        })
  })
