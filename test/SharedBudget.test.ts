import { describe, expect, it } from "@effect/vitest"
import { Cause, Chunk, Clock, Context, Effect, Exit, Fiber, Layer, Logger, Option, Redacted, TestClock } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"
import { RedisError, SharedBudgetRedis } from "../layers/Redis.js"
import { scriptedHttp } from "../layers/TestHttp.js"
import { TmdbSharedClientLayer } from "../layers/Tmdb.js"
import { RateLimiter } from "../services/RateLimiter.js"
import { TmdbClient } from "../services/TmdbClient.js"
import type { LimiterOptions } from "../src/Config.js"
import { answer, base, movie } from "./support/client.js"
import { REDIS_URL, requireServer } from "./support/services.js"

// Collectors are simulated as separate limiters, each with its own connections to Redis, as
// separate processes would have. The bucket script takes `now` from our Clock, so time is the
// TestClock's; only the Redis round trips are real, and `drive` waits for them between steps.

const redis = await requireServer("Redis", "the shared rate budget tests")

let serial = 0
/** Every test has budgets of its own, so test files and reruns never share a bucket. */
const uniqueName = (label: string) => `test:${label}:${process.pid}:${Date.now().toString(36)}:${serial++}`

const collector = (url: string, name: string, options: LimiterOptions) =>
  Layer.build(
    RateLimiter.Default({ adaptive: false, maxPause: "60 seconds", maxConcurrent: 1000, ...options }).pipe(
      Layer.provide(SharedBudgetRedis(url, { name }))
    )
  ).pipe(Effect.map((ctx) => Context.get(ctx, RateLimiter)))

const localLimiter = (options: LimiterOptions) =>
  Effect.provide(RateLimiter, RateLimiter.Default({ adaptive: false, maxPause: "60 seconds", maxConcurrent: 1000, ...options }))

/** A queue of `n` requests on `limiter`, each noting its start time. */
const load = (limiter: RateLimiter, n: number) =>
  Effect.gen(function*() {
    const starts: Array<number> = []
    const fiber = yield* Effect.forEach(
      Array.from({ length: n }),
      () => limiter.withPermit(Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => starts.push(t)))),
      { concurrency: "unbounded", discard: true }
    ).pipe(Effect.fork)
    return { starts, fiber, waiting: () => starts.length < n }
  })

type Load = Effect.Effect.Success<ReturnType<typeof load>>

const realTick = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Moves the TestClock from one pending sleep to the next, up to `until`. Before each move it
 * waits, on the wall clock, until every load with requests left is asleep again (one fiber per
 * limiter waits for a token at a time; the others queue behind it), so real Redis round trips
 * finish first. Dies if that takes more than 5 s: a stall.
 */
const drive = (loads: ReadonlyArray<Load>, until = Number.POSITIVE_INFINITY) =>
  Effect.gen(function*() {
    while (true) {
      const deadline = Date.now() + 5_000
      let sleeps = Chunk.toArray(yield* TestClock.sleeps())
      const waiting = () => loads.filter((l) => l.waiting()).length
      while (sleeps.length < waiting()) {
        if (Date.now() > deadline) return yield* Effect.dieMessage(`stalled: ${waiting()} loads waiting, ${sleeps.length} asleep`)
        yield* realTick
        sleeps = Chunk.toArray(yield* TestClock.sleeps())
      }
      if (waiting() === 0) return
      const next = Math.min(...sleeps)
      if (next > until) return
      yield* TestClock.setTime(next)
    }
  })

/** The most starts in any closed interval, minus what a bucket of `burst` at `rps` allows in it. */
const worstExcess = (starts: ReadonlyArray<number>, burst: number, rps: number) => {
  let worst = Number.NEGATIVE_INFINITY
  for (let i = 0; i < starts.length; i++) {
    for (let j = i; j < starts.length; j++) {
      worst = Math.max(worst, j - i + 1 - (burst + (rps * (starts[j]! - starts[i]!)) / 1000))
    }
  }
  return worst
}

const sorted = (...lists: ReadonlyArray<ReadonlyArray<number>>) => lists.flat().sort((a, b) => a - b)
/** Starts per second from the first to the last. */
const rateOf = (starts: ReadonlyArray<number>) => ((starts.length - 1) * 1000) / (starts.at(-1)! - starts[0]!)

