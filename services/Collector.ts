import type { SqlError } from "@effect/sql/SqlError"
import { Cause, Clock, ConfigError, Duration, Effect, Either, Exit, Option, Queue, Stream } from "effect"
import { keepsDetails } from "../src/Catalogue.js"
import type { CollectionOptions, CollectionSummary } from "../src/Collection.js"
import { appendSetting } from "../src/Config.js"
import type { DatabaseError } from "../src/Database.js"
import {
  DEFAULT_MIN_VOTE_COUNT,
  type DiscoverIncompleteEvent,
  type DiscoverPageFailedEvent,
  type DiscoverTruncatedEvent,
  discoveryComplete
} from "../src/Discover.js"
import { type FailureKind, failureKind, type TmdbError, UnauthorizedError } from "../src/Errors.js"
import { CHANGES_MARK, readChanges, readExport } from "./CatalogueSync.js"
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
    const run = (
      options: CollectionOptions
    ): Effect.Effect<CollectionSummary, TmdbError | SqlError | DatabaseError | ExportError | ConfigError.ConfigError> =>
      runFullCollection(options, exports).pipe(
        Effect.provideService(TmdbClient, client),
        Effect.provideService(MovieRepository, repo),
        Effect.provideService(RateLimiter, limiter)
      )
    return { run } as const
  })
}) {}

