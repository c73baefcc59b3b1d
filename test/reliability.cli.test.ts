import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { readDb, sleep, startCli, tmpDir, waitFor } from "./support/cli.js"
import { cliEnv, expectExact } from "./support/sandbox.js"
import { withSandbox } from "./support/sandboxHttp.js"
import { collect } from "./support/workflow.js"

// Issue 6 §6: the real CLI process against the sandbox, a real SQLite file, where the process is
// the subject: signals (SIGKILL is test/reliability.crash.test.ts's). The rerun that completes the
// work is the workflow in this process: what it proves is what the signal left in the file.
// Throttling and outages are the workflow's, tested in process on TestClock
// (test/workflow.reliability.test.ts). Each test prints the figures it measured as `[figure] ...`
// lines.

const figure = (text: string) => console.log(`[figure] ${text}`)

// Side by side: each waits a second after its signal, with a sandbox, a file and a process of its own.
describe.concurrent("signals", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal}: no new request, finished work saved, exit 130 within 10 s with a resume hint; a rerun completes`, () =>
      // 128 movies: the signal comes half way, after 60, with requests in flight (40 ms each).
      withSandbox({ catalogue: { seed: 13, startYear: 2019, endYear: 2021, perYear: 50 }, latencyMs: 40, jitterMs: 20 }, async (s) => {
        const db = path.join(tmpDir(), "signal.sqlite")
        const args = ["--start-year", "2019", "--end-year", "2021", "--rps", "100", "--burst", "10", "--db", db]
        const cli = startCli(args, cliEnv(s))
        await waitFor(() => s.counters.detailsServed.size >= 60, 90_000)
        const servedAtSignal = s.counters.detailsServed.size
        let exitedAt = 0
        cli.child.once("exit", () => (exitedAt = Date.now()))
        const sent = Date.now()
        cli.child.kill(signal)
        // Requests granted just before the signal may still be on their way for a moment.
        await sleep(1_000)
        const requestsSoonAfter = s.counters.requests
        const run = await cli.done
        const exitMs = exitedAt - sent
        const requestsAfter = s.counters.requests - requestsSoonAfter
        const stored = readDb(db).movies.filter((m) => m.details_fetched_at !== null).length
        figure(
          `${signal}: exit ${run.code} after ${exitMs} ms; ${requestsAfter} requests after +1 s; ${stored} details stored, ${servedAtSignal} served at the signal`
        )
        expect(run.code).toBe(130)
        expect(exitMs).toBeLessThan(10_000)
        expect(run.stderr).toContain("Run the same command again to resume")
        expect(run.stderr).not.toMatch(/\n\s+at /)
        expect(requestsAfter).toBe(0)
        // Everything served before the signal was stored, but at most the requests then in flight.
        expect(stored).toBeGreaterThanOrEqual(servedAtSignal - 10)
        expect(readDb(db).runs.at(-1)?.status).toBe("interrupted")
        // The CLI exits 0 when the summary says complete.
        expect((await collect(s, db, { startYear: 2019, endYear: 2021 })).complete).toBe(true)
        expectExact(db, s, { startYear: 2019, endYear: 2021 })
      }))
  }
})
