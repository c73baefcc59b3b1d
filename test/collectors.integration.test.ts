import { spawn } from "node:child_process"
import * as net from "node:net"
import { describe, expect, it } from "vitest"
import type { Sandbox } from "../sandbox/index.js"
import { formatSummary } from "../scripts/Progress.js"
import type { CollectionSummary } from "../src/Collection.js"
import { sleep, startCli } from "./support/cli.js"
import { cliEnv, expectExactRows, sandboxes } from "./support/sandbox.js"
import { connect, databases, readPg, REDIS_URL, requireServer } from "./support/services.js"
import { collect, type RunSettings } from "./support/workflow.js"

// Many collectors on one PostgreSQL database (README "Many collectors"), the machine's
// PostgreSQL, the sandbox on 127.0.0.1. Collectors run in this process, each with its own layers
// (its own run, limiter and budget membership), as separate processes would; a real CLI process
// runs where a SIGKILL is the subject.

const pgUp = await requireServer("PostgreSQL", "the many-collectors tests")
const redisUp = pgUp && (await requireServer("Redis", "the many-collectors tests with a shared budget"))

/** A Redis of the test's own on a free port, to kill mid-run. */
const ownRedis = async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" })
  const end = Date.now() + 10_000
  while (Date.now() < end) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy()
        resolve(true)
      }).on("error", () => resolve(false))
    })
    if (up) break
    await sleep(50)
  }
  return { url: `redis://127.0.0.1:${port}`, kill: () => child.kill("SIGKILL") }
}
const sandbox = sandboxes()
const database = databases()

const YEARS = { startYear: 2019, endYear: 2021 }
/** Movies TMDB served more than once, and how many times over. */
const servedTwice = (s: Sandbox) => [...s.counters.detailsServed.values()].reduce((n, times) => n + times - 1, 0)
/** Discover pages asked for more than once (the same window and page). */
const pagesTwice = (s: Sandbox) => {
  const keys = s.counters.discoverPages.map((p) => `${p.gte}..${p.lte}#${p.page}`)
  return keys.length - new Set(keys).size
}
/** `n` collectors started together with the same settings, each to its end. */
const together = (n: number, s: Sandbox, url: string, settings: RunSettings | ((i: number) => RunSettings)) =>
  Promise.all(Array.from({ length: n }, (_, i) => collect(s, url, YEARS, typeof settings === "function" ? settings(i) : settings)))
const expectComplete = (summaries: ReadonlyArray<CollectionSummary>) => {
  for (const r of summaries) expect(formatSummary(r)).toContain("Collection complete")
}

