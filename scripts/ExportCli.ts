import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Console, Effect, Layer, Option, Schema } from "effect"
import * as fs from "node:fs"
import { PgLive } from "../layers/Pg.js"
import { SqlLive } from "../layers/Sql.js"
import { DatasetWriter } from "../services/DatasetWriter.js"
import { DatabaseError, DEFAULT_DB } from "../src/Database.js"
import { DatasetError, ExportFormat } from "../src/Dataset.js"
import { targetOf } from "./Checks.js"
import { cliMain } from "./CliMain.js"
import { exportProgress, summaryLine } from "./ExportProgress.js"
import { BUILT_INS, flagsOf } from "./FlagSet.js"
import { type FlagHelp, flagRows, type HelpPage } from "./Help.js"
import { databasesBeside, noDefaultDatabase } from "./NoDatabase.js"
import { describeFailure, ExitCode, UsageError } from "./Outcome.js"

// `npm run export`: the movies with details as Kaggle's TMDB 5000 dataset, and the collections,
// companies and people they name. scripts/export.ts runs it.

// Parsed here rather than by Options.choice, so a bad value is one line that names its flag.
const format = Options.text("format").pipe(
  Options.withPseudoName("FORMAT"),
  Options.mapEffect((raw) =>
    Schema.is(ExportFormat)(raw)
      ? Effect.succeed(raw)
      : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--format must be csv, jsonl or parquet, got '${raw}'`)))
  )
)

const options = {
  format,
  out: Options.text("out").pipe(Options.withPseudoName("DIR")),
  db: Options.text("db").pipe(Options.withPseudoName("PATH|URL"), Options.optional),
  includeRemoved: Options.boolean("include-removed")
}

const flagHelp: { readonly [K in keyof typeof options]: FlagHelp } = {
  format: {
    text: "parquet: every table, typed, one file each; csv or jsonl (one JSON object a line): Kaggle's TMDB 5000 two files, "
      + "and the collections, companies and people",
    required: ""
  },
  out: { text: "a new or empty folder for the files and DICTIONARY.md, created if missing; one that holds anything is refused", required: "" },
  db: { text: "SQLite file, or postgres:// URL, to read", default: DEFAULT_DB },
  includeRemoved: { text: "parquet: keep what TMDB has removed (removed_at set), and its rows", default: "left out" }
}

type Parsed = Command.Command.ParseConfig<typeof options>

const check = (ok: boolean, message: string) => (ok ? Effect.void : Effect.fail(new UsageError({ message })))

const exportMovies = (a: Parsed) =>
  Effect.gen(function*() {
    yield* check(a.out.trim() !== "", "--out must name a folder")
    yield* check(
      !a.includeRemoved || a.format === "parquet",
      "--include-removed needs --format parquet: TMDB 5000's files have no column that tells a removed movie"
    )
    const target = yield* targetOf(a.db)
    // SqlLive creates a missing database, which an export must never do.
    if (target._tag === "sqlite" && !fs.existsSync(target.path)) {
      // The default, neither --db nor TMDB_DATABASE_URL: say which databases there are.
      const chosen = Option.isSome(a.db) || (process.env["TMDB_DATABASE_URL"] ?? "").trim() !== ""
      const message = chosen ? `no database at ${target.path}` : noDefaultDatabase(target.path, databasesBeside(target.path))
      return yield* new DatabaseError({ problem: "cannot_open", path: target.path, message })
    }
    const sql = target._tag === "sqlite" ? SqlLive(target.path) : PgLive(target.url, target.display)
    const started = Date.now()
    const progress = exportProgress()
    const result = yield* DatasetWriter.run({ format: a.format, dir: a.out, includeRemoved: a.includeRemoved, onProgress: progress.report }).pipe(
      Effect.provide(DatasetWriter.Default.pipe(Layer.provide(sql))),
      Effect.ensuring(Effect.sync(progress.stop))
    )
    yield* Console.error(summaryLine(a.out, a.format, result, Date.now() - started))
  })

const exportCommand = Command.make("export", options, exportMovies)

const app = { name: "tmdb-collector export", version: "0.3.0" }

const exportPage: HelpPage = {
  title: `${app.name} ${app.version}: the collected store as files an analyst opens`,
  about: "As parquet: every table of the store (movies, its child tables, movie_metrics_history, movie_overview, collections, collection_parts, "
    + "companies, people) as a typed Parquet file that pandas, polars, R and DuckDB read as it is. As csv or jsonl: the movies "
    + "whose details were fetched as Kaggle's TMDB 5000 (tmdb_5000_movies, tmdb_5000_credits), so notebooks written for it "
    + "run on a fresh copy, and the collections, companies and people as they are. DICTIONARY.md beside them says what "
    + "every column means. Files appear only when all are complete; progress goes to stderr.",
  usage: ["npm run export -- --format parquet|csv|jsonl --out DIR [--db PATH|URL] [flags]"],
  flags: flagRows(options, flagHelp),
  environment: [
    ["TMDB_DATABASE_URL", "--db when it is not given"],
    ["NO_COLOR", "set: no colour in this help"]
  ],
  exitCodes: [
    [ExitCode.ok, "exported: one line says how many movies and rows, where, the files and how long it took"],
    [ExitCode.fatal, "the database cannot be read, or the folder cannot be written or already holds files (one line)"],
    [ExitCode.usage, "bad input: one line names the flag"],
    [ExitCode.interrupted, "interrupted (Ctrl-C): no half-written file is left"]
  ],
  examples: [
    "# The demo's store as typed Parquet files, for pandas, polars, R or DuckDB",
    "npm run export -- --format parquet --out parquet --db data/demo.sqlite",
    "# The same movies as Kaggle's TMDB 5000 CSV files, into ./kaggle",
    "npm run export -- --format csv --out kaggle --db data/demo.sqlite",
    "# From a PostgreSQL database, as JSON Lines",
    "npm run export -- --format jsonl --out out --db postgres://localhost/tmdb"
  ]
}

/** Every flag the export takes: its own, then the built-ins it keeps. */
export const exportFlags = [...flagsOf(Options.all(options)), ...BUILT_INS]

const describe = (error: unknown) => (error instanceof DatasetError ? error.message : describeFailure(error))

/**
 * The export over `argv` (runtime, script, arguments): its exit code, with every failure a
 * person can cause as one line on stderr. Only an interruption is left to the caller (exit 130).
 */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<number> =>
  cliMain({ page: exportPage, flags: exportFlags, help: "npm run export -- --help", run: Command.run(exportCommand, app), describe }, argv, undefined)
