import type { SqlError } from "@effect/sql/SqlError"
import { Cause, Clock, type ConfigError, Effect, Exit, Option } from "effect"
import type { CollectionOptions, CollectionSummary } from "../src/Collection.js"
import type { DatabaseError } from "../src/Database.js"
import type { TmdbError } from "../src/Errors.js"
import { changesLagIs, runDuration } from "../src/Metrics.js"
import { collectorName } from "../src/Process.js"
import { daysBehind, iso, now } from "../src/Time.js"
import { catalogueUnits, failIfUnreachable, readCatalogue } from "./collector/Changes.js"
import { fetchDetails } from "./collector/Details.js"
import { discover, discoveryUnits } from "./collector/Discovery.js"
import { prepare } from "./collector/Prepare.js"
import { sharedWork } from "./collector/SharedWork.js"
import { summarize } from "./collector/Summary.js"
import { emptyTally, type RunState, tallyOf } from "./collector/Tally.js"
import { aloneWork } from "./collector/Work.js"
import { Coordination } from "./Coordination.js"
import { MovieRepository } from "./MovieRepository.js"
import { RateLimiter } from "./RateLimiter.js"
import { TmdbClient } from "./TmdbClient.js"
import { type ExportError, TmdbExports } from "./TmdbExports.js"

/**
 * The collection workflow: discover, read the catalogue and its changes, fetch the details that
 * are needed, and store every step as it completes. Its phases are in `./collector/`; it runs
 * alone or among collectors sharing a database (when `Coordination` is provided) by the same path.
 */
export class Collector extends Effect.Service<Collector>()("tmdb/Collector", {
  accessors: true,
  effect: Effect.gen(function*() {
    const client = yield* TmdbClient
    const repo = yield* MovieRepository
    const limiter = yield* RateLimiter
    // Only `all` needs the exports: a years-only app need not provide them.
    const exports = Option.getOrUndefined(yield* Effect.serviceOption(TmdbExports))
    // Only a database many collectors can share provides it (PostgreSQL); alone otherwise.
    const coordination = Option.getOrUndefined(yield* Effect.serviceOption(Coordination))

    const run = Effect.fn("Collector.run")(function*(
      given: CollectionOptions
    ): Effect.fn.Return<CollectionSummary, TmdbError | SqlError | DatabaseError | ExportError | ConfigError.ConfigError> {
      const startedMs = yield* Clock.currentTimeMillis
      // Checked, and the export found, before the run is recorded: a bad option writes nothing.
      const { endYear, exporting, kinds, options, recorded, staleAfter } = yield* prepare(given, startedMs, exports, client.settings.baseUrl)
      const runId = yield* repo.startRun(recorded, iso(startedMs), { alone: coordination === undefined, collector: collectorName() })
      return yield* Effect.gen(function*() {
        const work = coordination === undefined
          ? aloneWork(repo, iso(startedMs))
          : yield* sharedWork(coordination, runId, client.settings.maxConcurrent, kinds)
        const state: RunState = {
          runId,
          startedMs,
          options,
          kinds,
          exporting,
          client,
          repo,
          work,
          tally: emptyTally(kinds),
          progress: given.onProgress ?? (() => {})
        }
        const discovery = discoveryUnits(state, endYear)

        // 1. Discover (movies). Then for each kind: 2. its export and its changes; 3. details,
        // taking over what a dead collector left (its years, its changes) once it expires.
        yield* discovery.take(discover(state))
        for (const kind of kinds) {
          // Collections, companies, people: what the movies stored by now name.
          tallyOf(state, kind).linked = yield* repo.linkRecords(kind, yield* now)
          const catalogue = catalogueUnits(state, kind)
          const takeCatalogue = catalogue.take(readCatalogue(state, kind, staleAfter)).pipe(Effect.tap(() => failIfUnreachable(state, kind)))
          const takeOver = Effect.zipWith(discovery.take(discover(state)), takeCatalogue, (years, changes) => years || changes)
          yield* takeCatalogue
          yield* fetchDetails(state, kind, staleAfter, catalogue, takeOver)
        }
        // 4. The changes are stored: move each mark (a failed page left it).
        for (const kind of kinds) {
          const markTo = tallyOf(state, kind).changes?.markTo
          if (markTo !== undefined) yield* repo.setMark(kind.marks.changes, markTo, yield* now)
          const mark = kind.changes === undefined ? undefined : yield* repo.getMark(kind.marks.changes)
          if (mark !== undefined) changesLagIs(kind.name, daysBehind(mark, startedMs))
        }

        const summary = summarize({
          runId,
          all: options.all === true,
          tally: state.tally,
          feeds: new Set(kinds.filter((kind) => kind.changes !== undefined).map((kind) => kind.name)),
          shared: work.shared(),
          units: discovery.size + kinds.length,
          client: yield* client.stats,
          limiter: yield* limiter.stats,
          durationMs: (yield* Clock.currentTimeMillis) - startedMs
        })
        yield* repo.finishRun(runId, summary.complete ? "complete" : "incomplete", summary, yield* now)
        runDuration.unsafeUpdate(summary.durationMs / 1000, [])
        return summary
      }).pipe(
        // A failure (a rejected key) interrupts the fibers beside it: interrupted only when
        // interruption is all there was.
        Effect.onExit((exit) =>
          Exit.isSuccess(exit) ?
            Effect.void :
            Effect.flatMap(now, (at) => repo.finishRun(runId, Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failed", null, at)).pipe(Effect.ignore)
        ),
        Effect.scoped
      )
    })
    return {
      /**
       * One collection run: discover the years asked for (or read the daily ID export with
       * `all`), read the changes since the last run, and fetch the details that are new, changed,
       * failed before or stale, storing each step as it completes. The run is recorded in
       * `collection_runs`; its summary says what it did and whether it is complete.
       */
      run
    } as const
  })
}) {}
