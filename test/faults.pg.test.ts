import { describe, expect, it } from "vitest"
import { sleep, startCli } from "./support/cli.js"
import { cliEnv, expectExactRows, sandboxes } from "./support/sandbox.js"
import { connect, databases, readPg, requireServer } from "./support/services.js"

// Issue 25 §4: PostgreSQL drops a collector's connections in the middle of its work, as a
// failover or an administrator's pg_terminate_backend does. The collector opens new ones and
// carries on; nothing is lost and nothing is fetched twice.

const pgUp = await requireServer("PostgreSQL", "the dropped-connection test")
const sandbox = sandboxes({ catalogue: { seed: 31, startYear: 2020, endYear: 2020, perYear: 600 }, latencyMs: 5 })
const database = databases()
const YEAR = ["--start-year", "2020", "--end-year", "2020", "--min-vote-count", "0", "--rps", "500", "--burst", "50", "--concurrency", "10"]

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
        const killed = await admin.query(
          `WITH victims AS MATERIALIZED (SELECT pid FROM pg_stat_activity
             WHERE datname = $1 AND application_name = 'tmdb-collector' AND pid <> pg_backend_pid())
           SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM victims`,
          [db.name]
        )
        terminated += Number(killed.rows[0].n)
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
    const query = { startYear: 2020, endYear: 2020, minVoteCount: 0 }
    expectExactRows(await readPg(db.url), s, query)
    expect([...s.counters.detailsServed.values()].filter((n) => n > 1)).toEqual([])

    const served = s.counters.received["movie"]?.count ?? 0
    const rerun = await startCli([...YEAR, "--db", db.url], cliEnv(s)).done
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(s.counters.received["movie"]?.count ?? 0).toBe(served)
  })
})
