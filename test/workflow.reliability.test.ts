import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Exit, Logger } from "effect"
import * as path from "node:path"
import type { Sandbox } from "../sandbox/index.js"
import { Collector } from "../services/Collector.js"
import type { CollectionSummary } from "../src/Collection.js"
import { readDb, tmpDir } from "./support/cli.js"
import { expectExact } from "./support/sandbox.js"
import { onTestClock, virtualTmdb, workflowLayer } from "./support/virtualTmdb.js"

// Issue 6 §3, §4 and §5: the CLI's workflow (the Collector over its store and client layers, a
// real SQLite file) against the sandbox's TMDB served in process on TestClock: faults, a
// throttling server and a 20 s outage, with the real backoff and timeouts in virtual time. Each
// test prints the figures it measured as `[figure] ...` lines.

const figure = (text: string) => console.log(`[figure] ${text}`)
const summaryOf = (exit: Exit.Exit<CollectionSummary, unknown>) => {
  if (Exit.isFailure(exit)) throw new Error(`the run failed: ${String(exit.cause)}`)
  return exit.value
}
// expectExact reads only the sandbox's ground truth.
const asSandbox = (truth: Pick<Sandbox, "groundTruth">) => truth as Sandbox

describe("faults", () => {
  it.effect("a run with faults stores every recoverable movie exactly and records every permanent failure by kind", () =>
    Effect.gen(function*() {
      const tmdb = virtualTmdb({
        catalogue: { seed: 3, startYear: 2019, endYear: 2021, perYear: 60 },
        faults: { error500: 0.02, error502: 0.02, error503: 0.015, error504: 0.015, reset: 0.015, truncate: 0.015, hang: 0.01 },
        deletedFraction: 0.05,
        alwaysFailFraction: 0.04,
        driftFraction: 0.05
      })
      const query = { startYear: 2019, endYear: 2021 }
      const truth = tmdb.truth.groundTruth(query)
      expect(new Set(truth.map((t) => t.expectedFailure))).toEqual(new Set([null, "not_found", "server", "decode"]))
      const db = path.join(tmpDir(), "faults.sqlite")
      const lines: Array<string> = []
      // TMDB_TIMEOUT=1s; the backoff stays the default, which keeps the circuit as the CLI sees it.
      const run = Collector.run(query).pipe(
        Effect.provide(workflowLayer(tmdb, db, { requestsPerSecond: 300, burst: 30, timeout: "1 second" })),
        Effect.provide(Logger.add(Logger.make(({ message }) => void lines.push([message].flat().map(String).join(" ")))))
      )
      const summary = summaryOf(yield* onTestClock(run, 100))
      // A movie whose 4 attempts all hit random faults (p ~ 1e-4 each) is a transient failure, and
      // so is a movie TMDB always fails whose last attempt drew a random reset before its 500 (the
      // sandbox rolls faults before it routes; p ~ 0.03 each): the documented remedy is the next
      // run, which retries exactly those.
      const transient = readDb(db).failures.filter((f) => ["server", "transport", "timeout", "rate_limited"].includes(f.kind))
        .filter((f) => truth.find((t) => t.tmdbId === f.tmdb_id)?.expectedFailure !== f.kind)
      if (transient.length > 0) summaryOf(yield* onTestClock(run, 100))
      expectExact(db, asSandbox(tmdb.truth), query)
      figure(
        `faults: ${JSON.stringify(tmdb.counters.faultsInjected)} injected, ${summary.retries} retries; ${transient.length} transient failures left to a rerun`
      )
      expect(summary.retries).toBeGreaterThan(0)
      // Faults on details never make a run incomplete: the CLI exits 0.
      expect(summary.complete).toBe(true)
      expect(JSON.stringify(summary) + lines.join("\n")).not.toContain(tmdb.apiKey)
    }))
})

