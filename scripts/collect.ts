import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Exit, Layer, Logger, Option } from "effect"
import * as fs from "node:fs"
import { cli, describeFailure, ExitCode, exitCodeOf, INTERRUPTED } from "./Cli.js"
import { logLevelSetting } from "./LogLevel.js"

// A terminal's Ctrl-C reaches every process in the foreground group, and the wrappers relay it
// too (npm to tsx, tsx to this process). tsx's wrapper SIGKILLs a child that has not acknowledged
// a relayed signal within 30 ms, twice over, and the clean-up after a signal runs 60-80 ms without
// yielding to the event loop; its preflight also exits at once on a signal that nobody listens to,
// and the runtime listens for the first only. So the hint is written synchronously the moment the
// first signal arrives, and this listener stays to the end. A signal more than a second later is
// a person pressing again: quit at once.
let running = true
let firstSignalAt: number | undefined
const onSignal = () => {
  if (!running) return
  if (firstSignalAt === undefined) {
    firstSignalAt = Date.now()
    // A live progress line has no newline yet.
    fs.writeSync(2, `${process.stderr.isTTY ? "\n" : ""}${INTERRUPTED}\n`)
  } else if (Date.now() - firstSignalAt > 1_000) {
    process.exit(ExitCode.interrupted)
  }
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)

// Logs go to stderr (stdout carries --json); --log-level debug or TMDB_LOG_LEVEL=debug shows
// every request and retry.
const Logging = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

// Every failure a person can cause ends as one line on stderr and an exit code, never a trace.
const main = Effect.gen(function*() {
  const [runtime, script, ...rest] = process.argv
  const { args, level } = yield* logLevelSetting(rest, process.env["TMDB_LOG_LEVEL"])
  yield* cli([runtime!, script!, ...args]).pipe(Logger.withMinimumLogLevel(level))
}).pipe(
  Effect.as(-1),
  Effect.catchAllCause((cause) =>
    Cause.isInterruptedOnly(cause)
      ? Effect.failCause(cause)
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

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    running = false
    const result = exit as Exit.Exit<number, unknown>
    onExit(Exit.isSuccess(result) && result.value >= 0 ? result.value : exitCodeOf(result))
  }
})
