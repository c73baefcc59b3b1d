import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, type Scope, TestClock } from "effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { makeDeadlines } from "../services/tmdbClient/Deadlines.js"

// The TMDB client's watchdog (services/tmdbClient/Deadlines.ts): a request's scope is what aborts
// its HTTP exchange. `withScope` hangs the abort on it as a finalizer, as `request` does here.

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

/** A request that hangs its abort on its scope, then ends as `end` does. */
const request = <A, E>(end: Effect.Effect<A, E>) => {
  const seen = { aborted: false }
  const effect = Effect.zipRight(Effect.addFinalizer(() => Effect.sync(() => (seen.aborted = true))), end)
  return { seen, effect }
}

describe("Deadlines", () => {
  it.scoped("a request that succeeds is not aborted; one that fails is", () =>
    Effect.gen(function*() {
      const { within } = yield* makeDeadlines(1_000)
      const ok = request(Effect.succeed("body"))
      expect(yield* within(ok.effect, () => "timeout")).toBe("body")
      expect(ok.seen.aborted).toBe(false)
      const failed = request(Effect.fail("reset"))
      expect(yield* Effect.flip(within(failed.effect, () => "timeout"))).toBe("reset")
      expect(failed.seen.aborted).toBe(true)
    }))

  it.scoped("a request still running at its deadline is aborted, and fails as timed out", () =>
    Effect.gen(function*() {
      const { within } = yield* makeDeadlines(1_000)
      // A transport that fails once its request is aborted, as undici does.
      const transport = yield* Deferred.make<string, string>()
      let aborted = false
      const exchange = Effect.zipRight(
        Effect.addFinalizer(() => Effect.zipRight(Effect.sync(() => (aborted = true)), Deferred.fail(transport, "aborted"))),
        Deferred.await(transport)
      )
      const fiber = yield* Effect.fork(within(exchange, () => "timeout"))
      yield* TestClock.adjust("999 millis")
      expect(aborted).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(yield* Effect.flip(Fiber.join(fiber))).toBe("timeout")
      expect(aborted).toBe(true)
    }))

  it.scopedLive("a request that ended is not kept: the watchdog lets go of what its scope held", () =>
    Effect.gen(function*() {
      const { within } = yield* makeDeadlines(60_000)
      // What a finished request's scope held (the platform's AbortController, and through it the
      // transport's request), reachable only from there.
      const held = (): [Effect.Effect<void, never, Scope.Scope>, WeakRef<object>] => {
        const exchange = { buffers: new Array(1_000).fill("x") }
        return [Effect.asVoid(Effect.addFinalizer(() => Effect.sync(() => exchange.buffers.length))), new WeakRef(exchange)]
      }
      // One request that is still running, started first, as one of the concurrency's worth
      // always is in a run: finished entries behind it wait in the watchdog's array.
      const running = yield* Deferred.make<void>()
      yield* Effect.forkScoped(within(Effect.zipRight(Deferred.succeed(running, undefined), Effect.never), () => "timeout"))
      yield* Deferred.await(running)
      const refs = yield* Effect.forEach(Array.from({ length: 20 }), () =>
        Effect.suspend(() => {
          const [effect, ref] = held()
          return Effect.as(within(effect, () => "timeout"), ref)
        }))
      // A turn of the event loop first: a WeakRef's target lives until the end of the job that made it.
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      gc()
      expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0)
    }))
})