describe("throttling", () => {
  it.effect("the server allows 12 req/s, the client is set to 40 with burst 10: every movie stored, 429s <= 20%", () =>
    Effect.gen(function*() {
      const tmdb = virtualTmdb({ catalogue: { seed: 21, startYear: 2019, endYear: 2020, perYear: 90 }, rateLimit: { rps: 12, burst: 5 } })
      const db = path.join(tmpDir(), "throttled.sqlite")
      const run = Collector.run({ startYear: 2019, endYear: 2020 }).pipe(
        Effect.provide(workflowLayer(tmdb, db, { requestsPerSecond: 40, burst: 10 }))
      )
      const summary = summaryOf(yield* onTestClock(run, 100))
      const c = tmdb.counters
      expectExact(db, asSandbox(tmdb.truth), { startYear: 2019, endYear: 2020 })
      const share = c.rateLimited / c.requests
      figure(
        `throttling: ${c.rateLimited} of ${c.requests} requests answered 429 (${(100 * share).toFixed(1)}%, amplification ${
          (c.requests / (c.requests - c.rateLimited)).toFixed(3)
        }), rate settled at ${summary.settledRate} req/s, ${(summary.durationMs / 1000).toFixed(1)} s on the clock`
      )
      expect(summary.complete).toBe(true)
      expect(share).toBeLessThanOrEqual(0.2)
      // Amplification: every request sent, over those that were needed (the ones not answered 429).
      expect(c.requests / (c.requests - c.rateLimited)).toBeLessThanOrEqual(1.25)
      expect(summary.rateLimited).toBe(c.rateLimited)
      // The client lowered its own rate below the configured 40.
      expect(summary.settledRate).toBeLessThan(40)
    }))
})

/** The collections and companies a store holds: one request each was needed. */
const linkedStored = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare("SELECT (SELECT COUNT(*) FROM collections) + (SELECT COUNT(*) FROM companies)").pluck().get() as number
  } finally {
    db.close()
  }
}

describe("retry storms", () => {
  it.effect("a 20 s total outage: sent / needed <= 1.1, throughput back to >= 90% within 10 s of healing, run completes", () =>
    Effect.gen(function*() {
      const rps = 30
      const tmdb = virtualTmdb({ catalogue: { seed: 4, startYear: 2019, endYear: 2020, perYear: 320 } })
      const c = tmdb.counters
      const db = path.join(tmpDir(), "storm.sqlite")
      const run = Collector.run({ startYear: 2019, endYear: 2020 }).pipe(Effect.provide(workflowLayer(tmdb, db, { requestsPerSecond: rps, burst: 10 })))
      // The counters every 100 ms of the clock; the outage starts once 100 movies are served.
      const timeline: Array<{ t: number; requests: number; served: number }> = []
      let down: number | undefined
      let requestsAtOutage = 0
      let duringOutage: number | undefined
      const exit = yield* onTestClock(run, 100, (t) =>
        Effect.gen(function*() {
          timeline.push({ t, requests: c.requests, served: c.detailsServed.size })
          if (down === undefined && c.detailsServed.size >= 100) {
            down = t
            requestsAtOutage = c.requests
            yield* tmdb.startOutage(20_000)
          }
          if (down !== undefined && duringOutage === undefined && t >= down + 20_000) duringOutage = c.requests - requestsAtOutage
        }))
      const summary = summaryOf(exit)
      expect(summary.complete).toBe(true)
      expect(down).toBeDefined()
      expect(duringOutage).toBeDefined()
      const healed = down! + 20_000
      const truth = expectExact(db, asSandbox(tmdb.truth), { startYear: 2019, endYear: 2020 })
      const pages = c.byEndpoint["discover"] ?? 0
      // The collections and companies the movies name are needed too, one request each.
      const linked = linkedStored(db)
      const amplification = c.requests / (truth.length + pages + linked)
      // Movies stored per second over the best 2 s window in a span, against the run's own rate
      // just before the outage.
      const at = (t: number) => timeline.reduce((best, p) => (p.t <= t ? p : best), timeline[0]!)
      const bestRate = (from: number, to: number) => {
        let best = 0
        for (let t = from; t + 2_000 <= to; t += 100) best = Math.max(best, (at(t + 2_000).served - at(t).served) / 2)
        return best
      }
      const before = bestRate(down! - 3_000, down!)
      const recovered = bestRate(healed, healed + 10_000)
      const firstAfter = timeline.find((p) => p.t > healed && p.served > at(healed).served)
      figure(
        `storm: ${duringOutage} requests sent during the 20 s outage; ${c.requests} sent for ${truth.length + pages + linked} needed (x${
          amplification.toFixed(3)
        }); first success ${firstAfter ? ((firstAfter.t - healed) / 1000).toFixed(1) : "?"} s after healing; best 2 s rate within 10 s of healing ${
          recovered.toFixed(1)
        }/s vs ${before.toFixed(1)}/s before the outage (configured ${rps}); ${(summary.durationMs / 1000).toFixed(1)} s on the clock`
      )
      expect(amplification).toBeLessThanOrEqual(1.1)
      expect(duringOutage).toBeLessThanOrEqual(30)
      expect(recovered).toBeGreaterThanOrEqual(0.9 * Math.min(rps, before))
      expect(before).toBeGreaterThan(0)
    }))
})
