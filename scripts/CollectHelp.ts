import { DEFAULT_FILES_URL } from "../src/Catalogue.js"
import { DEFAULT_BASE_URL } from "../src/Config.js"
import { flagHelp, options } from "./Flags.js"
import { flagRows, type HelpPage } from "./Help.js"
import { ExitCode } from "./Outcome.js"

// `npm run collect -- --help`: the collector's page (README "CLI" and "Settings" say the same at
// length). ./Help.ts renders it.

/** The name and version `--version` and the help print. */
export const app = { name: "tmdb-collector", version: "0.3.0" }

export const collectPage: HelpPage = {
  title: `${app.name} ${app.version}: collect TMDB movies into SQLite or PostgreSQL`,
  about: "Discovers movies by year (or reads TMDB's daily ID export), then fetches details of new, changed and stale ones. "
    + "Run it again to resume or to refresh.",
  usage: [
    "npm run collect -- --start-year YEAR [--end-year YEAR] [flags]",
    "npm run collect -- --all [flags]",
    "npm run collect -- --renormalize [--db PATH|URL]",
    "node dist/collect.js [flags]       (what npm run collect runs)"
  ],
  flags: flagRows(options, flagHelp),
  environment: [
    ["TMDB_API_KEY", "TMDB's v3 key, needed to collect (or the v4 token)"],
    ["TMDB_READ_ACCESS_TOKEN", "TMDB's v4 token, sent as Bearer; wins over the key"],
    ["TMDB_BASE_URL", `TMDB's API (default: ${DEFAULT_BASE_URL})`],
    ["TMDB_FILES_URL", `--all's exports; set it with another TMDB_BASE_URL (default: ${DEFAULT_FILES_URL})`],
    ["TMDB_DATABASE_URL", "--db when it is not given"],
    ["TMDB_REDIS_URL", "--redis when it is not given"],
    ["TMDB_APPEND", "--append when it is not given"],
    ["TMDB_RPS, TMDB_BURST, TMDB_MAX_CONCURRENT", "--rps, --burst, --concurrency when not given"],
    ["TMDB_LOG_LEVEL", "--log-level when it is not given"],
    ["TMDB_TIMEOUT, TMDB_RETRIES, TMDB_MAX_PAUSE, TMDB_ADAPTIVE, TMDB_MAX_OUTAGE", "timeouts, retries and pauses: README \"Settings\""],
    ["NO_COLOR", "set: no colour in this help"]
  ],
  exitCodes: [
    [ExitCode.ok, "complete: every chosen movie attempted (failures are in fetch_failures)"],
    [ExitCode.fatal, "fatal: key refused, TMDB or --redis unreachable, database unusable"],
    [ExitCode.usage, "bad input: one line names the flag (or TMDB_API_KEY when no key is set)"],
    [ExitCode.incomplete, "incomplete: pages failed after their retries; run the same command again"],
    [ExitCode.interrupted, "interrupted (Ctrl-C, SIGTERM): finished work is saved; run it again to resume"]
  ],
  examples: [
    "# Movies released from 2020 to 2024, into ./data/movies.sqlite",
    "TMDB_API_KEY=... npm run collect -- --start-year 2020 --end-year 2024",
    "# Daily: the whole catalogue, at most 20,000 detail requests, into PostgreSQL",
    "npm run collect -- --all --refresh-limit 20000 --db postgres://localhost/tmdb",
    "# Offline, against the sandbox (npm run -s sandbox prints its URL)",
    "TMDB_BASE_URL=http://127.0.0.1:PORT/3 TMDB_API_KEY=sandbox-api-key \\",
    "  npm run collect -- --start-year 2022 --db data/sandbox.sqlite"
  ]
}