describe.skipIf(!pgUp)("many collectors on one PostgreSQL database", () => {
  it("three collectors started with the same settings do the work once, and the database equals the truth", async () => {
    // TMDB's limit for one IP, shared by three collectors on it: each takes a third.
    const s = await sandbox({ catalogue: { seed: 31, ...YEARS, perYear: 40 }, latencyMs: 10, rateLimit: { rps: 40, burst: 10 } })
    const { url } = await database("three")
    const results = await together(3, s, url, { client: { requestsPerSecond: 12, burst: 3 } })
    expectComplete(results)
    for (const r of results) expect(formatSummary(r)).toMatch(/shared +generation \d+: this collector did /)
    const stored = await readPg(url)
    const truth = expectExactRows(stored, s, YEARS)
    expect(servedTwice(s)).toBe(0)
    expect(pagesTwice(s)).toBe(0)
    expect(s.counters.byEndpoint["movie"]).toBe(truth.length)
    expect(s.counters.rateLimited).toBe(0)
    // Each did a share: together, every movie once.
    const fetched = results.map((r) => r.detailsFetched)
    expect(fetched.reduce((a, b) => a + b, 0)).toBe(truth.filter((t) => t.details !== null).length)
    expect(fetched.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2)
    // collection_runs shows all three, in one generation.
    expect(stored.runs.map((r) => r.status)).toEqual(["complete", "complete", "complete"])
    expect(new Set(stored.runs.map((r) => r.generation)).size).toBe(1)
    expect(stored.runs.map((r) => r.id).sort()).toEqual(results.map((r) => r.runId).sort())
  })

  it("a collector killed mid-run loses nothing: the others take over its work once its leases expire", async () => {
    const s = await sandbox({ catalogue: { seed: 32, ...YEARS, perYear: 40 }, latencyMs: 10, rateLimit: { rps: 60, burst: 15 } })
    const { url } = await database("killed")
    const rates = { requestsPerSecond: 15, burst: 3, maxConcurrent: 5 }
    // The collector to kill is a real process: a SIGKILL runs no finalizer, releases no claim.
    const args = ["--start-year", "2019", "--end-year", "2021", "--rps", "15", "--burst", "3", "--concurrency", "5", "--lease-seconds", "2", "--db", url]
    const victim = startCli(args, cliEnv(s))
    // Killed once its details are under way and it holds leases on movies still to fetch; not restarted.
    const pg = await connect(url)
    try {
      const holding = async () => {
        const held = await pg.query(
          `SELECT 1 FROM detail_leases l JOIN collection_runs r ON r.id = l.run_id JOIN movies m ON m.tmdb_id = l.tmdb_id
           WHERE l.expires_at > now() AND m.details_fetched_at IS NULL AND r.collector LIKE $1`,
          [`% ${victim.child.pid} %`]
        ).catch(() => ({ rowCount: 0 }))
        return (held.rowCount ?? 0) > 0 && (s.counters.byEndpoint["movie"] ?? 0) >= 10
      }
      const end = Date.now() + 60_000
      while (!(await holding()) && Date.now() < end) await sleep(20)
      expect(await holding()).toBe(true)
      // As if it ran on another machine: its pid tells the others nothing, only its silence does,
      // so its work passes on when its leases expire.
      const moved = await pg.query("UPDATE collection_runs SET collector = 'another-machine 1 elsewhere' WHERE collector LIKE $1", [
        `% ${victim.child.pid} %`
      ])
      expect(moved.rowCount).toBe(1)
    } finally {
      await pg.end()
    }
    // The others go faster than the victim did (50 of the sandbox's 60 req/s between them): their
    // pace is not what is counted, the victim's refetched movies are.
    const others = together(2, s, url, { client: { ...rates, requestsPerSecond: 25 }, leaseSeconds: 2 })
    const killedAt = s.counters.byEndpoint["movie"] ?? 0
    victim.child.kill("SIGKILL")
    const killed = await victim.done
    expect(killed.signal).toBe("SIGKILL")
    expectComplete(await others)
    const stored = await readPg(url)
    // 0 lost: the database equals the truth.
    expectExactRows(stored, s, YEARS)
    // Fetched twice: at most what the killed collector had in flight (its concurrency).
    console.log(`[figure] collectors: one of three SIGKILLed after ${killedAt} detail requests; ${servedTwice(s)} movies fetched twice (limit 5), 0 lost`)
    expect(servedTwice(s)).toBeLessThanOrEqual(5)
    expect(stored.runs.map((r) => r.status).sort()).toEqual(["abandoned", "complete", "complete"])
    expect(new Set(stored.runs.map((r) => r.generation)).size).toBe(1)
  })

  it.skipIf(!redisUp)("with --redis, --rps is the total: three collectors at --rps 40 against TMDB's 40 get no 429, and do the work once", async () => {
    const s = await sandbox({ catalogue: { seed: 33, ...YEARS, perYear: 40 }, latencyMs: 10, rateLimit: { rps: 40, burst: 10 } })
    const { url } = await database("redis")
    // The budget is named after the TMDB host: this sandbox's port keeps it apart from other tests'.
    const results = await together(3, s, url, { client: { requestsPerSecond: 40, burst: 5 }, redis: REDIS_URL })
    expectComplete(results)
    for (const r of results) expect(formatSummary(r)).toMatch(/in a budget shared with [12] other collectors? in Redis/)
    const truth = expectExactRows(await readPg(url), s, YEARS)
    console.log(
      `[figure] collectors: 3 sharing a Redis budget of 40 req/s: ${s.counters.requests} requests, ${s.counters.rateLimited} answered 429, ${
        servedTwice(s)
      } movies fetched twice`
    )
    expect(s.counters.rateLimited).toBe(0)
    expect(servedTwice(s)).toBe(0)
    expect(s.counters.byEndpoint["movie"]).toBe(truth.length)
  })

  it.skipIf(!redisUp)("Redis going away mid-run: each collector says so in one line and goes on at its share; nothing is lost", async () => {
    const s = await sandbox({ catalogue: { seed: 34, ...YEARS, perYear: 40 }, latencyMs: 10, rateLimit: { rps: 40, burst: 10 } })
    const { url } = await database("redisgone")
    const redis = await ownRedis()
    try {
      const logs: Array<Array<string>> = [[], [], []]
      const runs = together(3, s, url, (i) => ({ client: { requestsPerSecond: 40, burst: 5 }, redis: redis.url, log: (l) => logs[i]!.push(l) }))
      const end = Date.now() + 60_000
      while ((s.counters.byEndpoint["movie"] ?? 0) < 30 && Date.now() < end) await sleep(20)
      redis.kill()
      const results = await runs
      results.forEach((r, i) => {
        expect(logs[i]!.filter((l) => /Redis at 127\.0\.0\.1:\d+ is unreachable/.test(l))).toHaveLength(1)
        expect(formatSummary(r)).toContain("its own share after Redis went away")
      })
      expectComplete(results)
      expectExactRows(await readPg(url), s, YEARS)
      // Within the budget: each at 40 ÷ 3.
      expect(s.counters.rateLimited).toBe(0)
      expect(servedTwice(s)).toBe(0)
    } finally {
      redis.kill()
    }
  })

  it("with --all, a collector killed while it reads the export and the changes: another takes them over; nothing is left unread", async () => {
    // Every API request takes 1.5 s: the changes are read long enough to be killed reading them.
    const s = await sandbox({ catalogue: { seed: 35, startYear: 2020, endYear: 2021, perYear: 15 }, latencyMs: 1_500 })
    const { url } = await database("takeover")
    const env = cliEnv(s, { TMDB_FILES_URL: s.filesUrl })
    const args = ["--all", "--rps", "50", "--burst", "10", "--lease-seconds", "3", "--db", url, "--json"]
    const first = startCli(args, env)
    // Killed once it holds the export and changes (the catalogue unit), before it is done.
    const end = Date.now() + 60_000
    let holding = false
    while (!holding && Date.now() < end) {
      await sleep(50)
      const c = await connect(url)
      try {
        const claims = await c.query("SELECT 1 FROM work_claims WHERE unit LIKE '%:catalogue' AND done_at IS NULL").catch(() => ({ rowCount: 0 }))
        holding = (claims.rowCount ?? 0) > 0
      } finally {
        await c.end()
      }
    }
    expect(holding).toBe(true)
    // With 30 in flight, the survivor's details take one round of the 1.5 s latency, not three.
    const second = collect(s, url, { all: true }, { client: { requestsPerSecond: 50, burst: 10, maxConcurrent: 30 }, leaseSeconds: 3 })
    first.child.kill("SIGKILL")
    const [killed, survivor] = await Promise.all([first.done, second])
    expect(killed.signal).toBe("SIGKILL")
    expect(survivor.complete).toBe(true)
    expect(formatSummary(survivor)).toMatch(/this collector did catalogue/)
    expect(formatSummary(survivor)).toMatch(/changes +\d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d: /)
    const stored = await readPg(url)
    const truth = s.exportTruth({})
    expect(stored.movies.filter((m) => m.details_fetched_at !== null).map((m) => m.tmdb_id)).toEqual(truth.map((t) => t.tmdbId))
    const c = await connect(url)
    try {
      expect((await c.query("SELECT name FROM sync_marks ORDER BY name")).rows.map((r) => r.name)).toEqual([
        "changes",
        "collection:exports_since",
        "collection:linked",
        "company:exports_since",
        "company:linked",
        "exports_since"
      ])
    } finally {
      await c.end()
    }
    expect(stored.runs.map((r) => r.status)).toEqual(["abandoned", "complete"])
  })
})
