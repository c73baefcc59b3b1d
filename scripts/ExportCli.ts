import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Console, Effect, Layer, Option, Schema } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { PgLive } from "../layers/Pg.js"
import { SqlLive } from "../layers/Sql.js"
import { DatasetWriter } from "../services/DatasetWriter.js"
import { DatabaseError, DEFAULT_DB } from "../src/Database.js"
import { DatasetError, ExportFormat } from "../src/Dataset.js"
import { targetOf } from "./Checks.js"
import { cliMain } from "./CliMain.js"
import { BUILT_INS, flagsOf } from "./FlagSet.js"
import { type FlagHelp, flagRows, type HelpPage } from "./Help.js"
import { databasesBeside, noDefaultDatabase } from "./NoDatabase.js"
import { describeFailure, ExitCode, UsageError } from "./Outcome.js"

// `npm run export`: the movies with details as Kaggle's TMDB 5000 dataset, and the collections,
// companies and people they name. scripts/export.ts runs it.

// Parsed here rather than by Options.choice, so a bad value is one line that names its flag.
const format = Options.text("format").pipe(
  Options.withPseudoName("csv|jsonl"),
  Options.mapEffect((raw) =>
    Schema.is(ExportFormat)(raw)
      ? Effect.succeed(raw)
      : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--format must be csv or jsonl, got '${raw}'`)))
  )
)

const options = {
  format,
  out: Options.text("out").pipe(Options.withPseudoName("DIR")),
  db: Options.text("db").pipe(Options.withPseudoName("PATH|URL"), Options.optional)
}

const flagHelp: { readonly [K in keyof typeof options]: FlagHelp } = {
  format: { text: "csv, or jsonl: one JSON object a line", required: "" },
  out: { text: "folder for tmdb_5000_movies, tmdb_5000_credits, collections, collection_parts, companies and people, created if missing", required: "" },
  db: { text: "SQLite file, or postgres:// URL, to read", default: DEFAULT_DB }
}

type Parsed = Command.Command.ParseConfig<typeof options>

const check = (ok: boolean, message: string) => (ok ? Effect.void : Effect.fail(new UsageError({ message })))

const exportMovies = (a: Parsed) =>
  Effect.gen(function*() {
    yield* check(a.out.trim() !== "", "--out must name a folder")
    const target = yield* targetOf(a.db)
    // SqlLive creates a missing database, which an export must never do.
    if (target._tag === "sqlite" && !fs.existsSync(target.path)) {
      // The default, neither --db nor TMDB_DATABASE_URL: say which databases there are.
      const chosen = Option.isSome(a.db) || (process.env["TMDB_DATABASE_URL"] ?? "").trim() !== ""
      const message = chosen ? `no database at ${target.path}` : noDefaultDatabase(target.path, databasesBeside(target.path))
      return yield* new DatabaseError({ problem: "cannot_open", path: target.path, message })
    }
    const sql = target._tag === "sqlite" ? SqlLive(target.path) : PgLive(target.url, target.display)
    const result = yield* DatasetWriter.run({ format: a.format, dir: a.out }).pipe(
      Effect.provide(DatasetWriter.Default.pipe(Layer.provide(sql)))
    )
    yield* Console.error(`exported ${result.movies} movies to ${a.out} (${result.files.map((file) => nodePath.basename(file)).join(", ")})`)
  })

const exportCommand = Command.make("export", options, exportMovies)

const app = { name: "tmdb-collector export", version: "0.3.0" }

const exportPage: HelpPage = {
  title: `${app.name} ${app.version}: the collected movies as Kaggle's TMDB 5000 dataset`,
  about: "Writes the movies whose details were fetched as tmdb_5000_movies and tmdb_5000_credits, in the dataset's columns, "
    + "so notebooks written for it run on a fresh copy, and the collections, companies and people they name as collections, "
    + "collection_parts, companies and people, in the tables' columns. Files appear only when complete.",
  usage: ["npm run export -- --format csv|jsonl --out DIR [--db PATH|URL]"],
  flags: flagRows(options, flagHelp),
  environment: [
    ["TMDB_DATABASE_URL", "--db when it is not given"],
    ["NO_COLOR", "set: no colour in this help"]
  ],
  exitCodes: [
    [ExitCode.ok, "exported: one line says how many movies, where, and the files"],
    [ExitCode.fatal, "the database cannot be read, or the folder cannot be written (one line)"],
    [ExitCode.usage, "bad input: one line names the flag"],
    [ExitCode.interrupted, "interrupted (Ctrl-C): no half-written file is left"]
  ],
  examples: [
    "# The demo's movies (npm run demo), as CSV, into ./kaggle",
    "npm run export -- --format csv --out kaggle --db data/demo.sqlite",
    "# What npm run collect wrote to ./data/movies.sqlite, as JSON Lines",
    "npm run export -- --format jsonl --out out",
    "# From a PostgreSQL database",
    "npm run export -- --format csv --out out --db postgres://localhost/tmdb"
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
