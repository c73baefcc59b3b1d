import { Effect } from "effect"
import { execFile, spawn } from "node:child_process"
import { describe, expect, it } from "vitest"
import { sandboxScoped } from "../sandbox/index.js"

import { getJson, jsonOf, KEY, listed, sleep, url, walk, withSandbox } from "./support/sandboxHttp.js"

// The sandbox is exercised with plain fetch, as any client on the other side of the wire would.

describe("limits and faults", () => {
  it("rate-limits with 429 code 25 and Retry-After", async () => {
    await withSandbox({ rateLimit: { rps: 1, burst: 3 } }, async (sb) => {
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await fetch(url(sb, "/movie/550"))).status)
      expect(statuses).toEqual([200, 200, 200, 429])
      const res = await fetch(url(sb, "/movie/550"))
      const body = await jsonOf(res)
      expect(Object.keys(body)).toEqual(["status_code", "status_message"])
      expect(body.status_code).toBe(25)
      expect(body.status_message).toMatch(/^Your request count \(\d+\) is over the allowed limit of 40\.$/)
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
      expect(sb.counters.rateLimited).toBe(2)
      sb.setRateLimit(undefined)
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(200)
    })
  })

  it("caps requests in flight and counts them", async () => {
    await withSandbox({ latencyMs: 200, maxConnections: 2 }, async (sb) => {
      const t = performance.now()
      const statuses = await Promise.all(Array.from({ length: 4 }, () => fetch(url(sb, "/movie/550")).then((r) => r.status)))
      expect(performance.now() - t).toBeGreaterThanOrEqual(190)
      expect(statuses.sort()).toEqual([200, 200, 429, 429])
      expect(sb.counters.maxInFlight).toBe(4)
      expect(sb.counters.inFlight).toBe(0)
    })
  })

  it("injects each fault on demand", async () => {
    await withSandbox({}, async (sb) => {
      const target = url(sb, "/movie/550")
      sb.setFaults({ error500: 1 })
      expect((await getJson(sb, "/movie/550")).body.status_code).toBe(11)
      sb.setFaults({ error502: 1 })
      const r502 = await fetch(target)
      expect([r502.status, r502.headers.get("content-type")]).toEqual([502, "text/html"])
      expect((await r502.text()).startsWith("<html>")).toBe(true)
      sb.setFaults({ error503: 1, retryAfter503Seconds: 3 })
      const r503 = await fetch(target)
      expect([r503.status, r503.headers.get("retry-after")]).toEqual([503, "3"])
      sb.setFaults({ error504: 1 })
      expect((await fetch(target)).status).toBe(504)
      sb.setFaults({ reset: 1 })
      await expect(fetch(target)).rejects.toThrow()
      sb.setFaults({ hang: 1 })
      await expect(fetch(target, { signal: AbortSignal.timeout(300) })).rejects.toThrow(/aborted|timeout/i)
      sb.setFaults({ truncate: 1 })
      const cut = await fetch(target)
      expect([cut.status, cut.headers.get("content-length")]).toEqual([200, "2055"])
      await expect(cut.arrayBuffer()).rejects.toThrow()
      sb.setFaults(undefined)
      expect((await fetch(target)).status).toBe(200)
      expect(sb.counters.faultsInjected).toEqual({ error500: 1, error502: 1, error503: 1, error504: 1, reset: 1, hang: 1, truncate: 1 })
      expect(sb.counters.detailsServed.get(550)).toBe(1)
    })
  })

  it("draws random faults from the seed, and only on details when asked", async () => {
    const run = async () => {
      const out: Array<number> = []
      await withSandbox({ faults: { error500: 0.3 }, faultPaths: "details" }, async (sb) => {
        for (let i = 0; i < 60; i++) out.push((await fetch(url(sb, "/movie/550"))).status)
        expect((await fetch(url(sb, "/discover/movie"))).status).toBe(200)
      })
      return out
    }
    const [a, b] = [await run(), await run()]
    expect(a).toEqual(b)
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(5)
    expect(a.filter((s) => s === 500).length).toBeLessThan(35)
  })

  it("goes through an outage and heals", async () => {
    await withSandbox({ outage: { afterMs: 400, durationMs: 400 } }, async (sb) => {
      const t0 = performance.now()
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(200)
      await sleep(500 - (performance.now() - t0))
      const down = await fetch(url(sb, "/discover/movie"))
      expect([down.status, down.headers.get("retry-after"), (await jsonOf(down)).status_code]).toEqual([503, "1", 9])
      await sleep(900 - (performance.now() - t0))
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(200)
      sb.startOutage(100)
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(503)
      await sleep(120)
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(200)
      expect(sb.counters.faultsInjected.outage).toBe(2)
    })
  })

  it("puts latency before the rate limiter when asked, so evenly sent requests can arrive bunched", async () => {
    // 40 requests sent 40 ms apart into a 50/s bucket of 1 (a token every 20 ms): as sent, each
    // fits with 20 ms to spare. With ±30 ms of jitter in front, about one neighbour in five
    // arrives under 20 ms behind the one before and draws a 429 (all 39 pairs clear: p < 1e-4).
    const run = async (placement: "before" | "after") =>
      withSandbox({ rateLimit: { rps: 50, burst: 1 }, latencyMs: 40, jitterMs: 30, jitterPlacement: placement }, async (sb) => {
        const pending: Array<Promise<number>> = []
        for (let i = 0; i < 40; i++) {
          pending.push(fetch(url(sb, "/movie/550")).then(async (r) => (await r.arrayBuffer(), r.status)))
          await sleep(40)
        }
        await Promise.all(pending)
        counts[placement] = sb.counters.rateLimited
      })
    const counts: Record<string, number> = {}
    await run("after")
    await run("before")
    // "after" can draw one when this test's own sends bunch on a loaded machine; "before" draws
    // about 8 from the jitter alone.
    expect(counts["after"]).toBeLessThanOrEqual(2)
    expect(counts["before"]).toBeGreaterThanOrEqual((counts["after"] ?? 0) + 3)
  })

  it("reshuffles ties on every discover request when asked, so a page-by-page read loses movies", async () => {
    await withSandbox({
      unstableOrder: true,
      catalogue: { seed: 3, startYear: 2020, endYear: 2020, perYear: 1500, includeFixtures: false, crowdedDayFraction: 0.2 }
    }, async (sb) => {
      const params = {
        "primary_release_date.gte": "2020-01-01",
        "primary_release_date.lte": "2020-12-31",
        "vote_count.gte": 0,
        sort_by: "primary_release_date.desc"
      }
      const truth = listed(sb, "2020-01-01", "2020-12-31", 0)
      // January 1 holds the crowd: a run of ties many pages long.
      expect(truth.filter((m) => m.releaseDate === "2020-01-01").length).toBeGreaterThan(200)
      const items = await walk(sb, params)
      // The order between days still holds; only ties move.
      for (let i = 1; i < items.length; i++) expect((items[i - 1]!.release_date as string) >= (items[i]!.release_date as string)).toBe(true)
      const distinct = new Set(items.map((m) => m.id))
      expect(items).toHaveLength(truth.length)
      expect(distinct.size).toBeLessThan(truth.length)
      // Narrower filters are served exactly: a piece that fits one page lists all of its movies.
      const piece = {
        ...params,
        "primary_release_date.gte": "2020-01-01",
        "primary_release_date.lte": "2020-01-01",
        "vote_count.gte": 300,
        "vote_count.lte": 320,
        "vote_average.gte": 0,
        "vote_average.lte": 10
      }
      const expected = truth.filter((m) => m.releaseDate === "2020-01-01" && m.voteCount >= 300 && m.voteCount <= 320)
      const { body } = await getJson(sb, "/discover/movie", piece)
      expect(body.total_results).toBe(expected.length)
      expect(expected.length).toBeGreaterThan(0)
      expect(expected.length).toBeLessThanOrEqual(20)
      expect(new Set(body.results.map((m: { id: number }) => m.id))).toEqual(new Set(expected.map((m) => m.id)))
      const averaged = await getJson(sb, "/discover/movie", { ...params, "vote_average.gte": 7.5, "vote_average.lte": 8 })
      expect(averaged.body.total_results).toBe(truth.filter((m) => m.voteAverage >= 7.5 && m.voteAverage <= 8).length)
    })
  })

  it("adds latency", async () => {
    await withSandbox({ latencyMs: 120 }, async (sb) => {
      const t = performance.now()
      await (await fetch(url(sb, "/movie/550"))).text()
      expect(performance.now() - t).toBeGreaterThanOrEqual(115)
    })
  })
})

