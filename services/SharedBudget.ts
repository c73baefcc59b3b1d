import * as Bucket from "@effect/experimental/RateLimiter"
import * as RedisStore from "@effect/experimental/RateLimiter/Redis"
import { Clock, Duration, Effect, ExecutionStrategy, Exit, Redacted, Scope } from "effect"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import { BudgetLost, type BudgetRedis, connectionOptions, describeTarget, reasonOf, RedisError, type RedisTarget } from "./sharedBudget/Connection.js"
import { KEY_COUNT, SCRIPTS } from "./sharedBudget/Scripts.js"

export { BudgetLost, RedisError, type RedisTarget } from "./sharedBudget/Connection.js"

// One request budget for every collector that names the same Redis and budget. The bucket is
// @effect/experimental's Redis token bucket; the pause, the adaptive rate and the collector count
// are a few keys of our own beside it. The bucket script takes `now` from the caller's Clock, and
// so do ours, which keeps all of it testable under TestClock; the collectors' clocks are assumed
// to agree, as the store already assumes.

export interface SharedBudgetOptions {
  readonly target: RedisTarget
  /** Keys start with `tmdb-collector:<name>:`; budgets with other names are independent. */
  readonly name: string
}

/** The limiter's AIMD policy, applied once per 429 event across all collectors. */
interface ThrottlePolicy {
  readonly target: number
  readonly beta: number
  readonly floor: number
  readonly sameEventMs: number
  readonly recurMs: number
  readonly adaptive: boolean
}

interface Throttle {
  /** The 429 began a new event (not one another collector already saw). */
  readonly event: boolean
  readonly decreased: boolean
  readonly rate: number
}

// Registrations are kept by Redis's clock (TIME), so they are refreshed on the wall clock too:
// under a virtual clock they would lapse or never be renewed. Three missed beats drop one.
const HEARTBEAT = Duration.seconds(5)
const REGISTRATION_TTL_MS = 15_000
// The keys of a budget nobody uses expire an hour after its last collector.
const KEEP_MS = 3_600_000
// The pause key holds its end on the collectors' clock, which is what ends it; its expiry only
// clears it away.
const PAUSE_KEEP_MS = 60_000

