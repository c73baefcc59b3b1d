import { describe, expect, it } from "@effect/vitest"
import { Clock, Deferred, Duration, Effect, Fiber, TestClock } from "effect"
import { RateLimiter } from "../services/RateLimiter.js"
import type { LimiterOptions } from "../src/Config.js"
import { quickTestClock } from "./support/quickClock.js"

const makeLimiter = (options: LimiterOptions) =>
  Effect.zipRight(quickTestClock, Effect.provide(RateLimiter, RateLimiter.Default({ adaptive: false, maxPause: "60 seconds", ...options })))

/** Runs `n` tasks through the limiter at once and returns each start time (ms), sorted. */
const startTimes = (limiter: RateLimiter, n: number, work: Effect.Effect<void> = Effect.void, horizon: Duration.DurationInput = "10 minutes") =>
  Effect.gen(function*() {
    const starts: Array<number> = []
    const fiber = yield* Effect.forEach(
      Array.from({ length: n }),
      () =>
        limiter.withPermit(
          Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => starts.push(t))).pipe(Effect.zipRight(work))
        ),
      { concurrency: "unbounded", discard: true }
    ).pipe(Effect.fork)
    yield* TestClock.adjust(horizon)
    yield* Fiber.join(fiber)
    return starts.sort((a, b) => a - b)
  })

/** The most starts in any closed interval, minus what the bucket allows in it. Must be <= 0. */
const worstExcess = (starts: ReadonlyArray<number>, burst: number, rps: number) => {
  let worst = Number.NEGATIVE_INFINITY
  for (let i = 0; i < starts.length; i++) {
    for (let j = i; j < starts.length; j++) {
      const allowed = burst + (rps * (starts[j]! - starts[i]!)) / 1000
      worst = Math.max(worst, j - i + 1 - allowed)
    }
  }
  return worst
}

