import { ConfigProvider, Console, Effect } from "effect"
import { main } from "../../scripts/Cli.js"

// The CLI's own program in the test's process: a process start costs about a second of CPU,
// which what the CLI parses and checks need not pay.

interface InProcessResult {
  readonly code: number
  readonly stdout: string
  /** What it printed on stderr, its log lines included. */
  readonly stderr: string
}

/**
 * `main` of scripts/Cli.ts, which the entry point runs: the same command, checks, error lines
 * and logger, over `args`, with `logLevel` as TMDB_LOG_LEVEL. `env` is the configuration it reads
 * (TMDB_API_KEY, TMDB_BASE_URL, ...), none of this process's. What it prints through Effect's
 * Console is captured; a run's live progress still goes to this process's stderr.
 */
export const runInProcess = (
  args: ReadonlyArray<string>,
  options: { readonly logLevel?: string; readonly env?: Record<string, string> } = {}
): Promise<InProcessResult> => captured(main(["node", "collect.ts", ...args], options.logLevel), options.env)

/**
 * `program`, a CLI's `main` over its arguments, in this process, with `env` as the configuration
 * it reads: its exit code and what it printed through Effect's Console.
 */
export const captured = (program: Effect.Effect<number>, env: Record<string, string> = {}): Promise<InProcessResult> =>
  Effect.runPromise(Effect.gen(function*() {
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const text = (parts: ReadonlyArray<unknown>) => `${parts.map(String).join(" ")}\n`
    const console = yield* Effect.console
    const capture: Console.Console = {
      ...console,
      log: (...parts) => Effect.sync(() => void stdout.push(text(parts))),
      error: (...parts) => Effect.sync(() => void stderr.push(text(parts))),
      unsafe: { ...console.unsafe, log: (...parts) => void stdout.push(text(parts)), error: (...parts) => void stderr.push(text(parts)) }
    }
    // A run that ends incomplete sets process.exitCode: it is the CLI's code, not this process's.
    const exitCode = process.exitCode
    const code = yield* program.pipe(
      Console.withConsole(capture),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.ensuring(Effect.sync(() => (process.exitCode = exitCode)))
    )
    return { code, stdout: stdout.join(""), stderr: stderr.join("") }
  }))
