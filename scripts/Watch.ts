import { Cause, Clock, Console, Duration, Effect, Exit, Option } from "effect"
import type { CollectionSummary } from "../src/Collection.js"
import { dayOf } from "../src/Time.js"
import { betweenRuns } from "./Sleeping.js"

// `--watch`: one run after another in one process, each recorded as a run of its own, sleeping
// between them. A run that fails for a reason that may pass (TMDB or the database unreachable, a
// full disk, a lock held too long) costs that run: the next comes after a backoff. A failure that
// will not pass (a refused key) ends the watch.

/** What the next run is told by the runs before it. */
export interface Watched {
  /** `--all`: the last daily export read; the next run reads one only when a newer one is out. */
  readonly lastExport: string | undefined
  /** Years: the day (UTC) discovery last completed; discovery runs once a day. */
  readonly discoveredOn: string | undefined
}

// After a failed run, the next comes 30 s later, then 1, 2, 4 min..., never later than `every`.
const FIRST_BACKOFF_MS = 30_000

const clock = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`

/**
 * Runs `run` now and then every `every` (from one start to the next; at once when a run took
 * longer), until it fails for good or is interrupted. `lasting`: whether a failure will not pass.
 */
export const watch = <E, R>(o: {
  readonly every: Duration.Duration
  readonly run: (watched: Watched) => Effect.Effect<CollectionSummary, E, R>
  readonly lasting: (error: E) => boolean
  readonly describe: (error: E) => string
}): Effect.Effect<never, E, R> =>
  Effect.gen(function*() {
    const everyMs = Duration.toMillis(o.every)
    let watched: Watched = { lastExport: undefined, discoveredOn: undefined }
    let failures = 0
    while (true) {
      const startedMs = yield* Clock.currentTimeMillis
      const exit = yield* Effect.exit(o.run(watched))
      let next: string
      if (Exit.isSuccess(exit)) {
        failures = 0
        const summary = exit.value
        watched = {
          lastExport: summary.export?.date ?? watched.lastExport,
          discoveredOn: summary.mode === "years" && summary.complete ? dayOf(startedMs) : watched.discoveredOn
        }
        next = "Next run"
      } else {
        const error = Cause.failureOption(exit.cause)
        // Interrupted, a defect, or a failure that will not pass: the watch ends as one run would.
        if (Option.isNone(error) || o.lasting(error.value)) return yield* Effect.failCause(exit.cause)
        failures++
        next = `Run failed: ${o.describe(error.value)}. Next try`
      }
      const nowMs = yield* Clock.currentTimeMillis
      const waitMs = failures === 0 ? Math.max(0, startedMs + everyMs - nowMs) : Math.min(everyMs, FIRST_BACKOFF_MS * 2 ** (failures - 1))
      yield* Console.error(`${next} at ${clock(nowMs + waitMs)}.`)
      yield* Effect.sync(() => (betweenRuns.sleeping = true))
      yield* Effect.sleep(Duration.millis(waitMs)).pipe(Effect.ensuring(Effect.sync(() => (betweenRuns.sleeping = false))))
    }
  })
