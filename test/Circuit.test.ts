import { describe, expect, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Either, Fiber, TestClock } from "effect"
import { RateLimiter } from "../services/RateLimiter.js"
import type { LimiterOptions } from "../src/Config.js"

const makeLimiter = (options: LimiterOptions) => Effect.provide(RateLimiter, RateLimiter.Default({ adaptive: false, maxPause: "60 seconds", ...options }))

describe("RateLimiter: the shared circuit", () => {
  it.effect("opens after 5 consecutive failures: nothing starts until the cooldown, then exactly one probe", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 100, burst: 10, maxConcurrent: 10 })
      for (let i = 0; i < 5; i++) yield* limiter.record("failed")
      expect((yield* limiter.stats).circuit).toBe("open")
      const starts: Array<number> = []
      const probeGate = yield* Deferred.make<void>()
      const task = (i: number) =>
        limiter.withPermit(
          Effect.gen(function*() {
            starts.push(yield* Clock.currentTimeMillis)
            if (i === 0) yield* Deferred.await(probeGate)
          })
        )
      const fiber = yield* Effect.fork(Effect.forEach([0, 1, 2, 3], task, { concurrency: "unbounded" }))
      yield* TestClock.adjust("999 millis")
      expect(starts).toEqual([])
      yield* TestClock.adjust("1 millis")
      expect(starts).toEqual([1000])
      yield* TestClock.adjust("5 seconds")
      expect(starts).toHaveLength(1) // the others wait for the probe's outcome
      yield* limiter.record("ok")
      yield* Deferred.succeed(probeGate, undefined)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(starts).toHaveLength(4)
      expect((yield* limiter.stats).circuit).toBe("closed")
    }))

  it.effect("a failed probe re-opens it with a doubled cooldown, capped at 4 s", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 100, burst: 10, maxConcurrent: 10 })
      for (let i = 0; i < 5; i++) yield* limiter.record("failed")
      const probes: Array<number> = []
      const probe = limiter.withPermit(
        Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => probes.push(t))).pipe(
          Effect.zipRight(limiter.record("failed"))
        )
      )
      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 6 }, () => probe)))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(probes.slice(1).map((t, i) => t - probes[i]!)).toEqual([1000, 2000, 4000, 4000, 4000])
      expect((yield* limiter.stats).circuitOpens).toBe(1)
    }))

  it.effect("an interrupted probe lets the next request probe at once", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 100, burst: 10, maxConcurrent: 10 })
      for (let i = 0; i < 5; i++) yield* limiter.record("failed")
      const hung = yield* Effect.fork(limiter.withPermit(Effect.never))
      yield* TestClock.adjust("1 second")
      expect((yield* limiter.stats).circuit).toBe("probing")
      yield* Fiber.interrupt(hung)
      const next = yield* Effect.fork(limiter.withPermit(Clock.currentTimeMillis))
      yield* TestClock.adjust("20 millis")
      // At once: with the bucket's next token (one interval at 0.985 x 100 req/s at most), not
      // after another cooldown of the circuit (1 s).
      const started = yield* Fiber.join(next)
      expect(started).toBeGreaterThanOrEqual(1000)
      expect(started).toBeLessThanOrEqual(1011)
    }))

  it.effect("after maxOutage of an open circuit, requests fail unsent with CircuitOpen", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 100, burst: 10, maxConcurrent: 10, maxOutage: "30 seconds" })
      for (let i = 0; i < 5; i++) yield* limiter.record("failed")
      let sent = 0
      const attempt = limiter.withPermit(Effect.zipRight(Effect.sync(() => sent++), limiter.record("failed")))
      const fiber = yield* Effect.fork(Effect.either(Effect.forever(attempt)))
      yield* TestClock.adjust("2 minutes")
      const result = yield* Fiber.join(fiber)
      expect(result).toEqual(Either.left(expect.objectContaining({ _tag: "CircuitOpen" })))
      expect(sent).toBeLessThanOrEqual(10)
    }))

  it.effect("after maxOutage, one probe still goes every cooldown, and its success closes the circuit", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 100, burst: 10, maxConcurrent: 10, maxOutage: "10 seconds" })
      for (let i = 0; i < 5; i++) yield* limiter.record("failed")
      let healed = false
      const sentAt: Array<number> = []
      const request = limiter.withPermit(
        Effect.gen(function*() {
          sentAt.push(yield* Clock.currentTimeMillis)
          yield* limiter.record(healed ? "ok" : "failed")
        })
      ).pipe(Effect.either)
      const fiber = yield* Effect.fork(
        Effect.repeat(Effect.zipRight(request, Effect.sleep("250 millis")), { until: () => false }).pipe(Effect.timeout("60 seconds"))
      )
      yield* TestClock.adjust("30 seconds")
      const duringOutage = sentAt.length
      healed = true
      yield* TestClock.adjust("10 seconds")
      expect((yield* limiter.stats).circuit).toBe("closed")
      // Probes only while open (about one per 4 s cooldown), then everything flows again.
      expect(duringOutage).toBeLessThanOrEqual(10)
      expect(sentAt.length - duringOutage).toBeGreaterThan(20)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("a request interrupted while waiting for its token (here, a shared pause) never wedges the circuit", () =>
    Effect.gen(function*() {
      const limiter = yield* makeLimiter({ requestsPerSecond: 100, burst: 10, maxConcurrent: 10 })
      for (let i = 0; i < 5; i++) yield* limiter.record("failed")
      yield* TestClock.adjust("2 seconds") // the cooldown is over: the next request would probe
      yield* limiter.pause(5_000)
      const waiting = yield* Effect.fork(limiter.withPermit(Effect.void))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(waiting)
      const next = yield* Effect.fork(limiter.withPermit(Clock.currentTimeMillis))
      yield* TestClock.adjust("10 seconds")
      // The pause ends at 7 s; the bucket refills from there, so the first token comes one
      // paced interval later: 1000 / (0.985 x 100) ms, rounded up to the millisecond.
      expect(yield* Fiber.join(next)).toBe(7_011)
      expect((yield* limiter.stats).inFlight).toBe(0)
    }))
})
