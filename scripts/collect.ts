import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Exit, Layer, Logger, Option } from "effect"
import { cli, describeFailure, exitCodeOf } from "./Cli.js"
import { logLevelSetting } from "./LogLevel.js"

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
    const result = exit as Exit.Exit<number, unknown>
    onExit(Exit.isSuccess(result) && result.value >= 0 ? result.value : exitCodeOf(result))
  }
})
