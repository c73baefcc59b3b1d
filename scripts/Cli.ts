import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Cause, Console, Effect, Exit, Layer, Logger, Option } from "effect"
import { targetOf, validate } from "./Checks.js"
import { options, type Parsed } from "./Flags.js"
import { colourFor, helpText, wantsHelp } from "./Help.js"
import { logLevelSetting } from "./LogLevel.js"
import { describeFailure, exitCodeOf } from "./Outcome.js"

// The run's modules (HTTP, SQL, the services) load only once the flags are valid, so `--help`
// and a usage error start without them (BENCHMARKS.md, memory: start-up).
const loadRun = Effect.promise(() => import("./Run.js"))
const collect = (a: Parsed) =>
  a.renormalize
    ? Effect.flatMap(targetOf(a.db), (target) => Effect.flatMap(loadRun, (run) => run.renormalize(a, target)))
    : Effect.flatMap(validate(a), (checked) => Effect.flatMap(loadRun, (run) => run.collect(a, checked)))

const collectCommand = Command.make("collect", options, collect).pipe(
  Command.withDescription(
    "Collect TMDB movies into SQLite: discover by year (or read the daily ID export with --all), then fetch new, changed and stale details"
  )
)

const app = { name: "tmdb-collector", version: "0.3.0" }
const run = Command.run(collectCommand, app)

/** The command over `argv` (runtime, script, arguments); `--help` gets the page from ./Help.ts. */
const cli = (argv: ReadonlyArray<string>) =>
  wantsHelp(argv.slice(2)) ? Console.log(helpText(collectCommand, app, colourFor(process.stdout, process.env))) : run(argv)

// Logs go to stderr (stdout carries --json); --log-level debug or TMDB_LOG_LEVEL=debug shows
// every request and retry.
const Logging = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

/**
 * The CLI over `argv` (runtime, script, arguments), with `logLevel` as TMDB_LOG_LEVEL: its exit
 * code. Every failure a person can cause is printed as one line on stderr (Console), never a
 * trace; only an interruption is left to the caller (exit 130).
 */
export const main = (argv: ReadonlyArray<string>, logLevel: string | undefined): Effect.Effect<number> =>
  Effect.gen(function*() {
    const [runtime, script, ...rest] = argv
    const { args, level } = yield* logLevelSetting(rest, logLevel)
    yield* cli([runtime!, script!, ...args]).pipe(Logger.withMinimumLogLevel(level))
    // A run that ends on its own terms sets its code (3: incomplete) in process.exitCode.
    return exitCodeOf(Exit.void)
  }).pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.failCause(cause as Cause.Cause<never>) // an interruption only: no error in it
        : Effect.as(
          Option.match(Cause.failureOption(cause), {
            // @effect/cli has already printed its own parse errors.
            onSome: (e) => (ValidationError.isValidationError(e) ? Effect.void : Console.error(describeFailure(e))),
            onNone: () => Console.error(`internal error: ${describeFailure(Cause.squash(cause))}`)
          }),
          exitCodeOf(Exit.failCause(cause))
        )
    ),
    Effect.provide(Layer.merge(NodeContext.layer, Logging))
  )
