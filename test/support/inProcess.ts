import { Console, Effect } from "effect"
import { main } from "../../scripts/Cli.js"

// The CLI's own program in the test's process, for what fails before a run starts: a process
// start costs about a second of CPU, which 25 bad flags need not pay.

export interface InProcessResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * `main` of scripts/Cli.ts, which the entry point runs: the same command, checks and error
 * lines, over `args`, with `logLevel` as TMDB_LOG_LEVEL, and what it prints captured. Nothing
 * here starts TMDB's client or a database unless the flags are valid: give it bad ones.
 */
export const runInProcess = (args: ReadonlyArray<string>, logLevel?: string): Promise<InProcessResult> =>
  Effect.runPromise(Effect.gen(function*() {
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const text = (parts: ReadonlyArray<unknown>) => parts.map(String).join(" ")
    const console = yield* Effect.console
    const captured: Console.Console = {
      ...console,
      log: (...parts) => Effect.sync(() => void stdout.push(`${text(parts)}\n`)),
      error: (...parts) => Effect.sync(() => void stderr.push(`${text(parts)}\n`))
    }
    const code = yield* Console.withConsole(main(["node", "collect.ts", ...args], logLevel), captured)
    return { code, stdout: stdout.join(""), stderr: stderr.join("") }
  }))
