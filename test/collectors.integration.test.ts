import { spawn } from "node:child_process"
import * as net from "node:net"
import { describe, expect, it } from "vitest"
import type { Sandbox } from "../sandbox/index.js"
import { type CliResult, sleep, startCli } from "./support/cli.js"
import { cliEnv, expectExactRows, sandboxes } from "./support/sandbox.js"
import { connect, databases, readPg, REDIS_URL, requireServer } from "./support/services.js"

// Many collectors on one PostgreSQL database (README "Many collectors"): real CLI processes
// started with the same command, the machine's PostgreSQL, the sandbox on 127.0.0.1.

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
const summaries = (results: ReadonlyArray<CliResult>) => results.map((r) => JSON.parse(r.stdout) as { detailsFetched: number; discoverPages: number })

describe.skipIf(!pgUp)("many collectors on one PostgreSQL database", () => {
  it("three collectors started with the same command do the work once, and the database equals the truth", async () => {
    // TMDB's limit for one IP, shared by three collectors on it: each takes a third.
    const s = await sandbox({ catalogue: { seed: 31, ...YEARS, perYear: 70 }, latencyMs: 10, rateLimit: { rps: 40, burst: 10 } })
    const { url } = await database("three")
    const args = ["--start-year", "2019", "--end-year", "2021", "--rps", "12", "--burst", "3", "--db", url, "--json"]
    const results = await Promise.all([0, 1, 2].map(() => startCli(args, cliEnv(s)).done))
    for (const r of results) {
      expect(r.stderr).toContain("Collection complete")
      expect(r.stderr).toMatch(/shared +generation \d+: this collector did /)
      expect(r.code).toBe(0)
    }
    const stored = await readPg(url)
    const truth = expectExactRows(stored, s, YEARS)
    expect(servedTwice(s)).toBe(0)
    expect(pagesTwice(s)).toBe(0)
    expect(s.counters.byEndpoint["movie"]).toBe(truth.length)
    expect(s.counters.rateLimited).toBe(0)
    // Each did a share: together, every movie once.
    const fetched = summaries(results).map((r) => r.detailsFetched)
    expect(fetched.reduce((a, b) => a + b, 0)).toBe(truth.filter((t) => t.details !== null).length)
    expect(fetched.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2)
    // collection_runs shows all three, in one generation.
    expect(stored.runs.map((r) => r.status)).toEqual(["complete", "complete", "complete"])
    expect(new Set(stored.runs.map((r) => r.generation)).size).toBe(1)
    expect(new Set(stored.runs.map((r) => r.collector)).size).toBe(3)
  })

  it("a collector killed mid-run loses nothing: the others take over its work once its leases expire", async () => {
    const s = await sandbox({ catalogue: { seed: 32, ...YEARS, perYear: 70 }, latencyMs: 10, rateLimit: { rps: 40, burst: 10 } })
    const { url } = await database("killed")
    const args = [
      "--start-year",
      "2019",
      "--end-year",
      "2021",
      "--rps",
      "12",
      "--burst",
      "3",
      "--concurrency",
      "5",
      "--lease-seconds",
      "3",
      "--db",
      url,
      "--json"
    ]
    const runs = [0, 1, 2].map(() => startCli(args, cliEnv(s)))
    // Killed once the details are under way, and not restarted.
    const end = Date.now() + 60_000
    while ((s.counters.byEndpoint["movie"] ?? 0) < 60 && Date.now() < end) await sleep(20)
    // As if it ran on another machine: its pid tells the others nothing, only its silence does,
    // so its work passes on when its leases expire.
    const client = await connect(url)
    try {
      const moved = await client.query("UPDATE collection_runs SET collector = 'another-machine 1 elsewhere' WHERE collector LIKE $1", [
        `% ${runs[0]!.child.pid} %`
      ])
      expect(moved.rowCount).toBe(1)
    } finally {
      await client.end()
    }
    const killedAt = s.counters.byEndpoint["movie"] ?? 0
    runs[0]!.child.kill("SIGKILL")
    const [killed, ...others] = await Promise.all(runs.map((r) => r.done))
    expect(killed!.signal).toBe("SIGKILL")
    for (const r of others) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("Collection complete") })
    const stored = await readPg(url)
    // 0 lost: the database equals the truth.
    expectExactRows(stored, s, YEARS)
    // Fetched twice: at most what the killed collector had in flight (its concurrency).
    console.log(`[figure] collectors: one of three SIGKILLed after ${killedAt} detail requests; ${servedTwice(s)} movies fetched twice (limit 5), 0 lost`)
    expect(servedTwice(s)).toBeLessThanOrEqual(5)
    expect(stored.runs.map((r) => r.status).sort()).toEqual(["abandoned", "complete", "complete"])
  })

  it.skipIf(!redisUp)("with --redis, --rps is the total: three collectors at --rps 40 against TMDB's 40 get no 429, and do the work once", async () => {
    const s = await sandbox({ catalogue: { seed: 33, ...YEARS, perYear: 70 }, latencyMs: 10, rateLimit: { rps: 40, burst: 10 } })
    const { url } = await database("redis")
    // The budget is named after the TMDB host: this sandbox's port keeps it apart from other tests'.
    const args = ["--start-year", "2019", "--end-year", "2021", "--rps", "40", "--burst", "5", "--redis", REDIS_URL, "--db", url, "--json"]
    const results = await Promise.all([0, 1, 2].map(() => startCli(args, cliEnv(s)).done))
    for (const r of results) {
      expect(r.stderr).toContain("Collection complete")
      expect(r.stderr).toMatch(/in a budget shared with [12] other collectors? in Redis/)
      expect(r.code).toBe(0)
    }
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
    const s = await sandbox({ catalogue: { seed: 34, ...YEARS, perYear: 70 }, latencyMs: 10, rateLimit: { rps: 40, burst: 10 } })
    const { url } = await database("redisgone")
    const redis = await ownRedis()
    try {
      const args = ["--start-year", "2019", "--end-year", "2021", "--rps", "40", "--burst", "5", "--redis", redis.url, "--db", url, "--json"]
      const runs = [0, 1, 2].map(() => startCli(args, cliEnv(s)))
      const end = Date.now() + 60_000
      while ((s.counters.byEndpoint["movie"] ?? 0) < 60 && Date.now() < end) await sleep(20)
      redis.kill()
      const results = await Promise.all(runs.map((r) => r.done))
      for (const r of results) {
        expect(r.code).toBe(0)
        expect(r.stderr.split("\n").filter((l) => /Redis at 127\.0\.0\.1:\d+ is unreachable/.test(l))).toHaveLength(1)
        expect(r.stderr).toContain("its own share after Redis went away")
      }
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
    const second = startCli(args, env)
    first.child.kill("SIGKILL")
    const [killed, survivor] = await Promise.all([first.done, second.done])
    expect(killed.signal).toBe("SIGKILL")
    expect(survivor.code).toBe(0)
    expect(survivor.stderr).toMatch(/this collector did catalogue/)
    expect(survivor.stderr).toMatch(/changes +\d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d: /)
    const stored = await readPg(url)
    const truth = s.exportTruth({})
    expect(stored.movies.filter((m) => m.details_fetched_at !== null).map((m) => m.tmdb_id)).toEqual(truth.map((t) => t.tmdbId))
    const c = await connect(url)
    try {
      expect((await c.query("SELECT name FROM sync_marks ORDER BY name")).rows.map((r) => r.name)).toEqual(["changes", "exports_since"])
    } finally {
      await c.end()
    }
    expect(stored.runs.map((r) => r.status)).toEqual(["abandoned", "complete"])
  })
})
