import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Exit } from "effect"
import { main } from "./ExportCli.js"
import { exitCodeOf } from "./Outcome.js"

// `npm run export`: the entry point. The command, its help page and its one-line failures are
// in ./ExportCli.ts (main), which tests also run in their own process. Here it runs under Node's
// runtime, which interrupts it on SIGINT or SIGTERM (exit 130); every other ending is the exit
// code main returns: 0 exported, 1 a database or folder that cannot be used, 2 bad input.
NodeRuntime.runMain(main(process.argv), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    const result = exit as Exit.Exit<number, unknown>
    onExit(Exit.isSuccess(result) ? result.value : exitCodeOf(result))
  }
})
