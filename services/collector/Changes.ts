import { Clock, Duration, Effect } from "effect"
import { failureKind, type TmdbError } from "../../src/Errors.js"
import type { AnyKind } from "../../src/RecordKind.js"
import { DAY, now } from "../../src/Time.js"
import { readChanges, readExport } from "./Catalogue.js"
import { type RunState, tallyOf } from "./Tally.js"
import type { Units } from "./Work.js"

// Phase 2, for each kind of record: its whole catalogue (`all`: every id of the latest daily ID
// export), then what its changes feed lists since its mark. One collector of a generation does
// both, as one unit: the changes need the export's ids to tell what is new.

export const catalogueUnits = (run: RunState, kind: AnyKind): Units => run.work.units([run.options.all === true ? kind.units.catalogue : kind.units.changes])

/** Reads the kind's export (with `all`) and its changes into the run's tally. */
export const readCatalogue = (run: RunState, kind: AnyKind, staleAfter: Duration.Duration) => (_units: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { options } = run
    const tally = tallyOf(run, kind)
    if (run.exporting !== undefined && kind.exports !== undefined) {
      tally.exported = yield* readExport(run.repo, run.exporting.exports, kind, run.exporting.date, options, yield* now, run.progress)
    }
    const feed = kind.changes
    if (feed === undefined) return
    tally.changes = yield* readChanges(run.client, run.repo, { ...kind, changes: feed }, yield* Clock.currentTimeMillis, {
      // A linked kind keeps what stored movies name: an id new to its feed is not one of them.
      all: options.all === true && kind.linked === undefined,
      includeAdult: options.includeAdult === true,
      listed: tally.exported?.listed,
      readBackDays: Math.floor(Duration.toMillis(staleAfter) / DAY),
      // With `all`, the first request TMDB's API sees: see `unreachable`.
      probe: options.all === true
    })
  })

/**
 * With `all`: when the first request to TMDB's API shows it is not there (a wrong TMDB_BASE_URL, a
 * refused key, no answer), the run stops before every record fails and a 404 from the wrong
 * server marks them all removed. TMDB busy (5xx, 429 after the retries) is not fatal: the changes
 * are read again next run.
 */
export const failIfUnreachable = (run: RunState, kind: AnyKind): Effect.Effect<void, TmdbError> => {
  const error = run.options.all === true ? tallyOf(run, kind).changes?.unreachable : undefined
  const busy = error !== undefined && (failureKind(error) === "server" || failureKind(error) === "rate_limited")
  return error === undefined || busy ? Effect.void : Effect.fail(error)
}
