import type { SqlError } from "@effect/sql/SqlError"
import { Cause, Chunk, Clock, ConfigError, Duration, Effect, Either, Exit, Fiber, Option, Queue, Schedule, Stream } from "effect"
import { keepsDetails } from "../src/Catalogue.js"
import type { ChangesReport, CollectionOptions, CollectionSummary } from "../src/Collection.js"
import { appendSetting } from "../src/Config.js"
import type { DatabaseError } from "../src/Database.js"
import {
  DEFAULT_MIN_VOTE_COUNT,
  type DiscoverIncompleteEvent,
  type DiscoverPageFailedEvent,
  type DiscoverTruncatedEvent,
  discoveryComplete
} from "../src/Discover.js"
import { yearsOf } from "../src/DiscoverEvents.js"
import { type FailureKind, failureKind, type TmdbError, UnauthorizedError } from "../src/Errors.js"
import { CHANGES_MARK, type ChangesRead, readChanges, readExport } from "./CatalogueSync.js"
import { collectorName, Coordination, type Membership, type UnitState } from "./Coordination.js"
import { MovieRepository } from "./MovieRepository.js"
import { toEventLoop } from "./MovieWrites.js"
import { RateLimiter } from "./RateLimiter.js"
import { type DetailsOutcome, forEachMovieDetails, TmdbClient } from "./TmdbClient.js"
import { ExportError, TmdbExports } from "./TmdbExports.js"

const DAY = 86_400_000
const MAX_BATCH = 500
/** Ids chosen per round: a whole catalogue's million would not fit the CLI's 128 MB heap. */
const ROUND = 10_000
const GATHER_TURNS = 8
/**
 * Among collectors, movies that need ranking (changed, failed, stale) are claimed this many at a
 * time: their ranking scans the table, so one claim serves about 12 s of work at 40 req/s.
 */
const RANKED_CLAIM = 500
const DEFAULT_STALE_AFTER = Duration.days(90)
const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The collection workflow: discover, choose what needs details, fetch it, and store every step
 * as it completes. Built over the three services, so a test can give it fakes of any of them.
 */
export class Collector extends Effect.Service<Collector>()("tmdb/Collector", {
  accessors: true,
  effect: Effect.gen(function*() {
    const client = yield* TmdbClient
    const repo = yield* MovieRepository
    const limiter = yield* RateLimiter
    // Only `all` needs the exports: a years-only app need not provide them.
    const exports = yield* Effect.serviceOption(TmdbExports)
    // Only a database many collectors can share provides it (PostgreSQL); alone otherwise.
    const coordination = yield* Effect.serviceOption(Coordination)
    const run = (
      options: CollectionOptions
    ): Effect.Effect<CollectionSummary, TmdbError | SqlError | DatabaseError | ExportError | ConfigError.ConfigError> =>
      runFullCollection(options, exports, coordination).pipe(
        Effect.provideService(TmdbClient, client),
        Effect.provideService(MovieRepository, repo),
        Effect.provideService(RateLimiter, limiter)
      )
    return { run } as const
  })
}) {}

/** A collector among others on one database: what it shares them with. */
interface Shared {
  readonly coordination: Coordination["Type"]
  readonly membership: Membership
  /** The units of shared work this collector did; the others were done by another. */
  readonly did: Array<string>
}

