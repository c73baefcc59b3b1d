import { Clock, Duration, Effect, Either, Exit, Queue, Stream } from "effect"
import { MovieRepository } from "../services/MovieRepository.js"
import { RateLimiter } from "../services/RateLimiter.js"
import { type DetailsOutcome, TmdbClient } from "../services/TmdbClient.js"
import { type DiscoverIncompleteEvent, type DiscoverPageFailedEvent, type DiscoverTruncatedEvent, discoveryComplete, type SortBy } from "./Discover.js"
import { type FailureKind, failureKind, Unauthorized } from "./Errors.js"

export interface CollectionOptions {
  readonly startYear: number
  /** Default: the current year. */
  readonly endYear?: number | undefined
  readonly minVoteCount?: number | undefined
  readonly maxPages?: number | undefined
  readonly sortBy?: SortBy | undefined
  /** At most this many movies get details this run; 0 means discover only. Default: no limit. */
  readonly refreshLimit?: number | undefined
  /** Details older than this are refreshed. Default 30 days. */
  readonly staleAfter?: Duration.DurationInput | undefined
  /** Skip discovery and only fetch details for what is stored. */
  readonly skipDiscovery?: boolean | undefined
  readonly onProgress?: ((progress: Progress) => void) | undefined
}

export type Progress =
  | { readonly phase: "discover"; readonly pages: number; readonly movies: number; readonly year: number }
  | { readonly phase: "details"; readonly done: number; readonly total: number; readonly failed: number }

export interface CollectionSummary {
  readonly runId: number
  /** Distinct movies listed by discovery this run. */
  readonly discovered: number
  /** Of those, movies not stored before. */
  readonly new: number
  readonly discoverPages: number
  /** Movies chosen for details this run. */
  readonly detailsChosen: number
  readonly detailsFetched: number
  readonly failed: Partial<Record<FailureKind, number>>
  readonly requests: number
  readonly retries: number
  readonly rateLimited: number
  /** The limiter's rate at the end (lower than configured after repeated 429s). */
  readonly settledRate: number
  readonly durationMs: number
  /** Discovery saw every page it needed, and every window listed as many movies as it holds. */
  readonly complete: boolean
  /** Movies that windows counted in `total_results` but never listed, however they were cut. */
  readonly missing: number
  readonly discoveryFailures: ReadonlyArray<{ year: number; from: string; to: string; page: number; kind: FailureKind; message: string }>
  readonly incomplete: ReadonlyArray<{ year: number; from: string; to: string; totalResults: number; found: number; missing: number }>
  readonly truncated: ReadonlyArray<{ year: number; from: string; to: string; reason: string; pagesFetched: number; totalPages: number }>
}

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

/** Discover, choose what needs details, fetch it, and store every step as it completes. */
export const runFullCollection = Effect.fn("Collector.runFullCollection")(function*(options: CollectionOptions) {
  const repo = yield* MovieRepository
  const startedMs = yield* Clock.currentTimeMillis
  const endYear = options.endYear ?? new Date(startedMs).getUTCFullYear()
  const runId = yield* repo.startRun({ ...options, onProgress: undefined, endYear }, iso(startedMs))
  return yield* collect(runId, startedMs, endYear, options).pipe(
    Effect.onExit((exit) =>
      Exit.isSuccess(exit)
        ? Effect.void
        : Effect.flatMap(Clock.currentTimeMillis, (t) =>
          repo.finishRun(runId, Exit.isInterrupted(exit) ? "interrupted" : "failed", null, iso(t)).pipe(Effect.ignore))
    )
  )
})

const collect = Effect.fnUntraced(function*(runId: number, startedMs: number, endYear: number, options: CollectionOptions) {
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
  if (options.skipDiscovery !== true) {
    yield* client.discoverMoviesStream({
      startYear: options.startYear,
      endYear,
      minVoteCount: options.minVoteCount ?? 200,
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

  // 2. Choose what needs details.
  const nowMs = yield* Clock.currentTimeMillis
  const staleAfterMs = Duration.toMillis(options.staleAfter ?? Duration.days(30))
  const chosen = options.refreshLimit === 0 ? [] : yield* repo.selectForDetails({
    limit: options.refreshLimit,
    staleBefore: iso(nowMs - staleAfterMs),
    // Numbers of recent releases still move: 7 days for films out in the last 90.
    recentReleasedAfter: iso(nowMs - 90 * DAY).slice(0, 10),
    recentStaleBefore: iso(nowMs - Math.min(staleAfterMs, 7 * DAY))
  })

  // 3. Fetch concurrently. A writer drains completed outcomes in short transactions, so a kill
  // loses at most what is in flight, and memory stays flat however many movies there are.
  let fetched = 0
  let done = 0
  const failed: Partial<Record<FailureKind, number>> = {}
  // `null` marks the end of the outcomes.
  const queue = yield* Queue.unbounded<DetailsOutcome | null>()
  const save = (batch: ReadonlyArray<DetailsOutcome | null>) =>
    Effect.gen(function*() {
      const details = []
      const failures = []
      for (const outcome of batch) {
        if (outcome === null) continue
        if (Either.isRight(outcome.result)) details.push(outcome.result.right)
        else failures.push({ tmdbId: outcome.tmdbId, kind: failureKind(outcome.result.left), message: outcome.result.left.message })
      }
      if (details.length + failures.length === 0) return
      yield* repo.saveOutcomes(details, failures, yield* now)
      fetched += details.length
      for (const f of failures) failed[f.kind] = (failed[f.kind] ?? 0) + 1
      done += details.length + failures.length
      progress({ phase: "details", done, total: chosen.length, failed: done - fetched })
    }).pipe(Effect.uninterruptible) // never cut a transaction short
  // The writer cannot be interrupted: it stops at the end marker, which the producer always
  // sends, so every outcome taken from the queue is written (on success, failure or Ctrl-C).
  const writer = Effect.uninterruptible(Effect.gen(function*() {
    while (true) {
      const batch = Array.from(yield* Queue.takeBetween(queue, 1, 500))
      yield* save(batch)
      if (batch.includes(null)) return
    }
  }))
  // Effect.forEach rather than a Stream: the benchmark's profile showed Stream.mapEffect adding
  // ~0.26 ms of CPU per request (BENCHMARKS.md, client overhead). `discard` keeps memory flat.
  const producer = Effect.forEach(
    chosen,
    (tmdbId) =>
      Effect.flatMap(Effect.either(client.getMovieDetails(tmdbId)), (result) =>
        Effect.zipRight(
          Queue.offer(queue, { tmdbId, result }),
          // A rejected key is fatal for the run: stop sending at once.
          Either.isLeft(result) && result.left instanceof Unauthorized ? Effect.fail(result.left) : Effect.void
        )),
    { concurrency: client.settings.maxConcurrent, discard: true }
  ).pipe(Effect.ensuring(Queue.offer(queue, null)))
  if (chosen.length > 0) {
    yield* Effect.all([producer, writer], { concurrency: 2, discard: true })
  }

  // 4. Summarize.
  const stats = yield* client.stats
  const limiterStats = yield* limiter.stats
  const summary: CollectionSummary = {
    runId,
    discovered,
    new: added,
    discoverPages,
    detailsChosen: chosen.length,
    detailsFetched: fetched,
    failed,
    requests: stats.requests,
    retries: stats.retries,
    rateLimited: stats.rateLimited,
    settledRate: Math.round(limiterStats.currentRate * 100) / 100,
    durationMs: (yield* Clock.currentTimeMillis) - startedMs,
    complete: discoveryComplete({ failedPages: discoveryFailures, incomplete, truncated }),
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
