import { ConfigProvider, Console, Effect, type Fiber, RuntimeFlags, RuntimeFlagsPatch, Supervisor } from "effect"
import * as path from "node:path"
import { main } from "../scripts/Cli.js"
import { API_KEY } from "./helpers.js"
import { collectArgs, parseSummary } from "./processes.js"

// Fiber operations per detail request of a whole run, counted by a supervisor that sees every
// step of every fiber the run starts (the runtime's OpSupervision flag). Unlike CPU time, the
// count does not depend on what else the machine is doing, so a change to the per-request path
// shows in it at once. Counted in this process, on the CLI's own `main`: the same program the
// bundle runs, without a process start.

class OperationCounter extends Supervisor.AbstractSupervisor<number> {
  operations = 0
  /** Operations by the innermost span they ran under: which part of the program did the work. */
  readonly bySpan = new Map<string, number>()
  readonly value = Effect.sync(() => this.operations)
  override onEffect(fiber: Fiber.RuntimeFiber<unknown, unknown>) {
    this.operations++
    const span = fiber.currentSpan
    const name = span?._tag === "Span" ? span.name : "(no span)"
    this.bySpan.set(name, (this.bySpan.get(name) ?? 0) + 1)
  }
}

/** A run of `main` with `args` against `baseUrl`: its operations, and the requests its summary counts. */
export const countOperations = async (baseUrl: string, args: ReadonlyArray<string>) => {
  const counter = new OperationCounter()
  const stdout: Array<string> = []
  const line = (parts: ReadonlyArray<unknown>) => void stdout.push(parts.map(String).join(" "))
  const env = new Map([["TMDB_API_KEY", API_KEY], ["TMDB_BASE_URL", baseUrl]])
  const exitCode = process.exitCode
  const code = await Effect.runPromise(Effect.flatMap(Effect.console, (console) => {
    // The summary line is kept; progress and logs are not the benchmark's output.
    const quiet: Console.Console = {
      ...console,
      log: (...parts) => Effect.sync(() => line(parts)),
      error: () => Effect.void,
      unsafe: { ...console.unsafe, log: (...parts) => line(parts), error: () => {} }
    }
    return main(["node", "collect.ts", ...args], "error").pipe(
      Console.withConsole(quiet),
      Effect.withConfigProvider(ConfigProvider.fromMap(env)),
      Effect.supervised(counter),
      Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision))
    )
  }))
  process.exitCode = exitCode
  const requests = Number(parseSummary(stdout.join("\n"))?.["requests"])
  if (code !== 0 || !(requests > 0)) throw new Error(`in-process run exited ${code} with ${requests} requests`)
  const bySpan = new Map([...counter.bySpan].map(([name, n]) => [name, n / requests]))
  return { operations: counter.operations, requests, perRequest: counter.operations / requests, bySpan }
}

/** The arguments of one mode's counted run: `year`'s movies into a fresh database in `dir`. */
export const countedArgs = (dir: string, name: string, year: number, rps: number, burst: number, concurrency: number) =>
  collectArgs({ startYear: year, endYear: year, db: path.join(dir, `ops-${name}.sqlite`), rps, burst, concurrency })
