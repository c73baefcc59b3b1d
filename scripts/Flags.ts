import { type Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect } from "effect"
import { DEFAULT_APPEND, MAX_APPEND } from "../src/Appended.js"
import { DEFAULT_DB } from "../src/Database.js"
import { DEFAULT_BURST, DEFAULT_LEASE_SECONDS, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_STALE_AFTER_DAYS } from "../src/Defaults.js"
import { DEFAULT_MIN_VOTE_COUNT } from "../src/Discover.js"
import type { FlagHelp } from "./Help.js"

/** How often `--watch` starts a run, unless `--every` says. */
export const DEFAULT_EVERY = "1h"

// The collector's flags, as @effect/cli parses them. What they must be together is checked
// after parsing (./Checks.ts).

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

// The parser's flags; what each does is in `flagHelp` below, which the help page (./CollectHelp.ts) shows.
export const options = {
  startYear: integer("start-year", "YEAR").pipe(Options.optional),
  all: Options.boolean("all"),
  minPopularity: decimal("min-popularity", "SCORE").pipe(Options.optional),
  includeAdult: Options.boolean("include-adult"),
  includeVideo: Options.boolean("include-video"),
  people: Options.boolean("people"),
  endYear: integer("end-year", "YEAR").pipe(Options.optional),
  minVoteCount: integer("min-vote-count", "VOTES").pipe(Options.optional),
  maxPages: integer("max-pages", "PAGES").pipe(Options.optional),
  // No defaults here: unset, they come from TMDB_RPS / TMDB_BURST / TMDB_MAX_CONCURRENT (src/Config.ts).
  rps: decimal("rps", "RATE").pipe(Options.optional),
  burst: integer("burst", "TOKENS").pipe(Options.optional),
  concurrency: integer("concurrency", "REQUESTS").pipe(Options.optional),
  refreshLimit: integer("refresh-limit", "MOVIES").pipe(Options.optional),
  staleAfterDays: integer("stale-after-days", "DAYS").pipe(Options.withDefault(DEFAULT_STALE_AFTER_DAYS)),
  db: Options.text("db").pipe(Options.withPseudoName("PATH|URL"), Options.optional),
  redis: Options.text("redis").pipe(Options.withPseudoName("URL"), Options.optional),
  leaseSeconds: integer("lease-seconds", "SECONDS").pipe(Options.optional),
  append: Options.text("append").pipe(Options.withPseudoName("LIST"), Options.optional),
  renormalize: Options.boolean("renormalize"),
  watch: Options.boolean("watch"),
  every: Options.text("every").pipe(Options.withPseudoName("INTERVAL"), Options.optional),
  json: Options.boolean("json")
}

/** The flags as parsed, before they are checked together. */
export type Parsed = Command.Command.ParseConfig<typeof options>

/**
 * What each flag does, in the order the help lists them: what to collect, how fast, where to.
 * Every flag of `options` has its row (the type says so), and each default is stated here once;
 * the environment variables that replace a default are on the page's list (./CollectHelp.ts).
 */
export const flagHelp: { readonly [K in keyof typeof options]: FlagHelp } = {
  startYear: { text: "first release year", required: "unless --all or --renormalize" },
  endYear: { text: "last release year", default: "this year" },
  all: { text: "every movie of TMDB's daily ID export, not discover" },
  minPopularity: { text: "with --all: lines at least this popular", default: "0" },
  includeAdult: { text: "adult titles too (with --all, the adult export too)" },
  includeVideo: { text: "\"video\" releases too" },
  people: { text: "every person the movies credit too, one request each (collections and companies always)" },
  minVoteCount: { text: "discover's vote_count.gte", default: String(DEFAULT_MIN_VOTE_COUNT) },
  maxPages: { text: "discover pages per year at most", default: "no limit" },
  refreshLimit: { text: "details fetched at most; 0 = discover only", default: "no limit" },
  staleAfterDays: { text: "fetch details older than this again", default: String(DEFAULT_STALE_AFTER_DAYS) },
  append: { text: `what each details request appends, comma-separated, at most ${MAX_APPEND}`, default: DEFAULT_APPEND.join(",") },
  rps: { text: "requests per second", default: String(DEFAULT_REQUESTS_PER_SECOND) },
  burst: { text: "token bucket capacity", default: String(DEFAULT_BURST) },
  concurrency: { text: "requests in flight at most", default: String(DEFAULT_MAX_CONCURRENT) },
  db: { text: "SQLite file, or postgres://user@host:port/db", default: DEFAULT_DB },
  leaseSeconds: { text: "PostgreSQL: how long a dead collector's claimed work waits before others take it", default: String(DEFAULT_LEASE_SECONDS) },
  redis: { text: "redis://host:port: one request budget for every collector on it", default: "none" },
  renormalize: { text: "rebuild derived tables from stored payloads, offline" },
  watch: { text: "keep the copy fresh: run on, sleeping between runs" },
  every: { text: "how often --watch runs: 30m, 1h, 1d", default: DEFAULT_EVERY },
  json: { text: "the run summary as one JSON object on stdout" }
}