/** A Redis server of our own, to kill mid-run or to give a password. */
const ownRedis = (...args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const port = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as net.AddressInfo
          probe.close(() => resolve(port))
        })
      })
      const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no", "--daemonize", "no", ...args], {
        stdio: "ignore"
      })
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
      for (let i = 0; i < 300; i++) {
        const up = await new Promise<boolean>((resolve) => {
          const s = net.connect({ host: "127.0.0.1", port }, () => resolve(true)).once("error", () => resolve(false))
          s.once("connect", () => s.destroy())
        })
        if (up) break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      const kill = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        return exited
      }
      return { port, url: `redis://127.0.0.1:${port}`, kill, signal: (signal: NodeJS.Signals) => child.kill(signal) }
    }),
    (server) => Effect.promise(server.kill)
  )

describe.skipIf(!redis)("SharedBudget (Redis)", () => {
  it.scoped("two collectors on one budget at R let through R per second in total, not 2R", () =>
    Effect.gen(function*() {
      const name = uniqueName("total")
      const [rps, burst, n] = [20, 4, 60]
      const a = yield* load(yield* collector(REDIS_URL, name, { requestsPerSecond: rps, burst }), n)
      const limiterB = yield* collector(REDIS_URL, name, { requestsPerSecond: rps, burst })
      const b = yield* load(limiterB, n)
      yield* drive([a, b])
      yield* Fiber.join(a.fiber)
      yield* Fiber.join(b.fiber)
      const all = sorted(a.starts, b.starts)
      expect(all).toHaveLength(2 * n)
      // Over any interval t, both together started at most burst + R*t; from one token (slow start).
      expect(worstExcess(all, burst, rps)).toBeLessThanOrEqual(1e-6)
      expect(worstExcess(all, 1, rps)).toBeLessThanOrEqual(1e-6)
      // Paced a little under R (PACE 0.985), in total.
      expect(rateOf(all)).toBeGreaterThanOrEqual(0.97 * rps)
      expect(rateOf(all)).toBeLessThanOrEqual(rps)
      // Neither collector was starved: each had about half of the first half.
      const firstHalf = all[n - 1]!
      expect(a.starts.filter((t) => t <= firstHalf).length).toBeGreaterThanOrEqual(n / 2 - 6)
      const stats = yield* limiterB.stats
      expect(stats).toMatchObject({ budget: "shared", collectors: 2, currentRate: rps })
    }))

  it.scoped("without the budget, the same two collectors start 2R per second (what the test above rules out)", () =>
    Effect.gen(function*() {
      const [rps, burst, n] = [20, 4, 60]
      const a = yield* load(yield* localLimiter({ requestsPerSecond: rps, burst }), n)
      const b = yield* load(yield* localLimiter({ requestsPerSecond: rps, burst }), n)
      yield* drive([a, b])
      const all = sorted(a.starts, b.starts)
      expect(worstExcess(all, burst, rps)).toBeGreaterThan(n / 2)
      expect(rateOf(all)).toBeGreaterThan(1.9 * rps)
    }))

  it.scoped("a Retry-After pause by one collector holds every collector; the bucket comes out of it empty", () =>
    Effect.gen(function*() {
      const name = uniqueName("pause")
      const [rps, burst, n] = [10, 2, 40]
      const limiterA = yield* collector(REDIS_URL, name, { requestsPerSecond: rps, burst })
      const limiterB = yield* collector(REDIS_URL, name, { requestsPerSecond: rps, burst })
      const a = yield* load(limiterA, n)
      const b = yield* load(limiterB, n)
      yield* drive([a, b], 1_000)
      const pausedAt = yield* Clock.currentTimeMillis
      const before = a.starts.length + b.starts.length
      expect(yield* limiterA.pause(3_000)).toBe(true)
      yield* drive([a, b])
      const after = sorted(a.starts, b.starts).filter((t) => t > pausedAt)
      expect(after).toHaveLength(2 * n - before)
      // Nothing started during the pause, B's requests included; the first token comes 1/rate
      // after its end, then the two are paced together, with no burst.
      expect(after[0]).toBeGreaterThanOrEqual(pausedAt + 3_000 + 100)
      expect(b.starts.filter((t) => t > pausedAt && t < pausedAt + 3_000)).toEqual([])
      expect(worstExcess(after, 1, rps)).toBeLessThanOrEqual(1e-6)
      expect((yield* limiterA.stats).pausedMs).toBe(3_000)
    }))

  it.scoped("a decrease by one collector paces the other; two collectors seeing one 429 event decrease once", () =>
    Effect.gen(function*() {
      const name = uniqueName("decrease")
      const options = { requestsPerSecond: 40, burst: 4, adaptive: true }
      const a = yield* collector(REDIS_URL, name, options)
      const b = yield* collector(REDIS_URL, name, options)
      // One event seen by both: counted once, and alone it lowers nothing.
      yield* a.record("throttled")
      yield* b.record("throttled")
      expect([(yield* a.stats).throttleEvents, (yield* b.stats).throttleEvents]).toEqual([1, 0])
      // A second event 2 s later, seen by both: one decrease, 40 -> 28, not 40 -> 19.6.
      yield* TestClock.adjust("2 seconds")
      yield* a.record("throttled")
      yield* b.record("throttled")
      const [sa, sb] = [yield* a.stats, yield* b.stats]
      expect(sa.decreases + sb.decreases).toBe(1)
      expect(sa.currentRate).toBeCloseTo(28, 9)
      expect(sb.currentRate).toBeCloseTo(28, 9)
      // B now paces at 28 (x 0.985), not at its configured 40.
      const paced = yield* load(b, 60)
      yield* drive([paced])
      const rate = rateOf(paced.starts.slice(1))
      expect(rate).toBeGreaterThanOrEqual(0.97 * 28)
      expect(rate).toBeLessThanOrEqual(28)
      // A decrease by B (the next event, within 10 s) reaches A: 28 -> 19.6.
      yield* TestClock.adjust("1 second")
      yield* b.record("throttled")
      const pacedA = yield* load(a, 40)
      yield* drive([pacedA])
      expect((yield* a.stats).currentRate).toBeCloseTo(19.6, 9)
      expect(rateOf(pacedA.starts.slice(1))).toBeLessThanOrEqual(19.6)
      // A's successes climb the shared rate, and B sees the climb at its next request.
      for (let i = 0; i < 50; i++) yield* a.record("ok")
      const more = yield* load(a, 1)
      yield* drive([more])
      const next = yield* load(b, 1)
      yield* drive([next])
      expect((yield* b.stats).currentRate).toBeGreaterThan(19.6 + 50 * (2 / 40) * 0.9)
    }))

  it.scoped("TmdbSharedClientLayer: clients of one TMDB host share a budget, another host's client has its own", () =>
    Effect.gen(function*() {
      const name = uniqueName("tmdb")
      const http = scriptedHttp(() => answer(200, movie(550)))
      const client = (baseUrl: string) =>
        Layer.build(TmdbSharedClientLayer({ ...base, baseUrl }, { redis: Redacted.make(REDIS_URL), name }).pipe(Layer.provide(http.layer)))
      const one = yield* client("https://tmdb.test/3")
      const two = yield* client("https://tmdb.test/3")
      const other = yield* client("https://other.test/3")
      expect((yield* Context.get(two, RateLimiter).stats).collectors).toBe(2)
      expect((yield* Context.get(other, RateLimiter).stats).collectors).toBe(1)
      // The first token of a fresh budget is there at once (slow start: one), so no clock is needed.
      expect((yield* Context.get(one, TmdbClient).getMovieDetails(550)).tmdbId).toBe(550)
      expect(yield* Context.get(one, RateLimiter).stats).toMatchObject({ budget: "shared", started: 1, currentRate: base.requestsPerSecond })
      expect(http.requests).toHaveLength(1)
    }))

  it.scoped("a collector that leaves is no longer counted, and the most seen at once is kept", () =>
    Effect.gen(function*() {
      const name = uniqueName("count")
      const a = yield* collector(REDIS_URL, name, { requestsPerSecond: 10, burst: 1 })
      yield* Effect.scoped(Effect.gen(function*() {
        yield* collector(REDIS_URL, name, { requestsPerSecond: 10, burst: 1 })
        const once = yield* load(a, 1)
        yield* drive([once])
        expect((yield* a.stats).collectors).toBe(2)
      }))
      const again = yield* load(a, 1)
      yield* drive([again])
      expect((yield* a.stats).collectors).toBe(1)
      // The run's summary still says the budget was shared: the most seen at once.
      expect((yield* a.stats).mostCollectors).toBe(2)
    }))

  // SIGKILL closes the sockets; SIGSTOP leaves them open and unanswered, which only the command
  // timeout notices.
  for (const signal of ["SIGKILL", "SIGSTOP"] as const) {
    it.scoped(`Redis going away mid-run (${signal}): each collector goes on at rate / N, says so in one line, never stalls`, () => {
      const lines: Array<string> = []
      return Effect.gen(function*() {
        const server = yield* ownRedis()
        const noisy: Array<string> = []
        const consoleError = console.error
        console.error = (...args: Array<unknown>) => void noisy.push(args.map(String).join(" "))
        yield* Effect.addFinalizer(() => Effect.sync(() => console.error = consoleError))
        const name = uniqueName("outage")
        const [rps, burst, n] = [20, 4, 80]
        const limiterA = yield* collector(server.url, name, { requestsPerSecond: rps, burst })
        const limiterB = yield* collector(server.url, name, { requestsPerSecond: rps, burst })
        const a = yield* load(limiterA, n)
        const b = yield* load(limiterB, n)
        yield* drive([a, b], 2_000)
        const killedAt = yield* Clock.currentTimeMillis
        const before = a.starts.length + b.starts.length
        yield* Effect.sync(() => server.signal(signal))
        yield* drive([a, b])
        yield* Fiber.join(a.fiber)
        yield* Fiber.join(b.fiber)
        expect(a.starts).toHaveLength(n)
        expect(b.starts).toHaveLength(n)
        const line = new RegExp(
          `^Redis at 127\\.0\\.0\\.1:${server.port} is unreachable \\(${
            signal === "SIGKILL" ? "connection closed" : "no answer within 500 ms"
          }\\): this collector now paces itself at 10 req/s \\(20 ÷ 2 collectors\\)$`
        )
        expect(lines).toHaveLength(2)
        for (const l of lines) expect(l).toMatch(line)
        expect(noisy).toEqual([])
        // Before: the shared 20/s. After: 10/s each, 20/s in total, and never over it.
        expect(before).toBeGreaterThanOrEqual(30)
        expect(before).toBeLessThanOrEqual(burst + 2 * rps)
        for (const l of [a, b]) {
          const after = l.starts.filter((t) => t > killedAt)
          expect(rateOf(after)).toBeGreaterThanOrEqual(0.97 * rps / 2)
          expect(rateOf(after)).toBeLessThanOrEqual(rps / 2)
        }
        expect(worstExcess(sorted(a.starts, b.starts), burst, rps)).toBeLessThanOrEqual(1e-6)
        expect(yield* limiterA.stats).toMatchObject({ budget: "fallback", currentRate: 10, collectors: 2 })
      }).pipe(
        Effect.provide(Logger.add(Logger.make(({ logLevel, message }) => {
          if (logLevel._tag === "Warning") lines.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
        })))
      )
    })
  }

  it.effect("an unreachable Redis, a wrong password or a bad URL fails at start with one line, and no password", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string | RegExp]> = [
        ["redis://:s3cret@127.0.0.1:1", "cannot reach Redis at 127.0.0.1:1: connection refused"],
        ["redis://user:s3cret@no-such-host.invalid:6379", "cannot reach Redis at no-such-host.invalid:6379: host not found"],
        ["http://:s3cret@127.0.0.1:6379", /^the Redis URL must start with redis:\/\/ or rediss:\/\//],
        ["redis://:s3cret@127.0.0.1:6379/zero", /^the Redis URL's database must be a number/],
        ["s3cret", /^the Redis URL is not a URL/]
      ]
      for (const [url, expected] of cases) {
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(SharedBudgetRedis(Redacted.make(url), { name: uniqueName("bad") }))))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isSuccess(exit)) continue
        const error = Option.getOrThrow(Cause.failureOption(exit.cause))
        expect(error).toBeInstanceOf(RedisError)
        if (typeof expected === "string") expect(error.message).toBe(expected)
        else expect(error.message).toMatch(expected)
        expect(error.message).not.toContain("\n")
        const shown = [error.message, String(error), JSON.stringify(error), Cause.pretty(exit.cause)].join("\n")
        expect(shown).not.toContain("s3cret")
      }
    }))

  it.scoped("a wrong password is refused at start, in one line that does not hold it", () =>
    Effect.gen(function*() {
      const server = yield* ownRedis("--requirepass", "right-one")
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(SharedBudgetRedis(`redis://:s3cret@127.0.0.1:${server.port}`))))
      const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
      expect(error?.message).toBe(`cannot reach Redis at 127.0.0.1:${server.port}: authentication failed`)
      expect(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "").not.toContain("s3cret")
      // The right password works.
      const ok = yield* Effect.exit(Effect.scoped(Layer.build(SharedBudgetRedis(`redis://:right-one@127.0.0.1:${server.port}`))))
      expect(Exit.isSuccess(ok)).toBe(true)
    }))
})