const runFullCollection = Effect.fn("Collector.run")(function*(options: CollectionOptions, exportsService: Option.Option<TmdbExports>) {
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
  const runId = yield* repo.startRun({
    ...options,
    // Recorded as it applied: discover's threshold, none with `all`.
    minVoteCount: options.all === true ? undefined : options.minVoteCount ?? DEFAULT_MIN_VOTE_COUNT,
    onProgress: undefined,
    staleAfter: undefined,
    staleAfterDays,
    endYear,
    append
  }, iso(startedMs))
  const exporting = exports === undefined || exportDate === undefined ? undefined : { exports, date: exportDate }
  return yield* collect(runId, startedMs, endYear, exporting, { ...options, append }).pipe(
    Effect.onExit((exit) =>
      Exit.isSuccess(exit)
        ? Effect.void
        : Effect.flatMap(Clock.currentTimeMillis, (t) =>
          // A failure (a rejected key) interrupts the fibers beside it: interrupted only when
          // interruption is all there was.
          repo.finishRun(runId, Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failed", null, iso(t)).pipe(Effect.ignore))
    )
  )
})

const collect = Effect.fnUntraced(function*(
  runId: number,
  startedMs: number,
  endYear: number,
  exporting: { readonly exports: TmdbExports; readonly date: string } | undefined,
  options: CollectionOptions
) {
  const client = yield* TmdbClient
  const repo = yield* MovieRepository
  const limiter = yield* RateLimiter
  const now = Effect.map(Clock.currentTimeMillis, iso)
  const progress = options.onProgress ?? (() => {})

  // 1. Discover, storing each page as it arrives.
  let discovered = 0
  let added = 0
  let discoverPages = 0
  const discoveryFailures: Array<DiscoverPageFailedEvent> = []
  const truncated: Array<DiscoverTruncatedEvent> = []
  const incomplete: Array<DiscoverIncompleteEvent> = []
  // 1a. The whole catalogue: every id of the latest export.
  const exported = exporting === undefined ? undefined : yield* readExport(exporting.exports, exporting.date, options, yield* now, progress)
  if (exported !== undefined) added += exported.report.new
  if (options.skipDiscovery !== true && options.startYear !== undefined && options.all !== true) {
    yield* client.discoverMoviesStream({
      startYear: options.startYear,
      includeAdult: options.includeAdult,
      includeVideo: options.includeVideo,
      endYear,
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
  }

  // 2. What changed since the mark. With `all`, the first request TMDB's API sees: when it shows
  // the API is not there (a wrong TMDB_BASE_URL, a refused key, no answer), stop before every
  // movie fails and a 404 from the wrong server marks them all removed.
  const nowMs = yield* Clock.currentTimeMillis
  const staleAfterMs = Duration.toMillis(options.staleAfter ?? DEFAULT_STALE_AFTER)
  const changes = yield* readChanges(nowMs, {
    all: options.all === true,
    includeAdult: options.includeAdult === true,
    listed: exported?.listed,
    readBackDays: Math.floor(staleAfterMs / DAY),
    probe: options.all === true
  })
  // TMDB busy (5xx, 429 after the retries) is not fatal: the changes are read again next run.
  const busy = (e: TmdbError) => failureKind(e) === "server" || failureKind(e) === "rate_limited"
  if (options.all === true && changes.unreachable !== undefined && !busy(changes.unreachable)) return yield* changes.unreachable

  // 3. Fetch concurrently. A writer drains completed outcomes in short transactions, so a kill
  // loses at most what is in flight, and memory stays flat however many movies there are.
  const limit = options.refreshLimit
  const policy = {
    staleBefore: iso(nowMs - staleAfterMs),
    // Numbers of recent releases still move: 7 days for films out in the last 90.
    recentReleasedAfter: iso(nowMs - 90 * DAY).slice(0, 10),
    recentStaleBefore: iso(nowMs - Math.min(staleAfterMs, 7 * DAY)),
    exportDate: exporting?.date,
    exportsSince: exported?.since,
    attemptedBefore: iso(startedMs)
  }
  // Movies new in the changes first, as they have no row yet; then the store's choice.
  const fresh = limit === undefined ? changes.newIds : changes.newIds.slice(0, limit)
  const total = limit === 0 ? 0 : Math.min(limit ?? Infinity, fresh.length + (yield* repo.countForDetails(policy)))
  let chosen = 0
  let fetched = 0
  let done = 0
  let removed = 0
  let restored = 0
  let freshFiltered = 0
  const freshIds = new Set(fresh)
  const failed: Partial<Record<FailureKind, number>> = {}
  const fetchAll = (ids: ReadonlyArray<number>) =>
    Effect.gen(function*() {
      chosen += ids.length
      // `null` marks the end of the outcomes.
      const queue = yield* Queue.unbounded<DetailsOutcome | null>()
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
            const presence = yield* repo.saveOutcomes(details, failures, yield* now)
            removed += presence.removed
            restored += presence.restored
            fetched += details.length
            for (const f of failures) failed[f.kind] = (failed[f.kind] ?? 0) + 1
          }
          progress({ phase: "details", done, total, failed: done - fetched - freshFiltered })
        }).pipe(Effect.uninterruptible) // never cut a transaction short
      // The writer cannot be interrupted: it stops at the end marker, which the producer always
      // sends, so every outcome taken from the queue is written (on success, failure or Ctrl-C).
      const writer = Effect.uninterruptible(Effect.gen(function*() {
        while (true) {
          const batch = Array.from(yield* Queue.takeBetween(queue, 1, MAX_BATCH))
          // A commit of a rich movie writes some 25 pages (its row, eight child tables and their
          // indexes, the payload), however few movies it holds: while answers keep arriving, let a
          // few turns of the event loop bring more before committing. Turns, not a timer: at a slow
          // rate nothing is waiting and the batch is written at once. At most as many as are in
          // flight wait this way, so a kill still loses no more than twice the concurrency.
          for (let turn = 0; turn < GATHER_TURNS && batch.length < client.settings.maxConcurrent && !batch.includes(null); turn++) {
            yield* toEventLoop
            batch.push(...(yield* Queue.takeUpTo(queue, MAX_BATCH - batch.length)))
          }
          yield* save(batch)
          if (batch.includes(null)) return
        }
      }))
      // The client's one details path: a fixed pool of workers, each outcome handed over as it completes.
      const producer = forEachMovieDetails(client, Stream.fromIterable(ids), (outcome) =>
        Effect.zipRight(
          Queue.offer(queue, outcome),
          // A rejected key is fatal for the run: stop sending at once.
          Either.isLeft(outcome.result) && outcome.result.left instanceof UnauthorizedError ? Effect.fail(outcome.result.left) : Effect.void
        ), { appendToResponse: options.append ?? [] }).pipe(Effect.ensuring(Queue.offer(queue, null)))
      yield* Effect.all([producer, writer], { concurrency: 2, discard: true })
    })
  if (fresh.length > 0) yield* fetchAll(fresh)
  // Then the store's choice, a round at a time: what a round tried is left out of the next.
  while (limit === undefined || chosen < limit) {
    const ids = yield* repo.selectForDetails({ ...policy, limit: Math.min(ROUND, (limit ?? Infinity) - chosen) })
    if (ids.length === 0) break
    yield* fetchAll(ids)
  }

  // 4. The changes are stored: move the mark (a failed page left it where it was).
  if (changes.markTo !== undefined) yield* repo.setMark(CHANGES_MARK, changes.markTo, yield* now)

  // 5. Summarize.
  const stats = yield* client.stats
  const limiterStats = yield* limiter.stats
  const summary: CollectionSummary = {
    runId,
    mode: options.all === true ? "all" : "years",
    export: exported?.report,
    changes: changes.report,
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
    complete: discoveryComplete({ failedPages: discoveryFailures, incomplete, truncated }) && changes.report.status !== "failed",
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
