import { Chunk, Effect, Stream } from "effect"
import type { DecodedDiscoverPage, InvalidItem } from "./Decode.js"
import type { TmdbError } from "./Errors.js"
import type { DiscoveredMovie } from "./Movie.js"
import { type DateWindow, MAX_PAGE, partsFor, splitWindow, windowDays, yearWindow } from "./Windows.js"

export type SortBy =
  | "primary_release_date.desc"
  | "primary_release_date.asc"
  | "popularity.desc"
  | "popularity.asc"
  | "vote_count.desc"
  | "vote_count.asc"
  | "vote_average.desc"
  | "vote_average.asc"
  | "revenue.desc"
  | "revenue.asc"
  | "title.asc"
  | "title.desc"
  | "original_title.asc"
  | "original_title.desc"

export interface DiscoverOptions {
  readonly startYear: number
  /** Default: `startYear`. */
  readonly endYear?: number | undefined
  /** `vote_count.gte`. Default 200. */
  readonly minVoteCount?: number | undefined
  /** A per-year cap on pages fetched, across all of the year's date windows. */
  readonly maxPages?: number | undefined
  /** Default `primary_release_date.desc` (newest first). */
  readonly sortBy?: SortBy | undefined
  readonly includeAdult?: boolean | undefined
  readonly includeVideo?: boolean | undefined
}

export interface PageQuery {
  readonly window: DateWindow
  readonly page: number
}

/** One page of movies, de-duplicated against every page before it in the same stream. */
export interface DiscoverPageEvent {
  readonly _tag: "Page"
  readonly year: number
  readonly window: DateWindow
  readonly page: number
  readonly totalPages: number
  readonly totalResults: number
  readonly movies: ReadonlyArray<DiscoveredMovie>
  readonly invalid: ReadonlyArray<InvalidItem>
}

/** Part of a window was not fetched: `maxPages` said so, or one day holds more than 10,000 results. */
export interface DiscoverTruncatedEvent {
  readonly _tag: "Truncated"
  readonly year: number
  readonly window: DateWindow
  readonly reason: "maxPages" | "pageCap"
  readonly totalResults: number
  readonly pagesFetched: number
  readonly totalPages: number
}

/** A page that still failed after its retries. The slice of the catalogue is incomplete. */
export interface DiscoverPageFailedEvent {
  readonly _tag: "PageFailed"
  readonly year: number
  readonly window: DateWindow
  readonly page: number
  readonly error: TmdbError
}

export type DiscoverEvent = DiscoverPageEvent | DiscoverTruncatedEvent | DiscoverPageFailedEvent

export interface DiscoverResult {
  readonly movies: ReadonlyArray<DiscoveredMovie>
  readonly pages: number
  readonly truncated: ReadonlyArray<DiscoverTruncatedEvent>
  readonly failedPages: ReadonlyArray<DiscoverPageFailedEvent>
  readonly invalid: ReadonlyArray<InvalidItem>
  /** No page failed and nothing was truncated by the page cap. */
  readonly complete: boolean
}

/** Years and date windows go newest first, unless the sort is by date ascending. */
const newestFirst = (options: DiscoverOptions) => options.sortBy !== "primary_release_date.asc"

export const yearsOf = (options: DiscoverOptions): ReadonlyArray<number> => {
  const end = options.endYear ?? options.startYear
  const years: Array<number> = []
  for (let y = options.startYear; y <= end; y++) years.push(y)
  return newestFirst(options) ? years.reverse() : years
}

/**
 * Every page of every year, complete past the 500-page cap: a window whose page 1 reports more
 * than 500 pages is split into narrower windows, down to single days. Pages of a window are
 * fetched concurrently (the limiter paces them), windows and years in sort order.
 *
 * Unauthorized fails the stream (nothing else can succeed). Any other page failure becomes a
 * `PageFailed` event, so the caller keeps what it has and knows the slice is incomplete.
 */
