import { Effect, Exit, Schedule, Scope } from "effect"
import { describe, expect, it } from "vitest"
import { acquireCollectorLock } from "../layers/Lock.js"
import { readDb, startCli, tmpDir, waitFor } from "./support/cli.js"
import { cliEnv, sandboxes } from "./support/sandbox.js"

// `npm run collect -- ... --watch` as users start it (the bundle): a signal while it sleeps ends
// it at once with exit 0; a run that fails for a reason that may pass costs that run (a run that
// TMDB does not answer is incomplete, not failed: its changes and details are tried next run); a
// refused key ends the watch in one line.

const sandbox = sandboxes({ catalogue: { seed: 43, startYear: 2020, endYear: 2020, perYear: 30 } })
const YEAR = ["--start-year", "2020", "--end-year", "2020", "--min-vote-count", "0", "--rps", "500", "--burst", "50"]

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "")

describe("npm run collect -- --watch", () => {
  it("sleeps between runs, and SIGTERM then ends it at once with exit 0", async () => {
    const s = await sandbox()
    const db = `${tmpDir("watch-")}/movies.sqlite`
    const cli = startCli([...YEAR, "--db", db, "--watch", "--every", "1h", "--json"], cliEnv(s))
    let stderr = ""
    cli.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
    await waitFor(() => /Next run at \d\d:\d\d:\d\d UTC\.\n/.test(stderr))
    const asleep = Date.now()
    cli.child.kill("SIGTERM")
    const done = await cli.done
    expect(done.code).toBe(0)
    expect(Date.now() - asleep).toBeLessThan(5_000)
    expect(lines(done.stderr).at(-1)).toBe("Stopped between runs.")
    // The run before it is recorded and complete, and its summary went to stdout.
    expect(readDb(db).runs.map((r) => r.status)).toEqual(["complete"])
    expect(JSON.parse(lines(done.stdout)[0]!)).toMatchObject({ complete: true, runId: 1 })
  })

  it("a run that cannot have the database (another collector holds it) costs that run; the next, once it is free, completes", async () => {
    const s = await sandbox()
    const db = `${tmpDir("watch-")}/movies.sqlite`
    const cli = startCli([...YEAR, "--db", db, "--watch", "--every", "3s"], cliEnv(s))
    let stderr = ""
    cli.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
    await waitFor(() => /Next run at/.test(stderr))
    // Another collector (a cron job on the same file) takes it while the watch sleeps; on a loaded
    // machine the watch may be in its next run already, and the lock is taken once that one ends.
    const scope = Effect.runSync(Scope.make())
    await Effect.runPromise(Scope.extend(acquireCollectorLock(db), scope).pipe(Effect.retry(Schedule.spaced("50 millis"))))
    await waitFor(() => /Next try at/.test(stderr))
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await waitFor(() => (stderr.match(/Next run at/g) ?? []).length >= 2)
    expect(cli.child.exitCode).toBeNull()
    cli.child.kill("SIGTERM")
    const done = await cli.done
    expect(done.code).toBe(0)
    expect(lines(done.stderr).find((l) => l.startsWith("Run failed: "))).toMatch(
      /^Run failed: database .* is in use by another collector \(pid \d+, .*\); wait for it to finish\. Next try at \d\d:\d\d:\d\d UTC\.$/
    )
    expect(readDb(db).runs.map((r) => r.status).every((status) => status === "complete")).toBe(true)
  })

  it("a refused key ends the watch in one line, exit 1", async () => {
    const s = await sandbox()
    const db = `${tmpDir("watch-")}/movies.sqlite`
    const done = await startCli([...YEAR, "--db", db, "--watch"], cliEnv(s, { TMDB_API_KEY: "wrong-key" })).done
    expect(done.code).toBe(1)
    expect(lines(done.stderr).at(-1)).toMatch(/^TMDB refused the key in TMDB_API_KEY/)
    expect(done.stderr).not.toMatch(/Next (run|try) at/)
  })
})