describe("counters, control and lifecycle", () => {
  it("counts by endpoint and status, and exposes /__sandbox controls", async () => {
    await withSandbox({}, async (sb) => {
      const root = sb.baseUrl.replace(/\/3$/, "")
      await fetch(url(sb, "/discover/movie"))
      await fetch(url(sb, "/movie/550"))
      await fetch(url(sb, "/movie/550"))
      await fetch(url(sb, "/movie/changes"))
      await fetch(url(sb, "/configuration"))
      await fetch(url(sb, "/movie/550", {}, null))
      const c = sb.counters
      expect([c.requests, c.byEndpoint, c.byStatus]).toEqual([6, { discover: 1, movie: 3, changes: 1, other: 1 }, { "200": 5, "401": 1 }])
      expect(c.detailsServed.get(550)).toBe(2)
      expect(c.discoverPages).toEqual([{ gte: null, lte: null, page: 1 }])
      const remote = await jsonOf(await fetch(`${root}/__sandbox/counters`))
      expect([remote.requests, remote.detailsServed]).toEqual([6, { "550": 2 }])
      expect((await fetch(`${root}/__sandbox/outage?ms=200`, { method: "POST" })).status).toBe(200)
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(503)
      sb.resetCounters()
      expect([sb.counters.requests, sb.counters.detailsServed.size]).toEqual([0, 0])
    })
  })

  it("is an Effect scoped resource", async () => {
    const base = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const sb = yield* sandboxScoped({ catalogue: { perYear: 5 } })
      const res = yield* Effect.promise(() => fetch(url(sb, "/movie/550")))
      expect(res.status).toBe(200)
      return sb.baseUrl
    })))
    await expect(fetch(`${base}/movie/550?api_key=${KEY}`)).rejects.toThrow()
  })

  it("runs from the command line", async () => {
    // `npm run sandbox` is tsx over scripts/sandbox.ts: node with tsx's loader, one process.
    const script = new URL("../scripts/sandbox.ts", import.meta.url).pathname
    const tsx = (...args: Array<string>) => [process.execPath, ["--import", "tsx", script, ...args]] as const
    // A bad option, beside the one that serves: each pays tsx's start alone.
    const bad = new Promise<[number | null, string, string]>((resolve) =>
      execFile(...tsx("--bogus"), { encoding: "utf8" }, (error, stdout, stderr) => resolve([error === null ? 0 : Number(error.code), stdout, stderr]))
    )
    const child = spawn(...tsx("--port", "0", "--per-year", "5"), { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    const line = await new Promise<string>((resolve) =>
      child.stdout.on("data", (d) => {
        out += String(d)
        if (out.includes("\n")) resolve(out)
      })
    )
    expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/3\n$/)
    expect((await fetch(`${line.trim()}/movie/550?api_key=${KEY}`)).status).toBe(200)
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", resolve)
      child.kill("SIGTERM")
    })
    expect([code, out]).toEqual([0, line])
    expect(await bad).toEqual([2, "", "sandbox: unknown option --bogus\n"])
  })
})
