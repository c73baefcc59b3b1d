import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Option, Queue, TestClock } from "effect"
import { makeGathering } from "../services/collector/Gather.js"

// The details writer's wait for a batch (services/collector/Fetch.ts): it must wake as soon as
// what it waits for is queued, or the queue ends, and not later than its deadline; a paced run's
// commits, and what a kill can lose, depend on both.

/** A queue of answers, its gathering, and a writer's wait for `n` of them until `deadline`. */
const setup = Effect.gen(function*() {
  const queue = yield* Queue.bounded<number>(10)
  const gathering = yield* makeGathering(queue)
  const offer = (n: number) =>
    Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) => Effect.tap(Queue.offer(queue, i), gathering.offered), { discard: true })
  const wait = (n: number, deadline: number) => Effect.fork(gathering.awaitQueued(n, deadline))
  // Lets every fiber that can run do so, the alarm included, without moving the clock.
  const settle = Effect.zipRight(TestClock.adjust(0), Effect.yieldNow())
  const done = (fiber: Fiber.RuntimeFiber<void>) => Effect.map(Effect.zipRight(settle, Fiber.poll(fiber)), Option.isSome)
  return { gathering, offer, wait, done }
})

describe("a writer gathering answers", () => {
  it.scoped("wakes the moment the answers it waits for are queued, long before its deadline", () =>
    Effect.gen(function*() {
      const { done, offer, wait } = yield* setup
      const waiting = yield* wait(3, 1_000)
      yield* offer(2)
      expect(yield* done(waiting)).toBe(false)
      yield* TestClock.adjust("10 millis")
      yield* offer(1)
      expect(yield* done(waiting)).toBe(true)
      expect(yield* Clock.currentTimeMillis).toBe(10)
    }))

  it.scoped("with too few queued, waits until its deadline and not a millisecond less", () =>
    Effect.gen(function*() {
      const { done, offer, wait } = yield* setup
      yield* offer(1)
      const waiting = yield* wait(3, 1_000)
      yield* TestClock.adjust("999 millis")
      expect(yield* done(waiting)).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(yield* done(waiting)).toBe(true)
    }))

  it.scoped("the queue's end wakes it at once, however few are queued", () =>
    Effect.gen(function*() {
      const { done, gathering, wait } = yield* setup
      const waiting = yield* wait(5, 1_000)
      expect(yield* done(waiting)).toBe(false)
      gathering.ended()
      expect(yield* done(waiting)).toBe(true)
      // Once ended, nothing waits.
      expect(yield* done(yield* wait(5, 2_000))).toBe(true)
    }))

  it.scoped("an earlier wait's deadline, still set in the alarm, does not cut a later wait short", () =>
    Effect.gen(function*() {
      const { done, offer, wait } = yield* setup
      const first = yield* wait(2, 1_000)
      yield* TestClock.adjust("100 millis")
      yield* offer(2)
      expect(yield* done(first)).toBe(true)
      // The second batch's wait, with the first's items still queued: it needs 4.
      yield* TestClock.adjust("400 millis")
      const second = yield* wait(4, 1_500)
      yield* TestClock.adjust("500 millis") // t = 1,000: the first deadline
      expect(yield* done(second)).toBe(false)
      yield* TestClock.adjust("499 millis")
      expect(yield* done(second)).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(yield* done(second)).toBe(true)
    }))
})
