import { Clock, Duration, Effect, Either, Option, Ref } from "effect"
import { type LimiterOptions, limiterSettings } from "../src/Config.js"
import { rateIs, waitedForToken } from "../src/Metrics.js"
import {
  BETA,
  type Bucket,
  type Counters,
  type LimiterStats,
  type Outcome,
  PACE,
  perSecond,
  RECUR_MS,
  SAME_EVENT_MS,
  SHARED_AT_ONCE,
  takeFrom
} from "./rateLimiter/Bucket.js"
import { CircuitOpen, makeCircuit } from "./rateLimiter/Circuit.js"
import { type BudgetLost, SharedBudget } from "./SharedBudget.js"

export type { LimiterStats } from "./rateLimiter/Bucket.js"

// Effect's own `effect/RateLimiter` has a fixed rate, where ours adapts at run time (AIMD on 429s):
// a bucket over `Clock` and a `Ref`, testable under TestClock. Given a SharedBudget, the tokens,
// the pause and the adaptive rate are shared with every collector on it, and the configured rate
// is their total; the concurrency cap and the circuit stay ours.

const nowMs = Clock.currentTimeMillis

export class RateLimiter extends Effect.Service<RateLimiter>()("tmdb/RateLimiter", {
  effect: (options?: LimiterOptions) =>
    Effect.gen(function*() {
      const settings = yield* limiterSettings(options)
      const { maxConcurrent, requestsPerSecond: target } = settings
      const maxPauseMs = Duration.toMillis(settings.maxPause)
      // Additive climb back after a decrease: target/20 req/s per second, so from 0.7 to full in ~6 s.
      let climbPerSecond = Math.max(0.25, target / 20)
      let floorRate = Math.min(target, Math.max(0.5, target / 16))
      // The local bucket's burst and ceiling: falling back from a shared budget takes 1/N of each.
      let burst = settings.burst
      let ceiling = target
      const budget = yield* Effect.serviceOption(SharedBudget)
      // Set while the shared budget answers; cleared once, for the rest of the run, when it stops.
      let shared = Option.getOrUndefined(budget)

      const concurrency = yield* Effect.makeSemaphore(maxConcurrent)
      // One fiber at a time waits for the next token, so tokens go out in arrival order.
      const gate = yield* Effect.makeSemaphore(1)
      // Slow start: the bucket starts with one token, not `burst`. A cold client's first burst is
      // delayed by connection set-up and can reach the server after the requests that follow it,
      // which a server bucket of the same size answers with 429 (BENCHMARKS.md, rate).
      const fresh = { tokens: 1, rate: rateIs(target), pausedUntil: 0, reserve: 0, lastThrottle: Number.NEGATIVE_INFINITY }
      const bucket = yield* Ref.make<Bucket>({ ...fresh, last: yield* nowMs })
      const counters: Counters = { inFlight: 0, maxInFlight: 0, started: 0, decreases: 0, throttleEvents: 0, pausedMs: 0 }
      const maxOutageMs = Duration.toMillis(settings.maxOutage)
      const circuit = yield* makeCircuit(maxOutageMs)

      /** Milliseconds to wait before a token is free (0: one was taken). */
      const tryTake = (now: number) => Ref.modify(bucket, (b) => takeFrom(b, now, burst))

      /**
       * The shared budget stopped answering: from now on this collector paces itself at its share,
       * rate / N, with an empty bucket and any shared pause it saw, and says so once.
       */
      const fallBack = (lost: BudgetLost) =>
        Effect.suspend(() => {
          if (shared === undefined) return Effect.void
          shared = undefined
          const n = Math.max(1, lost.collectors)
          climbPerSecond /= n
          floorRate /= n
          ceiling /= n
          burst = Math.max(1, Math.floor(burst / n))
          return Effect.flatMap(nowMs, (now) =>
            Ref.modify(bucket, (b): [number, Bucket] => [b.rate, {
              ...b,
              rate: rateIs(b.rate / n),
              tokens: 0,
              reserve: 0,
              last: Math.max(b.last, now, lost.pausedUntil),
              pausedUntil: Math.max(b.pausedUntil, lost.pausedUntil)
            }])).pipe(
              Effect.flatMap((rate) =>
                Effect.logWarning(
                  `Redis at ${lost.where} is unreachable (${lost.reason}): this collector now paces itself at ` +
                    `${perSecond(rate / n)} req/s (${perSecond(rate)} ÷ ${n} collector${n === 1 ? "" : "s"})`
                )
              )
            )
        })

      /**
       * A token from the shared budget, after any pause of our own: 0 when taken, else the ms to
       * wait, or -1 to go round again (the circuit changed while we waited, or the budget was lost).
       */
      const sharedTake = (budget: SharedBudget) =>
        Effect.gen(function*() {
          const paused = (yield* Ref.get(bucket)).pausedUntil - (yield* nowMs)
          if (paused > 0) return Math.ceil(paused)
          const taken = yield* Effect.either(budget.take(target, Math.min(settings.burst, SHARED_AT_ONCE), PACE))
          if (Either.isLeft(taken)) {
            yield* fallBack(taken.left)
            return -1
          }
          yield* Ref.update(bucket, (b) => ({ ...b, rate: rateIs(taken.right) }))
          return circuit.ready(yield* nowMs) ? 0 : -1
        })

      /** One request's passage through the limiter: whether it started, and whether it is the probe. */
      interface Passage {
        probe: boolean
        started: boolean
      }

      /**
       * Waits for the circuit, the shared pause and a token, in that order, one fiber at a time.
       * A request becomes the circuit's probe only once it holds its token, in the same step, so
       * nothing can interrupt it between the two.
       */
      const takeToken = (passage: Passage) =>
        gate.withPermits(1)(
          Effect.gen(function*() {
            while (true) {
              yield* circuit.admitted
              const wait = shared === undefined ? yield* tryTake(yield* nowMs) : yield* sharedTake(shared)
              if (wait === 0) {
                passage.probe = circuit.claimProbe()
                return
              }
              if (wait > 0) yield* Effect.sleep(Duration.millis(waitedForToken(wait)))
            }
          })
        )

      const release = (passage: Passage) =>
        Effect.suspend(() => {
          if (passage.started) counters.inFlight--
          return passage.probe ? circuit.abandonProbe : Effect.void
        })

      // The slot is taken first, so a request starts the moment it gets its token. Taken and given
      // back by hand in one mask: `withPermits` would add a mask and a finalizer of its own.
      const withPermit = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | CircuitOpen, R> =>
        Effect.uninterruptibleMask((restore) => {
          const passage: Passage = { probe: false, started: false }
          return Effect.zipRight(
            restore(concurrency.take(1)),
            Effect.zipRight(
              restore(takeToken(passage)),
              Effect.suspend(() => {
                passage.started = true
                counters.inFlight++
                counters.started++
                if (counters.inFlight > counters.maxInFlight) counters.maxInFlight = counters.inFlight
                return restore(self)
              })
            ).pipe(Effect.ensuring(Effect.zipRight(release(passage), concurrency.release(1))))
          )
        })

      const pause = Effect.fn("RateLimiter.pause")(function*(ms: number) {
        if (ms > maxPauseMs) return false
        const now = yield* nowMs
        const until = yield* Ref.modify(bucket, (b): [number, Bucket] => {
          const until = Math.max(b.pausedUntil, now + ms)
          counters.pausedMs += until - Math.max(b.pausedUntil, now)
          // The bucket comes out of the pause empty and refills from its end: the server's bucket
          // has refilled too, and a full client burst into it is what drew the 429.
          return [until, { ...b, pausedUntil: until, tokens: 0, reserve: 0, last: until }]
        })
        if (shared !== undefined) yield* shared.pause(until).pipe(Effect.catchAll(fallBack))
        return true
      })

      /** A 429 was seen: lower the rate by `BETA` when it is the second event within `RECUR_MS`. */
      const throttled = Effect.gen(function*() {
        if (shared !== undefined) {
          const policy = { target, beta: BETA, floor: floorRate, sameEventMs: SAME_EVENT_MS, recurMs: RECUR_MS, adaptive: settings.adaptive }
          const seen = yield* Effect.either(shared.throttled(policy))
          if (Either.isRight(seen)) {
            if (seen.right.event) counters.throttleEvents++
            if (seen.right.decreased) counters.decreases++
            return yield* Ref.update(bucket, (b) => ({ ...b, rate: rateIs(seen.right.rate) }))
          }
          yield* fallBack(seen.left)
        }
        const now = yield* nowMs
        yield* Ref.update(bucket, (b) => {
          const since = now - b.lastThrottle
          if (since < SAME_EVENT_MS) return b
          counters.throttleEvents++
          if (!settings.adaptive || since > RECUR_MS) return { ...b, lastThrottle: now }
          counters.decreases++
          const rate = rateIs(Math.max(floorRate, b.rate * BETA))
          return { ...b, rate, tokens: Math.min(b.tokens, 0), reserve: 0, last: now, lastThrottle: now }
        })
      })

      /** A request succeeded: climb back toward the configured rate by `climbPerSecond` per second. */
      const succeeded = Effect.suspend(() =>
        shared !== undefined
          ? Effect.map(Ref.get(bucket), (b) => shared?.climb(climbPerSecond / b.rate))
          : Ref.update(bucket, (b) => b.rate >= ceiling ? b : { ...b, rate: rateIs(Math.min(ceiling, b.rate + climbPerSecond / b.rate)) })
      )

      const record = (outcome: Outcome): Effect.Effect<void> => {
        switch (outcome) {
          case "ok":
            return Effect.zipRight(succeeded, circuit.answered)
          case "throttled":
            return Effect.zipRight(throttled, circuit.answered)
          case "failed":
            return circuit.failed
        }
      }

      const stats = Effect.map(Ref.get(bucket), (b): LimiterStats => ({
        currentRate: b.rate,
        configuredRate: target,
        inFlight: counters.inFlight,
        maxInFlight: counters.maxInFlight,
        started: counters.started,
        decreases: counters.decreases,
        throttleEvents: counters.throttleEvents,
        pausedMs: counters.pausedMs,
        circuitOpens: circuit.opens(),
        circuit: circuit.mode(),
        budget: Option.isNone(budget) ? "local" : shared !== undefined ? "shared" : "fallback",
        ...Option.match(budget, { onNone: () => ({ collectors: 1, mostCollectors: 1 }), onSome: (b) => b.collectors() })
      }))

      return {
        settings,
        /**
         * Runs `self` once a concurrency slot and a token are free, no shared pause is on and the
         * circuit lets it through; however it ends, its slot and any probe role are given back.
         */
        withPermit,
        /**
         * Stops every request (with a shared budget, of every collector) from starting for `ms`;
         * false, and no pause, when `ms` exceeds the cap: the caller fails instead of sleeping for hours.
         */
        pause,
        /** Every finished request reports here: it drives both the adaptive rate and the circuit. */
        record,
        stats
      } as const
    })
}) {}
