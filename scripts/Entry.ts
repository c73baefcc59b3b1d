import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { type Effect, Exit } from "effect"
import { exitCodeOf } from "./Outcome.js"

/**
 * Runs a CLI's `main` (its exit code) as the process, under Node's runtime, which interrupts it on
 * SIGINT or SIGTERM (exit 130). Failures print their own line in `main`: the runtime adds none.
 */
export const runEntry = (main: Effect.Effect<number>) =>
  NodeRuntime.runMain(main, {
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      const result = exit as Exit.Exit<number, unknown>
      onExit(Exit.isSuccess(result) ? result.value : exitCodeOf(result))
    }
  })