const runFullCollection = Effect.fn("Collector.run")(function*(
  options: CollectionOptions,
  exportsService: Option.Option<TmdbExports>,
  coordinationService: Option.Option<Coordination["Type"]>
) {
  const repo = yield* MovieRepository
  const startedMs = yield* Clock.currentTimeMillis
  const endYear = options.endYear ?? new Date(startedMs).getUTCFullYear()
  if (options.all !== true && options.startYear === undefined) {
    return yield* Effect.fail(ConfigError.MissingData(["startYear"], "startYear is required unless all is set"))
  }
  // The export is found (and checked to be gzip) before the run is recorded: when none can be
  // had, the run writes nothing.
  const exports = options.all === true ? Option.getOrUndefined(exportsService) : undefined
  if (options.all === true && exports === undefined) {
    return yield* new ExportError({ message: "the whole catalogue (all) needs the TmdbExports service: provide TmdbExports.Default" })
  }
  const exportDate = exports === undefined ? undefined : yield* exports.locate(startedMs, { includeAdult: options.includeAdult })
  // Stored for a person to read: the horizon in days, not Effect's encoding of a Duration.
  const staleAfterDays = Duration.toDays(options.staleAfter ?? DEFAULT_STALE_AFTER)
  // Checked before the run is recorded: a bad list fails once, not once per movie.
  const append = yield* appendSetting(options.append)
  const runId = yield* repo.startRun(
    {
      ...options,
      // Recorded as it applied: discover's threshold, none with `all`.
      minVoteCount: options.all === true ? undefined : options.minVoteCount ?? DEFAULT_MIN_VOTE_COUNT,
      onProgress: undefined,
      staleAfter: undefined,
      staleAfterDays,
      endYear,
      append
    },
    iso(startedMs),
    { alone: Option.isNone(coordinationService), collector: collectorName() }
  )
  const exporting = exports === undefined || exportDate === undefined ? undefined : { exports, date: exportDate }
  const coordination = Option.getOrUndefined(coordinationService)
  const shared = coordination === undefined ? undefined : {
    coordination,
    membership: yield* coordination.join(runId),
    did: []
  } satisfies Shared
  // While the run lives its claims stay its own; a killed collector's expire and pass on.
  return yield* Effect.gen(function*() {
    const heartbeat = shared === undefined ? undefined : yield* Effect.forkScoped(
      Effect.ignore(shared.coordination.heartbeat(runId)).pipe(
        Effect.repeat(Schedule.spaced(Duration.millis(shared.coordination.leaseMs / 3)))
      )
    )
    return yield* collect(runId, startedMs, endYear, exporting, { ...options, append }, shared).pipe(
      Effect.onExit((exit) =>
        Effect.flatMap(Clock.currentTimeMillis, (t) =>
          Effect.all([
            Exit.isSuccess(exit) ? Effect.void : (
              // A failure (a rejected key) interrupts the fibers beside it: interrupted only when
              // interruption is all there was.
              repo.finishRun(runId, Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failed", null, iso(t)).pipe(Effect.ignore)
            ),
            // The heartbeat stops first, so none lands after the release to hold its claims again.
            heartbeat === undefined ? Effect.void : Fiber.interrupt(heartbeat),
            // What it held goes back at once, not when its leases expire.
            shared === undefined ? Effect.void : Effect.ignore(shared.coordination.release(runId))
          ], { discard: true }))
      )
    )
  }).pipe(Effect.scoped)
})

/**
 * Runs `work` once per generation of collectors: when this collector claims `unit`; another's
 * unit is `done` or `held` (in hand). Alone, the work always runs.
 */
const once = <A, E, R>(shared: Shared | undefined, runId: number, unit: string, work: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    if (shared === undefined) return { state: "claimed" as UnitState, result: Option.some(yield* work) }
    const state = yield* shared.coordination.claimUnit(shared.membership, runId, unit)
    if (state !== "claimed") return { state, result: Option.none<A>() }
    const result = yield* work
    yield* shared.coordination.finishUnit(shared.membership, runId, unit)
    shared.did.push(unit)
    return { state, result: Option.some(result) }
  })

