import * as path from "node:path"
import { describe, expect, it } from "vitest"
import type { Sandbox } from "../sandbox/index.js"
import { readDb, runCli, startCli, tmpDir, waitFor } from "./support/cli.js"
import { cliEnv, expectExact, sandboxes } from "./support/sandbox.js"
import { collect } from "./support/workflow.js"

// A real SQLite file against the sandbox on 127.0.0.1: the real CLI process where the process is
// the subject (the end-to-end run, a SIGKILL), the workflow in this process elsewhere.

const sandbox = sandboxes()
const env = cliEnv

const detailRequests = (s: Sandbox) => s.counters.byEndpoint["movie"] ?? 0

describe("collect CLI against the sandbox", () => {
  it("a clean run stores every movie exactly; a rerun makes no detail request", async () => {
    const s = await sandbox({ catalogue: { seed: 11, startYear: 2019, endYear: 2021, perYear: 70 }, latencyMs: 5 })
    const db = path.join(tmpDir(), "movies.sqlite")
    const args = ["--start-year", "2019", "--end-year", "2021", "--rps", "300", "--burst", "30", "--db", db, "--json"]
    const first = await runCli(args, env(s))
    expect(first.stderr).toContain("Collection complete")
    expect(first.code).toBe(0)
    const summary = JSON.parse(first.stdout)
    const truth = expectExact(db, s, { startYear: 2019, endYear: 2021 })
    expect(summary).toEqual(expect.objectContaining({ discovered: truth.length, new: truth.length, detailsFetched: truth.length, complete: true }))
    // Economy: one details request per movie, plus the discover pages.
    expect(detailRequests(s)).toBe(truth.length)

    // The rerun: the workflow in this process (the CLI exits 0 when its summary says complete).
    s.resetCounters()
    const second = await collect(s, db, { startYear: 2019, endYear: 2021 })
    expect(second).toEqual(expect.objectContaining({ complete: true, new: 0, detailsChosen: 0 }))
    expect(detailRequests(s)).toBe(0)
    expectExact(db, s, { startYear: 2019, endYear: 2021 })
    expect(readDb(db).runs.map((r) => r.status)).toEqual(["complete", "complete"])
  })

  it("a kill in the middle, then a rerun, completes with nothing lost and little fetched twice", async () => {
    const s = await sandbox({ catalogue: { seed: 9, startYear: 2019, endYear: 2021, perYear: 100 }, latencyMs: 20, jitterMs: 10 })
    const db = path.join(tmpDir(), "killed.sqlite")
    const args = ["--start-year", "2019", "--end-year", "2021", "--rps", "100", "--burst", "10", "--concurrency", "10", "--db", db]
    const cli = startCli(args, env(s))
    await waitFor(() => s.counters.detailsServed.size >= 120)
    cli.child.kill("SIGKILL")
    const killed = await cli.done
    expect(killed.signal).toBe("SIGKILL")
    // The rerun: the same workflow, in this process, faster (the pace is not what is counted);
    // it takes over the dead process's lock.
    await collect(s, db, { startYear: 2019, endYear: 2021 })
    const truth = expectExact(db, s, { startYear: 2019, endYear: 2021 })
    const twice = [...s.counters.detailsServed.values()].filter((n) => n >= 2).length
    expect(s.counters.detailsServed.size).toBe(truth.length)
    expect(twice).toBeLessThanOrEqual(10 + 10)
  })
})

describe("the workflow against the sandbox, on SQLite", () => {
  it("a year with more than 10,000 movies is stored whole, and no request asks for a page above 500", async () => {
    const s = await sandbox({ catalogue: { seed: 5, startYear: 2023, endYear: 2023, perYear: { 2023: 12_500 } } })
    const truth = s.groundTruth({ startYear: 2023, endYear: 2023 })
    expect(truth.length).toBeGreaterThan(10_000)
    const db = path.join(tmpDir(), "big.sqlite")
    const summary = await collect(s, db, { startYear: 2023, endYear: 2023, refreshLimit: 0 }, { client: { requestsPerSecond: 2000, burst: 100 } })
    // What makes the CLI exit 0 rather than 3: every window listed all it holds.
    expect(summary).toEqual(expect.objectContaining({ complete: true, missing: 0 }))
    const pages = s.counters.discoverPages.map((p) => p.page)
    expect(Math.max(...pages)).toBeLessThanOrEqual(500)
    const { movies } = readDb(db)
    expect(movies.length).toBe(truth.length)
    const byId = new Map(movies.map((m) => [m.tmdb_id, m]))
    for (const t of truth) {
      const row = byId.get(t.tmdbId)
      expect(
        row && {
          tmdbId: row.tmdb_id,
          title: row.title,
          releaseDate: row.release_date,
          voteAverage: row.vote_average,
          voteCount: row.vote_count,
          popularity: row.popularity
        }
      ).toEqual(t.discovered)
    }
    // Request economy: data pages + the page-1 probes of windows that were split.
    expect(pages.length).toBeLessThanOrEqual(Math.ceil(truth.length / 20) + 20)
  })

  it("a crowded year whose ties TMDB reshuffles on every request is stored whole, in under 3x the fewest requests", async () => {
    // About 3,000 movies, 10% of them on January 1, with no vote threshold: page borders cut
    // runs of same-day ties everywhere, and each request sees them in a new order.
    const s = await sandbox({
      unstableOrder: true,
      catalogue: { seed: 21, startYear: 2022, endYear: 2022, perYear: 3_000, includeFixtures: false, crowdedDayFraction: 0.1 }
    })
    const truth = s.groundTruth({ startYear: 2022, endYear: 2022, minVoteCount: 0 })
    expect(truth.length).toBeGreaterThan(2_500)
    const db = path.join(tmpDir(), "crowded.sqlite")
    const summary = await collect(s, db, { startYear: 2022, endYear: 2022, minVoteCount: 0, refreshLimit: 0 }, {
      client: { requestsPerSecond: 2000, burst: 100 }
    })
    const stored = readDb(db).movies.map((m) => m.tmdb_id).sort((a, b) => a - b)
    expect(stored).toEqual(truth.map((t) => t.tmdbId).sort((a, b) => a - b))
    expect(summary).toEqual(expect.objectContaining({ discovered: truth.length, complete: true, missing: 0, incomplete: [] }))
    // Reading it again in pieces costs requests, but within a small multiple of the fewest possible.
    const fewest = Math.ceil(truth.length / 20)
    expect(s.counters.byEndpoint["discover"]).toBeLessThanOrEqual(3 * fewest)
  })
})
