import { ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Option } from "effect"
import { cli, describeFailure, exitCodeOf } from "../src/Cli.js"

const main = cli(process.argv).pipe(
  Effect.tapErrorCause((cause) =>
    Cause.isInterruptedOnly(cause)
      ? Effect.void
      : Option.match(Cause.failureOption(cause), {
        // @effect/cli has already printed its own parse errors.
        onSome: (e) => (ValidationError.isValidationError(e) ? Effect.void : Console.error(describeFailure(e))),
        onNone: () => Console.error(`internal error: ${Cause.squash(cause)}`)
      })
  ),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(main, { disableErrorReporting: true, teardown: (exit, onExit) => onExit(exitCodeOf(exit)) })
