import { Effect } from "effect"

// better-sqlite3 and zlib are synchronous: a statement or a compression holds the event loop until
// it returns, and a batch's writes run back to back inside one transaction. Responses, timers and
// signals wait meanwhile. A write calls `breathe` between its statements and hands the loop back
// once it has held it for HOLD_MS, so nothing waits for more than that plus one statement
// (BENCHMARKS.md, storage: the event loop's delay while committing).

// Handing the loop back costs one turn of it; with 4 ms of work between turns, the storage
// benchmark writes as fast as with a turn every 50 movies (BENCHMARKS.md, storage). On
// PostgreSQL a statement awaits the server, which hands the loop back anyway: there `breathe`
// yields a little more often than it needs to, at the cost of a turn.
const HOLD_MS = 4

// Module-wide on purpose: the loop is shared, so whichever write last handed it back started the
// current hold, whatever transaction it belonged to.
let heldSince = performance.now()

/** Back to the event loop: `setImmediate` runs after pending I/O, unlike a fiber yield. */
export const toEventLoop = Effect.async<void>((resume) => {
  const handle = setImmediate(() => {
    heldSince = performance.now()
    resume(Effect.void)
  })
  return Effect.sync(() => clearImmediate(handle))
})

/** `toEventLoop` once the loop has been held for HOLD_MS since it was last handed back, else nothing. */
export const breathe: Effect.Effect<void> = Effect.suspend(() => performance.now() - heldSince >= HOLD_MS ? toEventLoop : Effect.void)
