import { Clock, Duration, Effect, Option, Stream } from "effect"
import type { AnyKind } from "../../src/RecordKind.js"
import { type SelectionPolicy, staleHorizons } from "../../src/Storage.js"
import type { ChangesRead } from "./Catalogue.js"
import { fetchAll } from "./Fetch.js"
import { type KindTally, type RunState, tallyOf } from "./Tally.js"
import type { Units } from "./Work.js"

// Phase 3, for each kind of record: details. Records new in the changes first, as they have no
// row yet; then what the store chooses (alone) or what this collector claims (among others),
// until nothing is left.

/**
 * Which stored records need details now, as of `nowMs`. `shareBefore`: details fetched before it
 * are the run's even share of the refreshes (`every`), due however young.
 */
const policyOf = (run: RunState, tally: KindTally, nowMs: number, staleAfterMs: number, shareBefore: string | undefined): SelectionPolicy => {
  const horizons = staleHorizons(nowMs, staleAfterMs)
  return {
    ...horizons,
    staleBefore: shareBefore !== undefined && shareBefore > horizons.staleBefore ? shareBefore : horizons.staleBefore,
    // Only the collector that stored the export knows it is stored.
    exportDate: tally.exported === undefined ? undefined : run.exporting?.date,
    exportsSince: tally.exported?.since,
    // What any collector of the generation tried already waits for the next run.
    attemptedBefore: run.work.attemptedBefore
  }
}

/**
 * Fetches the records of `kind` that need details. `retake` takes over the shared units a dead
 * collector left (its years, its changes) and says whether it ran any; the changes it reads bring
 * new ids of their own. With `all`, nothing is fetched while another collector holds the kind's
 * `catalogue` unit.
 */
export const fetchDetails = <E, R>(run: RunState, kind: AnyKind, staleAfter: Duration.Duration, catalogue: Units, retake: Effect.Effect<boolean, E, R>) =>
  Effect.gen(function*() {
    const { options, repo, work } = run
    const tally = tallyOf(run, kind)
    const limit = options.refreshLimit
    const left = () => (limit ?? Infinity) - tally.chosen
    const nowMs = yield* Clock.currentTimeMillis
    const staleAfterMs = Duration.toMillis(staleAfter)
    // A run repeated every `every` refreshes the share of the stored details that the stale rule
    // would bring due over that time, the longest fetched first: over `staleAfter`, every record
    // once, at the same cost each run.
    const shareBefore = options.every === undefined || staleAfterMs === 0
      ? undefined
      : yield* repo.shareHorizon(kind, Duration.toMillis(Duration.decode(options.every)) / staleAfterMs)
    const policy = () => policyOf(run, tally, nowMs, staleAfterMs, shareBefore)
    // Within what is left of the limit: a takeover's late ids count against it too.
    const freshOf = (read: ChangesRead | undefined) => limit === undefined ? read?.newIds ?? [] : (read?.newIds ?? []).slice(0, Math.max(0, left()))
    const fresh = new Set<number>()
    const total = limit === 0
      ? 0
      : Math.min(limit ?? Infinity, freshOf(tally.changes).length + (yield* repo.countForDetails(policy(), kind)))
    const fetch = <E2, R2>(ids: Stream.Stream<number, E2, R2>) => fetchAll(run, kind, ids, fresh, total)

    // The changes' new ids, once per reading of the changes (a takeover reads them late).
    let freshFrom: ChangesRead | undefined
    const fetchFresh = Effect.suspend(() => {
      if (tally.changes === freshFrom) return Effect.void
      freshFrom = tally.changes
      const ids = freshOf(freshFrom)
      for (const id of ids) fresh.add(id)
      return ids.length === 0 ? Effect.void : fetch(Stream.fromIterable(ids))
    })

    yield* fetchFresh
    // With `all`, a collector with nothing left to fetch still waits for the catalogue unit, to take
    // it over if its holder dies: the export and the changes are read once per generation.
    while (left() > 0 || (options.all === true && catalogue.held())) {
      // With `all`, the others wait for the export: its one long transaction and their writes
      // would lock the same rows in different orders.
      if (!(options.all === true && catalogue.held())) {
        const next = yield* work.next(kind, policy(), left)
        if (Option.isSome(next)) {
          yield* fetch(next.value)
          continue
        }
      }
      // Nothing to fetch now. A dead collector's units are taken over once they expire; while
      // another collector is alive and holds work, what it holds may come back: wait for it.
      if (yield* retake) {
        yield* fetchFresh
        continue
      }
      if (!(yield* work.othersBusy(kind))) {
        // That check frees a dead collector's units at once: one more look before leaving.
        if (yield* retake) {
          yield* fetchFresh
          continue
        }
        break
      }
      yield* Effect.sleep(Duration.seconds(1))
    }
  })
