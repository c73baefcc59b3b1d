import { Clock, Duration, Effect, Exit, Scope } from "effect"

// `Effect.timeout` races a request against a sleep in two forked fibers, and forking copies and
// then merges every FiberRef: at one request per movie that was about a quarter of the client's
// CPU (measured in-process over a scripted transport, with the CLI's heap flags). Every request of a client has the same timeout, so
// their deadlines come in the order the requests start: one watchdog fiber walks them, and a
// request still running at its deadline has its HTTP exchange aborted by closing its scope
// (`HttpClient.withScope` ties the request's AbortController to that scope). The request then
// fails as its transport saw the abort, and `within` tells that failure for the timeout it was.

interface Entry {
  readonly deadline: number
  /**
   * The request's scope until it ends; undefined once it has. A finished entry waits for the
   * array's compaction, and must not hold the request's objects meanwhile.
   */
  scope: Scope.CloseableScope | undefined
  expired: boolean
}

// Finished entries are cut from the front of the array in batches of at least this many, so a
// request's end costs O(1) however many are in flight.
const COMPACT_AT = 1_024

// Clock's milliseconds, as Effect's own sleeps and TestClock count them (its nanoseconds fail on
// the fractional times a jittered retry gives TestClock).
const nowMs = Clock.currentTimeMillis

/** A watchdog over the requests of one client, each given `timeoutMs` to complete. */
export const makeDeadlines = (timeoutMs: number) =>
  Effect.gen(function*() {
    // Deadlines ascending: one timeout for all, registered as the requests start.
    const pending: Array<Entry> = []
    let head = 0
    const wake = yield* Effect.makeLatch(false)

    /** Skips what has finished; returns the first entry still running, if any. */
    const firstRunning = () => {
      while (head < pending.length && pending[head]!.scope === undefined) head++
      if (head >= COMPACT_AT || head === pending.length) {
        pending.splice(0, head)
        head = 0
      }
      return pending[head]
    }

    const watchdog = Effect.gen(function*() {
      while (true) {
        if (firstRunning() === undefined) {
          // Closed before the second look, so a request registered in between still wakes it.
          yield* wake.close
          if (firstRunning() === undefined) yield* wake.await
          continue
        }
        const entry = pending[head]!
        const now = yield* nowMs
        // The request may have ended, and the array moved on, while this fiber was paused.
        if (pending[head] !== entry) continue
        if (entry.deadline > now) {
          yield* Effect.sleep(Duration.millis(entry.deadline - now))
          continue
        }
        head++
        entry.expired = true
        if (entry.scope !== undefined) yield* Scope.close(entry.scope, Exit.void)
      }
    })
    yield* Effect.forkScoped(watchdog)

    /**
     * Runs `self` (the exchange, body read included) with a scope that is closed at its deadline;
     * a failure after that is `onTimeout()`.
     */
    const within = <A, E, E1>(self: Effect.Effect<A, E, Scope.Scope>, onTimeout: () => E1): Effect.Effect<A, E | E1> =>
      Effect.flatMap(Scope.make(), (scope) =>
        Effect.flatMap(nowMs, (now) => {
          const entry: Entry = { deadline: now + timeoutMs, scope, expired: false }
          pending.push(entry)
          wake.unsafeOpen()
          return Scope.extend(self, scope).pipe(
            Effect.catchAll((e) => Effect.fail(entry.expired ? onTimeout() : e)),
            Effect.onExit((exit) => {
              entry.scope = undefined
              // Most requests end in the order they started: the head moves on at once, so what
              // is kept is what is in flight, not a timeout's worth of finished requests.
              firstRunning()
              // A request that succeeded has been read to its end: there is nothing left to
              // abort. Its scope holds nothing but `withScope`'s `controller.abort()`, since the
              // client given to the TMDB client cannot ask for a Scope of its own (its type's R is
              // never). The abort would build a DOMException and dispatch an event for every
              // request, for nothing: about 2% of the main thread at 40 req/s in a CPU profile.
              return Exit.isSuccess(exit) ? Effect.void : Scope.close(scope, Exit.void)
            })
          )
        }))

    return { within } as const
  })
