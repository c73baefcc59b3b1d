import { Effect, TestClock } from "effect"

// Before it wakes each sleep, TestClock waits for the test's fibers to settle: it compares their
// states across a yield to the event loop, three times per wake, and that yield is a
// `setTimeout(0)`, which Node holds for at least 1 ms. A test whose clock wakes thousands of
// sleeps (a limiter's token waits, every request's timeout) spends seconds on those timers alone.
// `setImmediate` yields to the event loop the same way (after its I/O poll), without the 1 ms.
// For tests whose fibers wait on nothing real but the clock: no network, no process.
const settle = Effect.async<void>((resume) => {
  const id = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(id))
})

/** Makes this test's TestClock let the fibers settle with `setImmediate` rather than a 1 ms timer. */
export const quickTestClock = Effect.flatMap(TestClock.testClock(), (clock) =>
  Effect.sync(() => {
    const fields = clock as unknown as { yieldTimer?: Effect.Effect<void> }
    // Loudly, should Effect rename it: the tests would only run slower, and nobody would know.
    if (!Effect.isEffect(fields.yieldTimer)) throw new Error("TestClock has no yieldTimer to replace: see test/support/quickClock.ts")
    fields.yieldTimer = settle
  }))
