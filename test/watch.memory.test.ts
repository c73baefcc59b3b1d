import { Chunk, ConfigProvider, Console, Effect, Fiber, TestClock, TestContext } from "effect"
import * as path from "node:path"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { describe, expect, it } from "vitest"
import { main } from "../scripts/Cli.js"
import { readDb, tmpDir } from "./support/cli.js"
import { quickTestClock } from "./support/quickClock.js"
import { cliEnv, sandboxes } from "./support/sandbox.js"

// Issue 25 §1: memory stays flat over a watch's runs. The CLI's own program (`main`, with
// --watch) runs in this process against the sandbox, its hours passed on TestClock: 300 runs, each
// with its database opened and closed, its changes read and its share of refreshes fetched.

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void
const heapMB = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed / 1024 / 1024
}

const RUNS = 300
const sandbox = sandboxes({ catalogue: { seed: 47, startYear: 2020, endYear: 2020, perYear: 30 } })

describe("--watch over 300 runs", () => {
  it("keeps its heap flat: within 10% of where it stood after the first 50 runs", async () => {
    const s = await sandbox()
    const db = path.join(tmpDir("watch-mem-"), "movies.sqlite")
    const args = ["--start-year", "2020", "--min-vote-count", "0", "--rps", "100000", "--burst", "100000", "--db", db, "--watch", "--every", "1h"]
    let runs = 0
    const heap: Record<number, number> = {}
    // Each run's progress lines go to this process's stderr: 300 runs of them would bury the report.
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = (() => true) as typeof process.stderr.write
    try {
      await Effect.runPromise(
        Effect.gen(function*() {
          yield* quickTestClock
          yield* TestClock.setTime(Date.now())
          const console = yield* Effect.console
          const counting: Console.Console = {
            ...console,
            log: () => Effect.void,
            error: (...parts) => Effect.sync(() => void (String(parts[0]).startsWith("Next run at") && runs++))
          }
          const program = main(["node", "collect.ts", ...args], "none").pipe(
            Console.withConsole(counting),
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...cliEnv(s), TMDB_FILES_URL: s.filesUrl })))),
            Effect.fork
          )
          const fiber = yield* program
          const realMs = () => Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
          for (let run = 1; run <= RUNS; run++) {
            // The run is real work (SQLite, HTTP), and its limiter and timers wait on the clock:
            // 10 ms of it pass for every real millisecond until the run is done.
            while (runs < run) {
              if (fiber.unsafePoll() !== null) throw new Error(`the watch ended after ${runs} runs`)
              yield* TestClock.adjust("10 millis")
              yield* realMs()
            }
            if (run === 50 || run === RUNS) heap[run] = heapMB()
            // Then the hour it sleeps, once it sleeps.
            const nowMs = yield* TestClock.currentTimeMillis
            while (!Chunk.some(yield* TestClock.sleeps(), (at) => at > nowMs + 60_000)) yield* realMs()
            yield* TestClock.adjust("1 hour")
          }
          yield* Fiber.interrupt(fiber)
        }).pipe(Effect.provide(TestContext.TestContext))
      )
    } finally {
      process.stderr.write = write
    }
    console.log(`[figure] --watch heap after 50 runs ${heap[50]!.toFixed(1)} MB, after ${RUNS} runs ${heap[RUNS]!.toFixed(1)} MB`)
    expect(heap[RUNS]!).toBeLessThanOrEqual(heap[50]! * 1.1)
    const recorded = readDb(db).runs
    expect(recorded.length).toBeGreaterThanOrEqual(RUNS)
    expect(recorded.slice(0, RUNS).every((r) => r.status === "complete")).toBe(true)
  }, 240_000)
})