describe("RateLimiter", () => {
  for (const [rps, burst] of [[4, 4], [4, 1], [40, 10], [2.5, 3]] as const) {
    it.effect(`over any interval t, starts <= burst + rps*t (rps ${rps}, burst ${burst})`, () =>
      Effect.gen(function*() {
        const limiter = yield* makeLimiter({ requestsPerSecond: rps, burst, maxConcurrent: 1000 })
        const starts = yield* startTimes(limiter, 120)
        expect(starts).toHaveLength(120)
        expect(worstExcess(starts, burst, rps)).toBeLessThanOrEqual(1e-6)
        // Slow start: the bucket starts with one token, so a cold client is paced from its first request.
        expect(worstExcess(starts, 1, rps)).toBeLessThanOrEqual(1e-6)
        expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(Math.floor(1000 / rps))
      }))

    it.effect(`a saturated backlog is served at >= 0.95 x rps (rps ${rps}, burst ${burst})`, () =>
      Effect.gen(function*() {
        const limiter = yield* makeLimiter({ requestsPerSecond: rps, burst, maxConcurrent: 1000 })
        const starts = yield* startTimes(limiter, 200)
        const sustained = starts.slice(burst)
        const rate = ((sustained.length - 1) * 1000) / (sustained.at(-1)! - sustained[0]!)
        expect(rate).toBeGreaterThanOrEqual(0.95 * rps)
        expect(rate).toBeLessThanOrEqual(rps * 1.0001)
      }))
  }

  it.effect("after an idle spell one goes at once, and the rest of the burst is smoothed in at the rate", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 40, burst: 10, maxConcurrent: 1000 })
      const all: Array<number> = []
      for (let wave = 0; wave < 3; wave++) {
        all.push(...(yield* startTimes(limiter, 200, Effect.void, "60 seconds")))
      }
      expect(all).toHaveLength(600)
      // Released at once, the 10 stored tokens would empty a server bucket the pace keeps full.
      // (1.25 at hand, and the one millisecond of refill a rounded-up wait may add.)
      expect(worstExcess(all, 1.25 + 40 / 1000, 40)).toBeLessThanOrEqual(1e-6)
      for (let wave = 1; wave < 3; wave++) {
        const w = all.slice(wave * 200, wave * 200 + 200)
        // No two closer than three quarters of the interval (25 ms at 40 req/s), rounded down.
        expect(Math.min(...w.slice(1).map((t, i) => t - w[i]!))).toBeGreaterThanOrEqual(18)
        // The 9 stored beyond the first are not lost: the wave runs at 40 req/s (4,975 ms for the
        // 199 after the first), not at the pace alone (0.985 x 40: 5,051 ms).
        expect(w[199]! - w[0]!).toBeLessThan(5_000)
      }
    }))

  it.effect("a backlog held up for less than a burst's refill catches up a quarter of an interval, not the burst", () =>
    Effect.gen(function*() {
      // One slot: every 10th request holds it 200 ms, as a busy event loop or a slow hand-over
      // would; the burst of 10 takes 254 ms to refill at 0.985 x 40 req/s.
      const limiter = yield* makeLimiter({ requestsPerSecond: 40, burst: 10, maxConcurrent: 1 })
      let n = 0
      const stall = Effect.suspend(() => (++n % 10 === 0 ? Effect.sleep("200 millis") : Effect.void))
      const starts = yield* startTimes(limiter, 100, stall)
      expect(starts).toHaveLength(100)
      // The whole burst (8 tokens stored during each stall) would put 8 starts at one instant;
      // they are smoothed in instead.
      expect(worstExcess(starts, 1.25 + 40 / 1000, 40)).toBeLessThanOrEqual(1e-6)
      // Catching up: after each stall, a request follows the one that ended it sooner than the
      // pace would (25.4 ms), never sooner than three quarters of an interval.
      const gaps = starts.slice(1).map((t, i) => t - starts[i]!)
      expect(gaps.filter((g) => g < 25).length).toBeGreaterThanOrEqual(9)
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(18)
    }))

  it.effect("requests in flight never exceed maxConcurrent, and reach it", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 1000, burst: 50, maxConcurrent: 7 })
      let inFlight = 0
      let peak = 0
      const work = Effect.acquireUseRelease(
        Effect.sync(() => {
          inFlight++
          peak = Math.max(peak, inFlight)
        }),
        () => Effect.sleep("3 seconds"),
        () => Effect.sync(() => inFlight--)
      )
      const starts = yield* startTimes(limiter, 50, work)
      expect(starts).toHaveLength(50)
      expect(peak).toBe(7)
      expect((yield* limiter.stats).maxInFlight).toBe(7)
    }))

  it.effect("nothing starts during a shared pause, for any fiber", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 10, burst: 2, maxConcurrent: 100 })
      const starts: Array<number> = []
      const record = limiter.withPermit(Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => starts.push(t))))
      yield* record
      expect(yield* limiter.pause(5_000)).toBe(true)
      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 20 }, () => record), { concurrency: "unbounded" }))
      yield* TestClock.adjust("4999 millis")
      expect(starts).toHaveLength(1)
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(starts).toHaveLength(21)
      // The bucket comes out of the pause empty: the first token 1/rate after the pause's end, then
      // paced at the rate, no burst.
      expect(Math.min(...starts.slice(1))).toBeGreaterThanOrEqual(5_100)
      expect(worstExcess(starts.slice(1), 1, 10)).toBeLessThanOrEqual(1e-6)
    }))

  it.effect("a pause set while fibers wait for tokens holds them too; overlapping pauses extend, never shorten", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 1, burst: 1, maxConcurrent: 100 })
      const starts: Array<number> = []
      const record = limiter.withPermit(Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => starts.push(t))))
      const fiber = yield* Effect.fork(Effect.all([record, record, record], { concurrency: "unbounded" }))
      yield* TestClock.adjust("10 millis")
      expect(starts).toEqual([0])
      yield* limiter.pause(8_000)
      yield* limiter.pause(3_000)
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(starts[1]).toBeGreaterThanOrEqual(8_010)
      expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(1_000)
    }))

  it.effect("a pause longer than the cap is refused and pauses nothing", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 10, burst: 1, maxConcurrent: 10, maxPause: "60 seconds" })
      expect(yield* limiter.pause(3_600_000)).toBe(false)
      const fiber = yield* Effect.fork(limiter.withPermit(Clock.currentTimeMillis))
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toBe(0)
    }))

  it.effect("interrupted fibers give their permits back", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 100, burst: 10, maxConcurrent: 2 })
      const running = yield* Deferred.make<void>()
      const hung = yield* Effect.forEach([1, 2], () => Effect.fork(limiter.withPermit(Effect.zipRight(Deferred.succeed(running, undefined), Effect.never))))
      // A third waits for a slot, then is interrupted while queued.
      const queued = yield* Effect.fork(limiter.withPermit(Effect.never))
      yield* TestClock.adjust("1 second")
      expect((yield* limiter.stats).inFlight).toBe(2)
      yield* Fiber.interruptAll([...hung, queued])
      expect((yield* limiter.stats).inFlight).toBe(0)
      const next = yield* Effect.fork(Effect.all([limiter.withPermit(Effect.succeed(1)), limiter.withPermit(Effect.succeed(2))], { concurrency: 2 }))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(next)).toEqual([1, 2])
    }))

  it.effect("adaptive: one 429 alone leaves the rate; recurring ones lower it by 0.7 each; successes climb back", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 40, burst: 10, maxConcurrent: 10, adaptive: true })
      // An isolated 429 is taken for jittered arrivals: no decrease.
      yield* limiter.record("throttled")
      yield* limiter.record("throttled") // same second: the same event
      expect((yield* limiter.stats).currentRate).toBe(40)
      expect((yield* limiter.stats).throttleEvents).toBe(1)
      // A second event within 10 s: the rate is too high.
      yield* TestClock.adjust("2 seconds")
      yield* limiter.record("throttled")
      expect((yield* limiter.stats).currentRate).toBeCloseTo(28, 9)
      yield* TestClock.adjust("1 second")
      yield* limiter.record("throttled")
      expect((yield* limiter.stats).currentRate).toBeCloseTo(19.6, 9)
      expect((yield* limiter.stats).decreases).toBe(2)
      // Quiet for longer than 10 s: the next 429 is isolated again.
      yield* TestClock.adjust("11 seconds")
      yield* limiter.record("throttled")
      expect((yield* limiter.stats).currentRate).toBeCloseTo(19.6, 9)
      expect((yield* limiter.stats).decreases).toBe(2)
      // Climb: about target/20 = 2 req/s per second of successes; 20 req/s to regain is ~10 s of work.
      const starts = yield* startTimes(limiter, 400, limiter.record("ok"), "2 minutes")
      expect((yield* limiter.stats).currentRate).toBe(40)
      const firstSecond = starts.filter((t) => t - starts[0]! < 1000).length
      // The first second holds the refilled burst, then the lowered rate (19.6/s), barely climbed.
      expect(firstSecond).toBeLessThanOrEqual(10 + 23)
    }))

  it.effect("paces a little under the configured rate, so the server's bucket drifts back to full", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 40, burst: 1, maxConcurrent: 1000 })
      const starts = yield* startTimes(limiter, 401)
      const rate = (400 * 1000) / (starts.at(-1)! - starts[0]!)
      expect(rate).toBeGreaterThanOrEqual(0.98 * 40)
      expect(rate).toBeLessThanOrEqual(0.99 * 40)
    }))

  it.effect("non-adaptive: 429s leave the rate alone", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 8, burst: 1, maxConcurrent: 1 })
      yield* limiter.record("throttled")
      expect((yield* limiter.stats).currentRate).toBe(8)
    }))
})
