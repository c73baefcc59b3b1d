import { type Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect } from "effect"
import { DEFAULT_APPEND, MAX_APPEND } from "../src/Appended.js"
import { DEFAULT_DB } from "../src/Database.js"
import { DEFAULT_BURST, DEFAULT_LEASE_SECONDS, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND, DEFAULT_STALE_AFTER_DAYS } from "../src/Defaults.js"
import { DEFAULT_MIN_VOTE_COUNT } from "../src/Discover.js"

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

// @effect/cli's help shows no default of its own for a plain value, so each description says it.
export const options = {
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
  // No defaults here: unset, they come from TMDB_RPS / TMDB_BURST / TMDB_MAX_CONCURRENT (src/Config.ts).
  rps: decimal("rps", "RATE").pipe(
    Options.optional,
    Options.withDescription(`Requests per second (a number; default: TMDB_RPS, else ${DEFAULT_REQUESTS_PER_SECOND})`)
  ),
  burst: integer("burst", "TOKENS").pipe(
    Options.optional,
    Options.withDescription(`Token bucket capacity (an integer; default: TMDB_BURST, else ${DEFAULT_BURST})`)
  ),
  concurrency: integer("concurrency", "REQUESTS").pipe(
    Options.optional,
    Options.withDescription(`Requests in flight at most (an integer; default: TMDB_MAX_CONCURRENT, else ${DEFAULT_MAX_CONCURRENT})`)
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

/** The flags as parsed, before they are checked together. */
export type Parsed = Command.Command.ParseConfig<typeof options>