export class SharedBudget extends Effect.Service<SharedBudget>()("tmdb/SharedBudget", {
  scoped: (options: SharedBudgetOptions) =>
    Effect.gen(function*() {
      const where = describeTarget(options.target)
      const password = options.target.password !== undefined ? Redacted.value(options.target.password) : undefined
      const prefix = `tmdb-collector:${options.name}:`
      // `bucket` is the store's key (its prefix + our key); the store keeps its refill time at `:refill`.
      const keys = {
        bucket: `${prefix}bucket`,
        refill: `${prefix}bucket:refill`,
        pause: `${prefix}pause`,
        epoch: `${prefix}pause:epoch`,
        rate: `${prefix}rate`,
        throttle: `${prefix}throttle`,
        collectors: `${prefix}collectors`
      }
      const id = randomUUID()

      let firstError: unknown
      const redis = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const r = new Redis({ ...connectionOptions(options.target), lazyConnect: true, enableOfflineQueue: false }) as BudgetRedis
          // Without a listener ioredis prints each error with its stack; the reason goes in one line instead.
          r.on("error", (e) => firstError ??= e)
          for (const [name, lua] of Object.entries(SCRIPTS)) {
            r.defineCommand(`budget${name[0]!.toUpperCase()}${name.slice(1)}`, { lua, numberOfKeys: KEY_COUNT[name as keyof typeof SCRIPTS] })
          }
          return r
        }),
        (r) => Effect.sync(() => r.disconnect())
      )
      yield* Effect.tryPromise({
        try: () => redis.connect(),
        catch: (cause) => new RedisError({ message: `cannot reach Redis at ${where}: ${reasonOf(firstError ?? cause, password)}` })
      })

      let collectors = 1
      // The most seen at once: collectors that finish early leave the budget before the others.
      let most = 1
      const seen = (n: number) => {
        collectors = Math.max(1, n)
        most = Math.max(most, collectors)
      }
      let pausedUntil = 0
      let pendingClimb = 0
      let lost: BudgetLost | undefined
      const lose = (cause: unknown) => {
        if (lost === undefined) {
          const reason = reasonOf(cause, password)
          lost = new BudgetLost({ message: `Redis at ${where} stopped answering (${reason})`, where, reason, collectors, pausedUntil })
        }
        return lost
      }
      const call = <A>(run: () => Promise<A>): Effect.Effect<A, BudgetLost> =>
        Effect.suspend(() => lost !== undefined ? Effect.fail(lost) : Effect.tryPromise({ try: run, catch: lose }))

      const registration = [keys.collectors, keys.bucket, keys.refill, keys.rate, keys.throttle] as const
      const register = (first: boolean) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          call(() =>
            redis.budgetRegister(...registration, id, REGISTRATION_TTL_MS, KEEP_MS, now, first ? 1 : 0)
          ).pipe(
            Effect.tap((n) => Effect.sync(() => seen(n)))
          ))
      yield* register(true).pipe(
        Effect.mapError((e) => new RedisError({ message: `cannot reach Redis at ${where}: ${e.reason}` }))
      )

      // The store opens its own connection and releases it with a `quit` that fails, as a defect,
      // once Redis is gone: it lives in a scope of its own whose closing cannot fail ours.
      const storeScope = yield* Scope.fork(yield* Effect.scope, ExecutionStrategy.sequential)
      const store = yield* Scope.extend(RedisStore.make({ ...connectionOptions(options.target), prefix }), storeScope)
      const bucket = yield* Effect.provideService(Bucket.make, Bucket.RateLimiterStore, store)

      yield* Effect.addFinalizer(() =>
        Effect.zipRight(
          lost === undefined
            ? call(() => redis.multi().zrem(keys.collectors, id).pexpire(keys.bucket, KEEP_MS).pexpire(keys.refill, KEEP_MS).exec()).pipe(Effect.asVoid)
            : Effect.void,
          Scope.close(storeScope, Exit.void)
        ).pipe(Effect.catchAllCause(() => Effect.void))
      )
      yield* register(false).pipe(
        Effect.delay(HEARTBEAT),
        Effect.forever,
        Effect.withClock(Clock.make()),
        Effect.ignore,
        Effect.forkScoped
      )

      /** The shared state, with the climb earned since the last call applied. */
      const state = (target: number, burst: number, pace: number) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const climb = pendingClimb
          pendingClimb = 0
          const [pause, epoch, rate, n] = yield* call(() =>
            redis.budgetState(keys.pause, keys.epoch, keys.rate, keys.collectors, keys.bucket, keys.refill, now, target, climb, burst, pace, KEEP_MS)
          )
          seen(n)
          pausedUntil = pause === "" ? 0 : Number(pause)
          return { now, pausedUntil, epoch, rate: rate === "" ? target : Math.min(target, Number(rate)) }
        })

      const take = Effect.fn("SharedBudget.take")(function*(target: number, burst: number, pace: number) {
        while (true) {
          const before = yield* state(target, burst, pace)
          if (before.pausedUntil > before.now) {
            yield* Effect.sleep(Duration.millis(Math.ceil(before.pausedUntil - before.now)))
            continue
          }
          const { delay } = yield* bucket.consume({
            algorithm: "token-bucket",
            onExceeded: "delay",
            window: Duration.millis((burst * 1000) / (before.rate * pace)),
            limit: burst,
            key: "bucket"
          }).pipe(Effect.mapError((e) => lose("cause" in e && e.cause !== undefined ? e.cause : e)))
          const wait = Math.ceil(Duration.toMillis(delay))
          if (wait <= 0) return before.rate
          yield* Effect.sleep(Duration.millis(wait))
          // A pause set while we waited emptied the bucket, reservations included: take again.
          const after = yield* state(target, burst, pace)
          if (after.epoch === before.epoch) return after.rate
        }
      })

      const pause = Effect.fn("SharedBudget.pause")(function*(until: number) {
        const now = yield* Clock.currentTimeMillis
        pausedUntil = Math.max(pausedUntil, until)
        yield* call(() => redis.budgetPause(keys.pause, keys.epoch, keys.bucket, keys.refill, until, Math.ceil(until - now) + PAUSE_KEEP_MS, KEEP_MS))
      })

      const throttled = Effect.fn("SharedBudget.throttled")(function*(policy: ThrottlePolicy) {
        const now = yield* Clock.currentTimeMillis
        const [event, decreased, rate] = yield* call(() =>
          redis.budgetThrottled(
            keys.rate,
            keys.throttle,
            keys.bucket,
            keys.refill,
            now,
            policy.target,
            policy.beta,
            policy.floor,
            policy.sameEventMs,
            policy.recurMs,
            policy.adaptive ? 1 : 0,
            KEEP_MS
          )
        )
        return { event: event === 1, decreased: decreased === 1, rate: Math.min(policy.target, Number(rate)) } satisfies Throttle
      })

      const climb = (by: number) => {
        pendingClimb += by
      }

      return {
        /** Where the budget is kept: the Redis URL without its password. */
        where,
        /**
         * Waits for a token from the shared bucket, which refills at `pace` x the shared rate
         * (`target` until a decrease is published) and holds `burst`; returns that shared rate.
         * Nothing is taken during a shared pause.
         */
        take,
        /** Publishes a pause until `until` (Clock ms) to every collector. */
        pause,
        /** A 429 was seen: one decrease per recurring event, whichever collectors saw it. */
        throttled,
        /** Successes raise the shared rate; the climb goes to Redis with the next `take`. */
        climb,
        /** Collectors registered, as last seen, and the most at once while this one was (at least 1: this one). */
        collectors: () => ({ collectors, mostCollectors: most })
      } as const
    })
}) {}
