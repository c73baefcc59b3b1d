import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Layer, Logger, Option, Schema } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { PgLive } from "../layers/Pg.js"
import { SqlLive } from "../layers/Sql.js"
import { DatasetWriter } from "../services/DatasetWriter.js"
import { DatabaseError, DEFAULT_DB } from "../src/Database.js"
import { DatasetError, ExportFormat } from "../src/Dataset.js"
import { targetOf } from "./Checks.js"
import { colourFor, helpText, wantsHelp } from "./Help.js"
import { describeFailure, exitCodeOf, UsageError } from "./Outcome.js"

// Parsed here rather than by Options.choice, so a bad value is one line that names its flag.
const format = Options.text("format").pipe(
  Options.withPseudoName("csv|jsonl"),
  Options.mapEffect((raw) =>
    Schema.is(ExportFormat)(raw)
      ? Effect.succeed(raw)
      : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--format must be csv or jsonl, got '${raw}'`)))
  ),
  Options.withDescription("csv, or jsonl (one JSON object a line)")
)

const options = {
  format,
  out: Options.text("out").pipe(
    Options.withPseudoName("DIR"),
    Options.withDescription("Folder for tmdb_5000_movies and tmdb_5000_credits (created if missing)")
  ),
  db: Options.text("db").pipe(
    Options.withPseudoName("PATH|URL"),
    Options.optional,
    Options.withDescription(`SQLite database file, or postgres:// URL, to read (default: TMDB_DATABASE_URL, else ${DEFAULT_DB})`)
  )
}

type Parsed = Command.Command.ParseConfig<typeof options>

const check = (ok: boolean, message: string) => (ok ? Effect.void : Effect.fail(new UsageError({ message })))

const exportMovies = (a: Parsed) =>
  Effect.gen(function*() {
    yield* check(a.out.trim() !== "", "--out must name a folder")
    const target = yield* targetOf(a.db)
    // SqlLive creates a missing database, which an export must never do.
    if (target._tag === "sqlite" && !fs.existsSync(target.path)) {
      return yield* new DatabaseError({ problem: "cannot_open", path: target.path, message: `no database at ${target.path}` })
    }
    const sql = target._tag === "sqlite" ? SqlLive(target.path) : PgLive(target.url, target.display)
    const result = yield* DatasetWriter.run({ format: a.format, dir: a.out }).pipe(
      Effect.provide(DatasetWriter.Default.pipe(Layer.provide(sql)))
    )
    yield* Console.error(`exported ${result.movies} movies to ${a.out} (${result.files.map((file) => nodePath.basename(file)).join(", ")})`)
  })

const exportCommand = Command.make("export", options, exportMovies).pipe(
  Command.withDescription("Export the movies with details as Kaggle's TMDB 5000 dataset: tmdb_5000_movies and tmdb_5000_credits")
)

const app = { name: "tmdb-collector export", version: "0.3.0" }
const run = Command.run(exportCommand, app)

// Logs (the migrations') go to stderr, as the collector's do.
const Logging = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

const describe = (error: unknown) => (error instanceof DatasetError ? error.message : describeFailure(error))

// Every failure a person can cause ends as one line on stderr and an exit code, never a trace.
const main = Effect.suspend(() =>
  wantsHelp(process.argv.slice(2)) ? Console.log(helpText(exportCommand, app, colourFor(process.stdout, process.env))) : run(process.argv)
).pipe(
  Effect.tapErrorCause((cause) =>
    Cause.isInterruptedOnly(cause) ? Effect.void : Option.match(Cause.failureOption(cause), {
      // @effect/cli has already printed its own parse errors.
      onSome: (e) => (ValidationError.isValidationError(e) ? Effect.void : Console.error(describe(e))),
      onNone: () => Console.error(`internal error: ${describe(Cause.squash(cause))}`)
    })
  ),
  Effect.provide(Layer.merge(NodeContext.layer, Logging))
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(exitCodeOf(exit))
})
