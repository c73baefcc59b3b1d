import { Clock, Duration, Effect, Ref } from "effect"
import { type LimiterOptions, limiterSettings } from "../src/Config.js"

// Effect's own `effect/RateLimiter` has a fixed rate, and the reliability work needs the rate to
// adapt at run time (AIMD on 429s). So the bucket is our own: a few lines over `Clock` and a `Ref`,
// which keeps it testable under TestClock. Effect 4 drops `effect/RateLimiter` anyway.

export interface LimiterStats {
  /** The rate the bucket refills at now (lower than configured after 429s). */
  readonly currentRate: number
  readonly configuredRate: number
  readonly inFlight: number
  readonly maxInFlight: number
  /** Requests let through so far. */
  readonly started: number
  /** Times the rate was lowered after a 429. */
  readonly decreases: number
  /** Total milliseconds of shared pauses imposed by Retry-After. */
  readonly pausedMs: number
}

interface Bucket {
  readonly tokens: number
  readonly last: number
  readonly rate: number
  readonly pausedUntil: number
  readonly lastDecrease: number
}

interface Counters {
  inFlight: number
  maxInFlight: number
  started: number
  decreases: number
  pausedMs: number
}

const EPSILON = 1e-9

export class RateLimiter extends Effect.Service<RateLimiter>()("tmdb/RateLimiter", {
  effect: (options?: LimiterOptions) =>
    Effect.gen(function*() {
      const settings = yield* limiterSettings(options)
      const { burst, maxConcurrent, requestsPerSecond: target } = settings
      const maxPauseMs = Duration.toMillis(settings.maxPause)
      // Additive climb back after a decrease: target/20 req/s per second, so from half to full in ~10 s.
      const climbPerSecond = Math.max(0.25, target / 20)
      const floorRate = Math.min(target, Math.max(0.5, target / 16))

      const concurrency = yield* Effect.makeSemaphore(maxConcurrent)
      // One fiber at a time waits for the next token, so tokens go out in arrival order.
      const gate = yield* Effect.makeSemaphore(1)
      const now0 = yield* Clock.currentTimeMillis
      const bucket = yield* Ref.make<Bucket>({
        tokens: burst,
        last: now0,
        rate: target,
        pausedUntil: 0,
        lastDecrease: Number.NEGATIVE_INFINITY
      })
      const counters: Counters = { inFlight: 0, maxInFlight: 0, started: 0, decreases: 0, pausedMs: 0 }

      /** Milliseconds to wait before a token is free (0: one was taken). */
      const tryTake = (now: number) =>
        Ref.modify(bucket, (b): [number, Bucket] => {
          if (b.pausedUntil > now) return [b.pausedUntil - now, b]
          const tokens = Math.min(burst, b.tokens + ((now - b.last) * b.rate) / 1000)
          if (tokens >= 1 - EPSILON) return [0, { ...b, tokens: tokens - 1, last: now }]
          return [Math.max(1, Math.ceil(((1 - tokens) * 1000) / b.rate)), { ...b, tokens, last: now }]
        })

      const takeToken = gate.withPermits(1)(
        Effect.gen(function*() {
          while (true) {
            const wait = yield* tryTake(yield* Clock.currentTimeMillis)
            if (wait === 0) return
            yield* Effect.sleep(Duration.millis(wait))
          }
        })
      )

      const started = Effect.sync(() => {
        counters.inFlight++
        counters.started++
        if (counters.inFlight > counters.maxInFlight) counters.maxInFlight = counters.inFlight
      })
      const finished = Effect.sync(() => {
        counters.inFlight--
      })

      /**
       * Runs `self` once a concurrency slot and a token are both free and no shared pause is on.
       * The slot is taken first, so a request starts the moment it gets its token.
       */
      const withPermit = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
        concurrency.withPermits(1)(
          Effect.zipRight(takeToken, Effect.acquireUseRelease(started, () => self, () => finished))
        )

      /**
       * Stops every request in the process from starting for `ms`. Returns false, and pauses
       * nothing, when `ms` exceeds the cap: the caller then fails instead of sleeping for hours.
       */
      const pause = Effect.fn("RateLimiter.pause")(function*(ms: number) {
        if (ms > maxPauseMs) return false
        const now = yield* Clock.currentTimeMillis
        yield* Ref.update(bucket, (b) => {
          const until = Math.max(b.pausedUntil, now + ms)
          counters.pausedMs += until - Math.max(b.pausedUntil, now)
          return { ...b, pausedUntil: until }
        })
        return true
      })

      /** A 429 was seen: halve the rate, at most once per second so one burst of 429s counts once. */
      const throttled = Effect.gen(function*() {
        if (!settings.adaptive) return
        const now = yield* Clock.currentTimeMillis
        yield* Ref.update(bucket, (b) => {
          if (now - b.lastDecrease < 1000) return b
          counters.decreases++
          const rate = Math.max(floorRate, b.rate / 2)
          const tokens = Math.min(b.tokens, 0)
          return { ...b, rate, tokens, lastDecrease: now }
        })
      })

      /** A request succeeded: climb back toward the configured rate by `climbPerSecond` per second. */
      const succeeded = Ref.update(bucket, (b) =>
        b.rate >= target ? b : { ...b, rate: Math.min(target, b.rate + climbPerSecond / b.rate) }
      )

      const stats = Effect.map(Ref.get(bucket), (b): LimiterStats => ({
        currentRate: b.rate,
        configuredRate: target,
        inFlight: counters.inFlight,
        maxInFlight: counters.maxInFlight,
        started: counters.started,
        decreases: counters.decreases,
        pausedMs: counters.pausedMs
      }))

      return { settings, withPermit, pause, throttled, succeeded, stats } as const
    })
}) {}