export const discoverStream = (
  options: DiscoverOptions,
  fetchPage: (query: PageQuery) => Effect.Effect<DecodedDiscoverPage, TmdbError>,
  concurrency: number
): Stream.Stream<DiscoverEvent, TmdbError> =>
  Stream.suspend(() => {
    const seen = new Set<number>()
    const cap = options.maxPages

    const fetchOrReport = (year: number, query: PageQuery) =>
      fetchPage(query).pipe(
        Effect.map((page) => ({ _tag: "Ok" as const, page })),
        Effect.catchIf(
          (error) => error._tag !== "Unauthorized",
          (error): Effect.Effect<{ _tag: "Failed"; event: DiscoverPageFailedEvent }> =>
            Effect.succeed({
              _tag: "Failed",
              event: { _tag: "PageFailed", year, window: query.window, page: query.page, error }
            })
        )
      )

    const toEvent = (year: number, window: DateWindow, page: DecodedDiscoverPage): DiscoverPageEvent => {
      const movies = page.movies.filter((m) => {
        if (seen.has(m.tmdbId)) return false
        seen.add(m.tmdbId)
        return true
      })
      const { invalid, totalPages, totalResults } = page
      return { _tag: "Page", year, window, page: page.page, totalPages, totalResults, movies, invalid }
    }

    const yearStream = (year: number): Stream.Stream<DiscoverEvent, TmdbError> => {
      let budget = cap ?? Number.POSITIVE_INFINITY
      // A cap within 500 pages is served by the year's own first pages, in sort order: no split.
      const maySplit = cap === undefined || cap > MAX_PAGE

      const windowStream = (window: DateWindow): Stream.Stream<DiscoverEvent, TmdbError> =>
        Stream.unwrap(
          Effect.gen(function*() {
            if (budget <= 0) {
              // The per-year cap ran out before this window: say so rather than skip it silently.
              return Stream.make<Array<DiscoverEvent>>({
                _tag: "Truncated",
                year,
                window,
                reason: "maxPages",
                totalResults: 0,
                pagesFetched: 0,
                totalPages: 0
              })
            }
            const first = yield* fetchOrReport(year, { window, page: 1 })
            if (first._tag === "Failed") return Stream.make(first.event)
            const { totalPages, totalResults } = first.page
            if (totalPages > MAX_PAGE && maySplit && windowDays(window) > 1) {
              const parts = splitWindow(window, partsFor(totalResults), newestFirst(options))
              return Stream.flatMap(Stream.fromIterable(parts), windowStream)
            }
            const last = Math.min(totalPages, MAX_PAGE, budget)
            budget -= Math.max(1, last)
            const rest = (last >= 2 ? Stream.range(2, last) : Stream.empty).pipe(
              Stream.mapEffect((page) => fetchOrReport(year, { window, page }), { concurrency }),
              Stream.map((r): DiscoverEvent => r._tag === "Ok" ? toEvent(year, window, r.page) : r.event)
            )
            const reachable = Math.min(totalPages, MAX_PAGE)
            const truncated: Array<DiscoverEvent> = last < totalPages
              ? [{
                _tag: "Truncated",
                year,
                window,
                reason: !maySplit || last < reachable ? "maxPages" : "pageCap",
                totalResults,
                pagesFetched: Math.max(1, last),
                totalPages
              }]
              : []
            return Stream.concat(
              Stream.make<Array<DiscoverEvent>>(toEvent(year, window, first.page)),
              Stream.concat(rest, Stream.fromChunk(Chunk.fromIterable(truncated)))
            )
          })
        )
      return windowStream(yearWindow(year))
    }

    return Stream.flatMap(Stream.fromIterable(yearsOf(options)), yearStream)
  })

/** Runs `discoverStream` to the end and gathers what it found. */
export const collectDiscover = (events: Stream.Stream<DiscoverEvent, TmdbError>): Effect.Effect<DiscoverResult, TmdbError> =>
  Stream.runFold(events, {
    movies: [] as Array<DiscoveredMovie>,
    pages: 0,
    truncated: [] as Array<DiscoverTruncatedEvent>,
    failedPages: [] as Array<DiscoverPageFailedEvent>,
    invalid: [] as Array<InvalidItem>
  }, (acc, event) => {
    switch (event._tag) {
      case "Page":
        acc.pages++
        acc.movies.push(...event.movies)
        acc.invalid.push(...event.invalid)
        break
      case "Truncated":
        acc.truncated.push(event)
        break
      case "PageFailed":
        acc.failedPages.push(event)
    }
    return acc
  }).pipe(
    Effect.map((acc) => ({
      ...acc,
      complete: acc.failedPages.length === 0 && acc.truncated.every((t) => t.reason === "maxPages")
    }))
  )
