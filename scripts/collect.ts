import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Exit, Layer, Logger, Option } from "effect"
import { cli, describeFailure, exitCodeOf, logLevelFromEnv } from "./Cli.js"

// Logs go to stderr (stdout carries --json); TMDB_LOG_LEVEL=debug shows every request and retry.
const LoggingLive = Layer.merge(
  Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)),
  Logger.minimumLogLevel(logLevelFromEnv(process.env["TMDB_LOG_LEVEL"]))
)

// Every failure a person can cause ends as one line on stderr and an exit code, never a trace.
const main = cli(process.argv).pipe(
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
  Effect.provide(Layer.merge(NodeContext.layer, LoggingLive))
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    const result = exit as Exit.Exit<number, unknown>
    onExit(Exit.isSuccess(result) && result.value >= 0 ? result.value : exitCodeOf(result))
  }
})
