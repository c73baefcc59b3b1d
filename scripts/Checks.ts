import { Duration, Effect, Either, Option } from "effect"
import { checkAppend } from "../src/Appended.js"
import { type DatabaseTarget, databaseTarget, DEFAULT_DB } from "../src/Database.js"
import { DEFAULT_EVERY, type Parsed } from "./Flags.js"
import { UsageError } from "./Outcome.js"

// What the flags must be together, checked before anything runs: one line naming the first
// flag that is wrong.

const check = (ok: boolean, message: string) => (ok ? Effect.void : Effect.fail(new UsageError({ message })))
const allows = <A>(o: Option.Option<A>, ok: (a: A) => boolean) => Option.isNone(o) || ok(o.value)

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

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }

// Node's timers, and so Effect's sleep, hold at most 2^31 - 1 ms (24.8 days): a longer sleep would never end.
const LONGEST_EVERY_MS = 24 * 86_400_000

/** `--every`: a number and a unit (s, m or min, h, d), from a second to 24 days; undefined when it is not one. */
const parseEvery = (text: string): Duration.Duration | undefined => {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d)$/.exec(text.trim())
  const ms = m === null ? Number.NaN : Number(m[1]) * UNITS[m[2]!]!
  return Number.isFinite(ms) && ms >= 1_000 && ms <= LONGEST_EVERY_MS ? Duration.millis(ms) : undefined
}

/** The flags of a collection, checked. */
export interface Checked {
  /** Undefined with --all. */
  readonly startYear: number | undefined
  readonly endYear: number | undefined
  readonly append: ReadonlyArray<string> | undefined
  readonly target: DatabaseTarget
  /** The shared budget's URL (it may hold a password), or undefined: this collector's own limiter. */
  readonly redis: string | undefined
  /** `--watch`: how often a run starts; undefined: one run. */
  readonly every: Duration.Duration | undefined
}

/** `--redis`, else TMDB_REDIS_URL; blank is none. */
const redisOf = (given: Option.Option<string>) => {
  const url = Option.getOrElse(given, () => process.env["TMDB_REDIS_URL"] ?? "").trim()
  return url === "" ? undefined : url
}

/** The flags of a collection checked together; the first that is wrong fails as a UsageError. */
export const validate = (a: Parsed) =>
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
    yield* check(a.watch || Option.isNone(a.every), "--every says how often --watch runs: add --watch")
    const every = a.watch ? parseEvery(Option.getOrElse(a.every, () => DEFAULT_EVERY)) : undefined
    yield* check(
      !a.watch || every !== undefined,
      `--every must be an interval from 1s to 24d, such as 30m, 1h or 1d; got '${Option.getOrElse(a.every, () => "")}'`
    )
    const append = Option.isSome(a.append) ? checkAppend(a.append.value.split(",")) : undefined
    if (append !== undefined && Either.isLeft(append)) return yield* new UsageError({ message: `--append: ${append.left.message}` })
    return a.all
      ? { startYear: undefined, endYear: undefined, append: append?.right, target, redis, every } satisfies Checked
      : { startYear, endYear, append: append?.right, target, redis, every } satisfies Checked
  })
