import { describe, expect, it } from "vitest"
import { sleep, startCli, waitFor } from "./support/cli.js"
import { cliEnv, expectExactRows, sandboxes } from "./support/sandbox.js"
import { connect, databases, readPg, requireServer } from "./support/services.js"

// Issue 25 §4: PostgreSQL drops a collector's connections in the middle of its work, as a
// failover or an administrator's pg_terminate_backend does. The collector opens new ones and
// carries on; nothing is lost and nothing is fetched twice.

const pgUp = await requireServer("PostgreSQL", "the dropped-connection test")
const sandbox = sandboxes({ catalogue: { seed: 31, startYear: 2020, endYear: 2020, perYear: 600 }, latencyMs: 5 })
const database = databases()
const QUERY = { startYear: 2020, endYear: 2020, minVoteCount: 0 }
const YEAR = ["--start-year", "2020", "--end-year", "2020", "--min-vote-count", "0", "--rps", "500", "--burst", "50", "--concurrency", "10"]

/** pg_terminate_backend of every connection the collectors hold on `database`: how many. */
const terminate = async (admin: Awaited<ReturnType<typeof connect>>, database: string) => {
  const killed = await admin.query(
    `WITH victims AS MATERIALIZED (SELECT pid FROM pg_stat_activity
       WHERE datname = $1 AND application_name = 'tmdb-collector' AND pid <> pg_backend_pid())
     SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM victims`,
    [database]
  )
  return Number(killed.rows[0].n)
}

describe.skipIf(!pgUp)("PostgreSQL drops the collector's connections", () => {
  it("pg_terminate_backend while it writes: it reconnects and completes, the store equals TMDB's, and a rerun fetches nothing again", async () => {
    const s = await sandbox()
    const db = await database("dropped")
    const run = startCli([...YEAR, "--db", db.url], cliEnv(s))
    const admin = await connect(db.url)
    let terminated = 0
    try {
      while (s.counters.detailsServed.size < 50) await sleep(10)
      // Ten times, 50 ms apart, while details are written: some land inside a transaction.
      for (let i = 0; i < 10 && run.child.exitCode === null; i++) {
        terminated += await terminate(admin, db.name)
        await sleep(50)
      }
    } finally {
      await admin.end()
    }
    const done = await run.done
    expect(terminated).toBeGreaterThan(0)
    expect(done.stderr).not.toMatch(/internal error|SqlError/)
    expect(done.code, done.stderr).toBe(0)
    expect(done.stderr).toContain("PostgreSQL dropped the connection: trying again on a new one, for up to a minute")
    expectExactRows(await readPg(db.url), s, QUERY)
    expect([...s.counters.detailsServed.values()].filter((n) => n > 1)).toEqual([])

    const served = s.counters.received["movie"]?.count ?? 0
    const rerun = await startCli([...YEAR, "--db", db.url], cliEnv(s)).done
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(s.counters.received["movie"]?.count ?? 0).toBe(served)
  })

  it("in --watch, dropped connections cost no run: every run completes, and the store equals TMDB's", async () => {
    const s = await sandbox()
    const db = await database("dropped_watch")
    const run = startCli([...YEAR, "--db", db.url, "--watch", "--every", "1s"], cliEnv(s))
    let stderr = ""
    run.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
    const admin = await connect(db.url)
    let terminated = 0
    try {
      // Through the first run's details and the next runs, every 100 ms for 4 s.
      while (s.counters.detailsServed.size < 50) await sleep(10)
      for (let i = 0; i < 40 && run.child.exitCode === null; i++) {
        terminated += await terminate(admin, db.name)
        await sleep(100)
      }
      await waitFor(() => (stderr.match(/Next run at/g) ?? []).length >= 3)
    } finally {
      await admin.end()
    }
    expect(run.child.exitCode).toBeNull()
    run.child.kill("SIGTERM")
    expect([0, 130]).toContain((await run.done).code)
    expect(terminated).toBeGreaterThan(0)
    expect(stderr).not.toMatch(/Run failed|internal error/)
    const stored = await readPg(db.url)
    expectExactRows(stored, s, QUERY)
    expect(stored.runs.filter((r) => r.status !== "complete" && r.status !== "interrupted")).toEqual([])
  })
})