const collect = Effect.fnUntraced(function*(
  runId: number,
  startedMs: number,
  endYear: number,
  exporting: { readonly exports: TmdbExports; readonly date: string } | undefined,
  options: CollectionOptions,
  shared: Shared | undefined
) {
  const client = yield* TmdbClient
  const repo = yield* MovieRepository
  const limiter = yield* RateLimiter
  const now = Effect.map(Clock.currentTimeMillis, iso)
  const progress = options.onProgress ?? (() => {})

  let discovered = 0
  let added = 0
  let discoverPages = 0
  const discoveryFailures: Array<DiscoverPageFailedEvent> = []
  const truncated: Array<DiscoverTruncatedEvent> = []
  const incomplete: Array<DiscoverIncompleteEvent> = []
  const staleAfterMs = Duration.toMillis(options.staleAfter ?? DEFAULT_STALE_AFTER)
  // 1a. The whole catalogue: every id of the latest export; then (2) what changed since the
  // mark. One collector of a generation does both: the changes need the export's ids.
  let exported: Effect.Effect.Success<ReturnType<typeof readExport>> | undefined
  const readTheChanges = Effect.gen(function*() {
    if (exporting !== undefined) {
      exported = yield* readExport(exporting.exports, exporting.date, options, yield* now, progress)
      added += exported.report.new
    }
    // With `all`, the first request TMDB's API sees: when it shows the API is not there (a wrong
    // TMDB_BASE_URL, a refused key, no answer), stop before every movie fails and a 404 from the
    // wrong server marks them all removed.
    return yield* readChanges(yield* Clock.currentTimeMillis, {
      all: options.all === true,
      includeAdult: options.includeAdult === true,
      listed: exported?.listed,
      readBackDays: Math.floor(staleAfterMs / DAY),
      probe: options.all === true
    })
  })
  const discoverYears = (years: ReadonlyArray<number>) =>
    client.discoverMoviesStream({
      startYear: Math.min(...years),
      includeAdult: options.includeAdult,
      includeVideo: options.includeVideo,
      endYear: Math.max(...years),
      minVoteCount: options.minVoteCount ?? DEFAULT_MIN_VOTE_COUNT,
      maxPages: options.maxPages,
      sortBy: options.sortBy
    }).pipe(
      Stream.runForEach((event) =>
        Effect.gen(function*() {
          switch (event._tag) {
            case "Page": {
              discoverPages++
              discovered += event.movies.length
              added += yield* repo.upsertDiscovered(event.movies, yield* now)
              progress({ phase: "discover", pages: discoverPages, movies: discovered, year: event.year })
              return
            }
            case "Truncated":
              truncated.push(event)
              return
            case "Incomplete":
              incomplete.push(event)
              return
            case "PageFailed":
              // Nothing has come back at all (a wrong TMDB_BASE_URL, TMDB down): stop now.
              if (discoverPages === 0) return yield* event.error
              discoveryFailures.push(event)
          }
        })
      )
    )
  const discovering = options.skipDiscovery !== true && options.startYear !== undefined && options.all !== true
  // Collectors sharing a database share discovery a year at a time: what makes a year's pages
  // differ is in the unit's name, so collectors started with other flags do not skip them.
  const discoverFlags = JSON.stringify([
    options.minVoteCount ?? DEFAULT_MIN_VOTE_COUNT,
    options.includeAdult === true,
    options.includeVideo === true,
    options.maxPages ?? null,
    options.sortBy ?? null
  ])
  const years = discovering ? yearsOf({ startYear: options.startYear!, endYear, sortBy: options.sortBy }) : []
  const yearUnit = (year: number) => `discover:${year}:${discoverFlags}`
  // Units another collector holds: taken over if it dies before they are done.
  const held = new Set<number>(years)
  /** Runs the years this collector can claim; returns whether it ran any. */
  const runYears = Effect.gen(function*() {
    let ran = false
    for (const year of years) {
      if (!held.has(year)) continue
      const { state } = yield* once(shared, runId, yearUnit(year), discoverYears([year]))
      if (state !== "held") held.delete(year)
      ran ||= state === "claimed"
    }
    return ran
  })

  // 1. Discover, storing each page as it arrives; alone, every year in one stream.
  if (shared === undefined) {
    if (discovering) yield* discoverYears(years)
  } else yield* runYears
  // 2. What changed since the mark. Among others, one collector reads them (with `all`, the
  // export too) and moves the mark; if it dies first, another takes the unit over.
  const changesUnit = options.all === true ? "catalogue" : "changes"
  let changes: ChangesRead | undefined
  let changesHeld = false
  const takeChanges = Effect.gen(function*() {
    const { result, state } = yield* once(shared, runId, changesUnit, readTheChanges)
    if (Option.isSome(result)) changes = result.value
    changesHeld = state === "held"
    return state === "claimed"
  })
  yield* takeChanges
  // TMDB busy (5xx, 429 after the retries) is not fatal: the changes are read again next run.
  const busy = (e: TmdbError) => failureKind(e) === "server" || failureKind(e) === "rate_limited"
  const unreachable = () => (options.all === true && changes?.unreachable !== undefined && !busy(changes.unreachable) ? changes.unreachable : undefined)
  if (unreachable() !== undefined) return yield* unreachable()!

  // 3. Fetch concurrently. A writer drains completed outcomes in short transactions, so a kill
  // loses at most what is in flight, and memory stays flat however many movies there are.
  const limit = options.refreshLimit
  const nowMs = yield* Clock.currentTimeMillis
  const policyNow = () => ({
    staleBefore: iso(nowMs - staleAfterMs),
    // Numbers of recent releases still move: 7 days for films out in the last 90.
    recentReleasedAfter: iso(nowMs - 90 * DAY).slice(0, 10),
    recentStaleBefore: iso(nowMs - Math.min(staleAfterMs, 7 * DAY)),
    // Only the collector that stored the export knows it is stored.
    exportDate: exported === undefined ? undefined : exporting?.date,
    exportsSince: exported?.since,
    // What any collector of the generation tried already waits for the next run.
    attemptedBefore: shared?.membership.startedAt ?? iso(startedMs)
  })
  // Recomputed when this collector takes the export over from one that died.
  let policy = policyNow()
  // Movies new in the changes first, as they have no row yet; then the store's choice.
  const freshOf = (read: ChangesRead | undefined) => limit === undefined ? read?.newIds ?? [] : (read?.newIds ?? []).slice(0, limit)
  const fresh = freshOf(changes)
  const total = limit === 0 ? 0 : Math.min(limit ?? Infinity, fresh.length + (yield* repo.countForDetails(policy)))
  let chosen = 0
  let fetched = 0
  let done = 0
  let removed = 0
  let restored = 0
  let freshFiltered = 0
  const freshIds = new Set<number>(fresh)
  const failed: Partial<Record<FailureKind, number>> = {}
  const fetchAll = <E, R>(ids: Stream.Stream<number, E, R>) =>
    Effect.gen(function*() {
      // `null` marks the end of the outcomes.
      const queue = yield* Queue.bounded<DetailsOutcome | null>(client.settings.maxConcurrent)
      // An id holds a permit from before its request until its outcome is committed, so a kill
      // loses at most the concurrency's worth of answers, however far a slow or loaded database
      // lets the writer fall behind: the workers wait for it instead of piling answers up.
      const unsaved = yield* Effect.makeSemaphore(client.settings.maxConcurrent)
      const save = (batch: ReadonlyArray<DetailsOutcome | null>) =>
        Effect.gen(function*() {
          const details = []
          const failures = []
          for (const outcome of batch) {
            if (outcome === null) continue
            if (Either.isLeft(outcome.result)) {
              failures.push({ tmdbId: outcome.tmdbId, kind: failureKind(outcome.result.left), message: outcome.result.left.message })
            } else if (freshIds.has(outcome.tmdbId) && !keepsDetails(options, outcome.result.right)) {
              // New since the export, and the filters would not have kept its line.
              freshFiltered++
            } else details.push(outcome.result.right)
          }
          done += batch.filter((o) => o !== null).length
          if (details.length + failures.length > 0) {
            const presence = yield* repo.saveOutcomes(details, failures, yield* now, shared === undefined ? undefined : runId)
            removed += presence.removed
            restored += presence.restored
            fetched += details.length
            for (const f of failures) failed[f.kind] = (failed[f.kind] ?? 0) + 1
          }
          progress({ phase: "details", done, total, failed: done - fetched - freshFiltered })
          yield* unsaved.release(batch.filter((o) => o !== null).length)
        }).pipe(Effect.uninterruptible) // never cut a transaction short
      // The writer cannot be interrupted: it stops at the end marker, which the producer always
      // sends, so every outcome taken from the queue is written (on success, failure or Ctrl-C).
      const writer = Effect.uninterruptible(Effect.gen(function*() {
        while (true) {
          const batch = Array.from(yield* Queue.takeBetween(queue, 1, MAX_BATCH))
          // A commit of a rich movie writes some 25 pages (its row, eight child tables and their
          // indexes, the payload), however few movies it holds: while answers keep arriving, let a
          // few turns of the event loop bring more before committing. Turns, not a timer: at a slow
          // rate nothing is waiting and the batch is written at once.
          for (let turn = 0; turn < GATHER_TURNS && batch.length < client.settings.maxConcurrent && !batch.includes(null); turn++) {
            yield* toEventLoop
            batch.push(...(yield* Queue.takeUpTo(queue, MAX_BATCH - batch.length)))
          }
          yield* save(batch)
          if (batch.includes(null)) return
        }
        // A writer that failed takes no more: the workers waiting to hand over stop at once.
      })).pipe(Effect.onError(() => Queue.shutdown(queue)))
      // The client's one details path: a fixed pool of workers, each outcome handed over as it completes.
      const counted = Stream.mapEffect(ids, (id) => Effect.as(Effect.zipRight(unsaved.take(1), Effect.sync(() => chosen++)), id))
      const producer = forEachMovieDetails(client, counted, (outcome) =>
        Effect.zipRight(
          Queue.offer(queue, outcome),
          // A rejected key is fatal for the run: stop sending at once.
          Either.isLeft(outcome.result) && outcome.result.left instanceof UnauthorizedError ? Effect.fail(outcome.result.left) : Effect.void
        ), { appendToResponse: options.append ?? [] }).pipe(Effect.ensuring(Queue.offer(queue, null)))
      yield* Effect.all([producer, writer], { concurrency: 2, discard: true })
    })
  if (fresh.length > 0) yield* fetchAll(Stream.fromIterable(fresh))
  if (shared === undefined) {
    // Then the store's choice, a round at a time: what a round tried is left out of the next.
    while (limit === undefined || chosen < limit) {
      const ids = yield* repo.selectForDetails({ ...policy, limit: Math.min(ROUND, (limit ?? Infinity) - chosen) })
      if (ids.length === 0) break
      yield* fetchAll(Stream.fromIterable(ids))
    }
  } else {
    // Among others: a few movies at a time, leased, claimed as the workers need them.
    const claimSize = 2 * client.settings.maxConcurrent
    const claims = Stream.repeatEffectChunkOption(
      Effect.gen(function*() {
        const left = (limit ?? Infinity) - chosen
        const room = Math.min(claimSize, left)
        const ids = room <= 0 ? [] : yield* shared.coordination.claimDetails(runId, policy, room, Math.min(RANKED_CLAIM, left))
        return ids.length === 0 ? yield* Effect.fail(Option.none()) : Chunk.fromIterable(ids)
      }).pipe(Effect.mapError((e) => (Option.isOption(e) ? e : Option.some(e))))
    )
    /** Shared units a dead collector left: taken over once they expire. Returns whether any ran. */
    const runUnits = Effect.gen(function*() {
      const ranYears = yield* runYears
      if (!changesHeld || !(yield* takeChanges)) return ranYears
      if (unreachable() !== undefined) return yield* unreachable()!
      policy = policyNow()
      const late = freshOf(changes)
      for (const id of late) freshIds.add(id)
      if (late.length > 0) yield* fetchAll(Stream.fromIterable(late))
      return true
    })
    while (true) {
      // With `all`, the others wait for the export: its one long transaction and their writes
      // would lock the same rows in different orders.
      if (!(options.all === true && changesHeld)) {
        yield* fetchAll(claims)
        if (limit !== undefined && chosen >= limit) break
      }
      // Nothing to claim now. A dead collector's units are taken over once they expire; while
      // another collector is alive and holds work, what it holds may come back: wait for it.
      if (yield* runUnits) continue
      if (!(yield* shared.coordination.othersBusy(shared.membership, runId))) {
        // That check frees a dead collector's units at once: one more look before leaving.
        if (yield* runUnits) continue
        break
      }
      yield* Effect.sleep(Duration.seconds(1))
    }
  }

  // 4. The changes are stored: move the mark (a failed page left it where it was).
  if (changes?.markTo !== undefined) yield* repo.setMark(CHANGES_MARK, changes.markTo, yield* now)

  // 5. Summarize.
  const stats = yield* client.stats
  const limiterStats = yield* limiter.stats
  const units = years.length + 1
  // Another collector of this generation read them, and moves the mark.
  const changesReport: ChangesReport = changes?.report ?? { status: "elsewhere", windows: 0, listed: 0, stored: 0, new: 0 }
  const summary: CollectionSummary = {
    runId,
    shared: shared === undefined ? undefined : { generation: shared.membership.generation, did: [...shared.did], byOthers: units - shared.did.length },
    budget: { kind: limiterStats.budget, collectors: limiterStats.collectors },
    mode: options.all === true ? "all" : "years",
    export: exported?.report,
    changes: changesReport,
    removed,
    restored,
    discovered,
    new: added,
    discoverPages,
    detailsChosen: chosen,
    detailsFetched: fetched,
    failed,
    requests: stats.requests,
    retries: stats.retries,
    rateLimited: stats.rateLimited,
    settledRate: Math.round(limiterStats.currentRate * 100) / 100,
    durationMs: (yield* Clock.currentTimeMillis) - startedMs,
    complete: discoveryComplete({ failedPages: discoveryFailures, incomplete, truncated }) && changesReport.status !== "failed",
    missing: incomplete.reduce((n, i) => n + i.missing, 0),
    discoveryFailures: discoveryFailures.map((f) => ({
      year: f.year,
      from: f.window.from,
      to: f.window.to,
      page: f.page,
      kind: failureKind(f.error),
      message: f.error.message
    })),
    incomplete: incomplete.map((i) => ({
      year: i.year,
      from: i.window.from,
      to: i.window.to,
      totalResults: i.totalResults,
      found: i.found,
      missing: i.missing
    })),
    truncated: truncated.map((t) => ({
      year: t.year,
      from: t.window.from,
      to: t.window.to,
      reason: t.reason,
      pagesFetched: t.pagesFetched,
      totalPages: t.totalPages
    }))
  }
  yield* repo.finishRun(runId, summary.complete ? "complete" : "incomplete", summary, yield* now)
  return summary
})
