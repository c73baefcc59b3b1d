import { Effect, Stream } from "effect"
import type { InvalidItem } from "./Decode.js"
import type { TmdbError } from "./Errors.js"
import type { DiscoveredMovie } from "./Movie.js"
import { type DateWindow, PAGE_SIZE } from "./Windows.js"

// What discovery is asked and what it reports: options, the events of its stream, and the
// result they fold into. The stream itself is in Discover.ts, the cuts in Parts.ts.

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

/** An inclusive range; `null` as the upper bound means none. */
export type Range = readonly [number, number | null]

/**
 * Filters that narrow a date window further, beyond `vote_count.gte`. TMDB's /discover/movie
 * takes each as a `.gte`/`.lte` pair (operation discover-movie in
 * https://developer.themoviedb.org/openapi/tmdb-api.json). They are how a window whose order
 * cannot be trusted is cut into parts small enough that order no longer matters.
 */
export interface PartFilter {
  /** `vote_count.gte` / `vote_count.lte`. */
  readonly voteCount?: Range | undefined
  /** `vote_average.gte` / `vote_average.lte`. */
  readonly voteAverage?: Range | undefined
}

export interface PageQuery {
  readonly window: DateWindow
  readonly page: number
  /** Absent: the window alone, with the options' `vote_count.gte`. */
  readonly filter?: PartFilter | undefined
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

/** Part of a window was not fetched: `maxPages` said so, or a part could not be cut below 10,000 results. */
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

/**
 * Every page of a window was read, and the window was cut into parts and read again, yet fewer
 * distinct movies came back than its `total_results`: `missing` of them were never listed.
 */
export interface DiscoverIncompleteEvent {
  readonly _tag: "Incomplete"
  readonly year: number
  readonly window: DateWindow
  readonly totalResults: number
  readonly found: number
  readonly missing: number
}

export type DiscoverEvent = DiscoverPageEvent | DiscoverTruncatedEvent | DiscoverPageFailedEvent | DiscoverIncompleteEvent

export interface DiscoverResult {
  readonly movies: ReadonlyArray<DiscoveredMovie>
  readonly pages: number
  readonly truncated: ReadonlyArray<DiscoverTruncatedEvent>
  readonly failedPages: ReadonlyArray<DiscoverPageFailedEvent>
  readonly incomplete: ReadonlyArray<DiscoverIncompleteEvent>
  readonly invalid: ReadonlyArray<InvalidItem>
  /** No page failed, no window came back short, nothing was truncated by the page cap. */
  readonly complete: boolean
}

/** Whether a run's discovery events leave the catalogue slice whole (`maxPages` is the user's choice). */
export const discoveryComplete = (events: {
  readonly failedPages: ReadonlyArray<unknown>
  readonly incomplete: ReadonlyArray<unknown>
  readonly truncated: ReadonlyArray<{ readonly reason: string }>
}): boolean => events.failedPages.length === 0 && events.incomplete.length === 0 && events.truncated.every((t) => t.reason === "maxPages")

/** Years and date windows go newest first, unless the sort is by date ascending. */
export const newestFirst = (options: DiscoverOptions) => options.sortBy !== "primary_release_date.asc"

export const sortsByDate = (options: DiscoverOptions) => (options.sortBy ?? "primary_release_date.desc").startsWith("primary_release_date")

export const yearsOf = (options: DiscoverOptions): ReadonlyArray<number> => {
  const end = options.endYear ?? options.startYear
  const years: Array<number> = []
  for (let y = options.startYear; y <= end; y++) years.push(y)
  return newestFirst(options) ? years.reverse() : years
}

/** Runs `discoverStream` to the end and gathers what it found. */
export const collectDiscover = (events: Stream.Stream<DiscoverEvent, TmdbError>): Effect.Effect<DiscoverResult, TmdbError> =>
  Stream.runFold(events, {
    movies: [] as Array<DiscoveredMovie>,
    pages: 0,
    truncated: [] as Array<DiscoverTruncatedEvent>,
    failedPages: [] as Array<DiscoverPageFailedEvent>,
    incomplete: [] as Array<DiscoverIncompleteEvent>,
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
        break
      case "Incomplete":
        acc.incomplete.push(event)
    }
    return acc
  }).pipe(Effect.map((acc) => ({ ...acc, complete: discoveryComplete(acc) })))

/** The fewest discover requests that can list `totalResults` movies: one per page of 20. */
export const fewestDiscoverRequests = (totalResults: number): number => Math.max(1, Math.ceil(totalResults / PAGE_SIZE))
