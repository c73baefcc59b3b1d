import { Command, Options } from "@effect/cli"
import { Console, Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import { PgLive } from "../layers/Pg.js"
import { SqlReadOnlyLive } from "../layers/Sql.js"
import { StoreStatus } from "../services/StoreStatus.js"
import { DatabaseError, DEFAULT_DB } from "../src/Database.js"
import { DEFAULT_LEASE_SECONDS } from "../src/Defaults.js"
import { WITH_PEOPLE } from "../src/kinds/Kinds.js"
import { targetOf } from "./Checks.js"
import { cliMain } from "./CliMain.js"
import { BUILT_INS, flagsOf } from "./FlagSet.js"
import { type FlagHelp, flagRows, type HelpPage } from "./Help.js"
import { databasesBeside, noDefaultDatabase } from "./NoDatabase.js"
import { describeFailure, ExitCode, UsageError } from "./Outcome.js"
import { statusText } from "./StatusText.js"

// `npm run status`: what the copy holds and how fresh it is. It needs no key and writes nothing:
// SQLite is opened read-only, PostgreSQL in read-only sessions, and neither is migrated.
// scripts/status.ts runs it.

const RUNS = 10

const options = {
  db: Options.text("db").pipe(Options.withPseudoName("PATH|URL"), Options.optional),
  leaseSeconds: Options.integer("lease-seconds").pipe(Options.withPseudoName("SECONDS"), Options.optional),
  json: Options.boolean("json")
}

const flagHelp: { readonly [K in keyof typeof options]: FlagHelp } = {
  db: { text: "SQLite file, or postgres:// URL, to read", default: DEFAULT_DB },
  leaseSeconds: { text: "PostgreSQL: the collectors' --lease-seconds, after which a silent one is dead", default: String(DEFAULT_LEASE_SECONDS) },
  json: { text: "print the status as one JSON object on stdout instead of tables" }
}

type Parsed = Command.Command.ParseConfig<typeof options>

const status = (a: Parsed) =>
  Effect.gen(function*() {
    if (Option.isSome(a.leaseSeconds) && (a.leaseSeconds.value < 2 || a.leaseSeconds.value > 3600)) {
      return yield* new UsageError({ message: `--lease-seconds must be between 2 and 3600, got ${a.leaseSeconds.value}` })
    }
    const target = yield* targetOf(a.db)
    const display = target._tag === "sqlite" ? target.path : target.display
    if (target._tag === "sqlite" && !fs.existsSync(target.path)) {
      // The default, neither --db nor TMDB_DATABASE_URL: say which databases there are.
      const chosen = Option.isSome(a.db) || (process.env["TMDB_DATABASE_URL"] ?? "").trim() !== ""
      return yield* new UsageError({ message: chosen ? `no database at ${target.path}` : noDefaultDatabase(target.path, databasesBeside(target.path)) })
    }
    if (target._tag === "sqlite" && fs.statSync(target.path).isDirectory()) {
      return yield* new DatabaseError({ problem: "is_directory", path: target.path, message: `${target.path} is a directory, not a database file` })
    }
    const sql = target._tag === "sqlite" ? SqlReadOnlyLive(target.path) : PgLive(target.url, target.display, { readOnly: true, maxConnections: 1 })
    const result = yield* StoreStatus.read({ display, kinds: WITH_PEOPLE, runs: RUNS, leaseSeconds: Option.getOrUndefined(a.leaseSeconds) }).pipe(
      Effect.provide(StoreStatus.Default.pipe(Layer.provide(sql))),
      // A PostgreSQL database that does not exist is as missing as a SQLite file that does not (fromPostgres, 3D000).
      Effect.catchIf(
        (e): e is DatabaseError => e instanceof DatabaseError && e.problem === "cannot_open" && /^database .* does not exist/.test(e.message),
        (e) => Effect.fail(new UsageError({ message: e.message }))
      )
    )
    yield* Console.log(a.json ? JSON.stringify({ database: display, ...result }) : statusText(result, display))
  })

const statusCommand = Command.make("status", options, status)

const app = { name: "tmdb-collector status", version: "0.3.0" }

const statusPage: HelpPage = {
  title: `${app.name} ${app.version}: what the copy holds and how fresh it is`,
  about: "For each kind of record (movies, collections, companies, people): how many are stored, with details and removed; "
    + "what the next run fetches and why; coverage of the latest daily export read; the changes mark and how far it is "
    + "behind (TMDB's changes lists reach back 14 days); the age of details; failures, retried or permanent; the last runs. "
    + "On PostgreSQL, the collectors alive and what they hold. It needs no key and never writes.",
  usage: ["npm run status -- [--db PATH|URL] [--lease-seconds SECONDS] [--json]"],
  flags: flagRows(options, flagHelp),
  environment: [
    ["TMDB_DATABASE_URL", "--db when it is not given"],
    ["NO_COLOR", "set: no colour in this help"]
  ],
  exitCodes: [
    [ExitCode.ok, "the status, on stdout"],
    [ExitCode.fatal, "the database cannot be read, or holds no collected data (one line)"],
    [ExitCode.usage, "no such database, or bad input (one line)"]
  ],
  examples: [
    "# The demo's copy",
    "npm run status -- --db data/demo.sqlite",
    "# For a monitor: how many days the movies' changes mark is behind",
    "npm run status -- --json | jq '.kinds[0].changes.lagDays'",
    "# A PostgreSQL store, with the collectors sharing it",
    "npm run status -- --db postgres://localhost/tmdb"
  ]
}

/** Every flag the status takes: its own, then the built-ins it keeps. */
export const statusFlags = [...flagsOf(Options.all(options)), ...BUILT_INS]

/**
 * The status over `argv` (runtime, script, arguments): its exit code, with every failure a person
 * can cause as one line on stderr.
 */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<number> =>
  cliMain(
    { page: statusPage, flags: statusFlags, help: "npm run status -- --help", run: Command.run(statusCommand, app), describe: describeFailure },
    argv,
    undefined
  )
