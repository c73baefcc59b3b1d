import { describe, expect, it } from "vitest"
import { startCli, waitFor } from "./support/cli.js"
import { cliEnv, expectExactRows, sandboxes } from "./support/sandbox.js"
import { databases, readPg, requireServer } from "./support/services.js"

// Issue 25 §1: on PostgreSQL, watchers started together share the work as collectors do: their
// runs join one generation, and each movie is fetched by one of them.

const pgUp = await requireServer("PostgreSQL", "the watchers on PostgreSQL")
// 600 movies at 100 req/s: six seconds of work, so both are surely at it together.
const sandbox = sandboxes({ catalogue: { seed: 59, startYear: 2020, endYear: 2020, perYear: 600 }, latencyMs: 5 })
const database = databases()
const QUERY = { startYear: 2020, endYear: 2020, minVoteCount: 0 }
const YEAR = ["--start-year", "2020", "--end-year", "2020", "--min-vote-count", "0", "--rps", "100", "--burst", "10", "--json"]

describe.skipIf(!pgUp)("--watch on PostgreSQL", () => {
  it("two watchers share their first runs' work, each movie fetched once, and both go on", async () => {
    const s = await sandbox()
    const db = await database("watchers")
    const watchers = [0, 1].map(() => startCli([...YEAR, "--db", db.url, "--watch", "--every", "2s"], cliEnv(s)))
    const stderr = ["", ""]
    watchers.forEach((w, i) => w.child.stderr!.on("data", (d: Buffer) => (stderr[i] += d.toString())))
    await waitFor(() => stderr.every((e) => (e.match(/Next run at/g) ?? []).length >= 2))
    for (const w of watchers) w.child.kill("SIGTERM")
    const done = await Promise.all(watchers.map((w) => w.done))
    for (const d of done) expect([0, 130]).toContain(d.code)
    const first = done.map((d) => JSON.parse(d.stdout.trim().split("\n")[0]!) as { runId: number; kinds: { movie: { detailsFetched: number } } })
    const stored = await readPg(db.url)
    expectExactRows(stored, s, QUERY)
    // Both fetched in their first runs, and together each movie once.
    const fetched = first.map((f) => f.kinds.movie.detailsFetched)
    expect(Math.min(...fetched)).toBeGreaterThan(0)
    expect(fetched[0]! + fetched[1]!).toBe(stored.movies.length)
    const generations = new Set(stored.runs.filter((r) => first.some((f) => f.runId === r.id)).map((r) => r.generation))
    expect(generations.size).toBe(1)
  })
})
