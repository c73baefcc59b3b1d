import { Effect, Stream } from "effect"
import type { DecodedDiscoverPage, InvalidItem } from "./Decode.js"
import type { TmdbError } from "./Errors.js"
import type { DiscoveredMovie } from "./Movie.js"
import { type DateWindow, MAX_PAGE, PAGE_SIZE, partsFor, splitWindow, windowDays, yearWindow } from "./Windows.js"

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
 * takes each as a `.gte`/`.lte` pair (tmdb-api-facts.md §4). They are how a window whose order
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
const newestFirst = (options: DiscoverOptions) => options.sortBy !== "primary_release_date.asc"

const sortsByDate = (options: DiscoverOptions) => (options.sortBy ?? "primary_release_date.desc").startsWith("primary_release_date")

export const yearsOf = (options: DiscoverOptions): ReadonlyArray<number> => {
  const end = options.endYear ?? options.startYear
  const years: Array<number> = []
  for (let y = options.startYear; y <= end; y++) years.push(y)
  return newestFirst(options) ? years.reverse() : years
}

// A part is cut into pieces expected to hold this many movies: under a page, so that a piece
// whose estimate was low still fits in one page, where order cannot matter.
const PIECE = 15
// Cuts nest: date window, then votes and average within a day. Each level at least
// halves a part, so this bounds the depth without ever being reached on real data.
const MAX_DEPTH = 24
// TMDB reports vote_average with at most three decimals.
const AVERAGE_STEP = 0.001

// Both are in every discover result and never null, so a cut covers its part exactly.
// `with_runtime` is not: runtime is absent from results, and a movie whose runtime is null may
// match neither side of a runtime cut.
type Dimension = "voteCount" | "voteAverage"
const DIMENSIONS: ReadonlyArray<Dimension> = ["voteCount", "voteAverage"]

/**
 * Cuts `range` at the quantiles of the values seen in it into about `pieces` contiguous ranges
 * that cover it exactly. Empty when the range cannot be cut (it is one value).
 */
const cutRange = (d: Dimension, range: Range, seen: ReadonlyArray<number>, pieces: number): Array<Range> => {
  const step = d === "voteAverage" ? AVERAGE_STEP : 1
  const [lo, hi] = range
  if (hi !== null && hi - lo < step / 2) return []
  const values = seen.filter((v) => v >= lo && (hi === null || v <= hi)).sort((a, b) => a - b)
  let cuts: Array<number> = []
  for (let i = 1; i < pieces; i++) {
    const v = values[Math.floor((i * values.length) / pieces)]
    if (v !== undefined && v > lo && cuts[cuts.length - 1] !== v) cuts.push(v)
  }
  // All seen values equal: cut just above them, so the next dimension gets a part of its own.
  if (cuts.length === 0 && values.length > 0) {
    const v = values[values.length - 1] as number
    const next = d === "voteAverage" ? Math.round((v + step) * 1000) / 1000 : v + step
    if (hi === null || next <= hi) cuts = [next]
  }
  const out: Array<Range> = []
  let from = lo
  for (const c of cuts) {
    const to = d === "voteAverage" ? Math.round((c - step) * 1000) / 1000 : c - step
    out.push([from, to])
    from = c
  }
  out.push([from, hi])
  return out.length > 1 ? out : []
}

/**
 * Every page of every year, complete past the 500-page cap and whatever the order of ties:
 * - a window whose page 1 reports more than 500 pages is split into narrower windows, down to
 *   single days, and a day into vote ranges;
 * - a part counts as read only when the distinct ids it listed equal its `total_results`. TMDB
 *   does not keep the order of movies with equal sort keys from one request to the next
 *   (sct/overseerr#3040), so a page border inside a run of ties can list some twice and others
 *   never. A part that falls short has the days that straddle its page borders read again on
 *   their own, and a day that still falls short is cut by votes, average and runtime until every
 *   piece fits one page. What still falls short is reported as `Incomplete`, with the count.
 *
 * Pages of a part are fetched concurrently (the limiter paces them), windows and years in sort
 * order. UnauthorizedError fails the stream (nothing else can succeed). Any other page failure
 * becomes a `PageFailed` event, so the caller keeps what it has and knows the slice is incomplete.
 */
export const discoverStream = (
  options: DiscoverOptions,
  fetchPage: (query: PageQuery) => Effect.Effect<DecodedDiscoverPage, TmdbError>,
  concurrency: number
): Stream.Stream<DiscoverEvent, TmdbError> =>
  Stream.suspend(() => {
    const seen = new Set<number>()
    const cap = options.maxPages
    const baseVotes: Range = [options.minVoteCount ?? 200, null]

    const fetchOrReport = (year: number, query: PageQuery) =>
      fetchPage(query).pipe(
        Effect.map((page) => ({ _tag: "Ok" as const, page })),
        Effect.catchIf(
          (error) => error._tag !== "UnauthorizedError",
          (error): Effect.Effect<{ _tag: "Failed"; event: DiscoverPageFailedEvent }> =>
            Effect.succeed({
              _tag: "Failed",
              event: { _tag: "PageFailed", year, window: query.window, page: query.page, error }
            })
        )
      )

    const yearStream = (year: number): Stream.Stream<DiscoverEvent, TmdbError> => {
      let budget = cap ?? Number.POSITIVE_INFINITY
      // A cap within 500 pages is served by the year's own first pages, in sort order: no split.
      const maySplit = cap === undefined || cap > MAX_PAGE

      const capReached = (window: DateWindow): Stream.Stream<DiscoverEvent> =>
        Stream.make<Array<DiscoverEvent>>({ _tag: "Truncated", year, window, reason: "maxPages", totalResults: 0, pagesFetched: 0, totalPages: 0 })

      /**
       * Reads one part: a window, narrowed by `filter`. Every id it lists goes into each set of
       * `sinks`: its own and those of the parts it was cut from, which check their totals.
       * `reports` is false for a piece read to fill another part's gap: that part reports.
       */
      const readPart = (
        window: DateWindow,
        filter: PartFilter | undefined,
        sinks: ReadonlyArray<Set<number>>,
        reports: boolean,
        depth: number
      ): Stream.Stream<DiscoverEvent, TmdbError> =>
        Stream.unwrap(
          Effect.gen(function*() {
            // The per-year cap ran out before this part: say so rather than skip it silently.
            if (budget <= 0) return capReached(window)
            const query = (page: number): PageQuery => (filter === undefined ? { window, page } : { window, page, filter })
            const first = yield* fetchOrReport(year, query(1))
            if (first._tag === "Failed") return Stream.make(first.event)
            const { totalPages, totalResults } = first.page
            const own = new Set<number>()
            const all = [own, ...sinks]
            const days = windowDays(window)

            // More than 500 pages: cut it into parts that each fit, and let each report itself.
            if (totalPages > MAX_PAGE && maySplit && depth < MAX_DEPTH) {
              const parts = days > 1
                ? splitWindow(window, partsFor(totalResults), newestFirst(options)).map((w) => [w, filter] as const)
                : cutFilter(filter, first.page.movies, Math.ceil(totalResults / 8_000)).map((f) => [window, f] as const)
              if (parts.length > 1) {
                return Stream.flatMap(Stream.fromIterable(parts), ([w, f]) => readPart(w, f, sinks, reports, depth + 1))
              }
            }

            const last = Math.min(totalPages, MAX_PAGE, budget)
            budget -= Math.max(1, last)
            // Each page's first and last movie, to find the days that straddle a page border.
            const edges = new Map<number, readonly [DiscoveredMovie | undefined, DiscoveredMovie | undefined]>()
            const observed: Array<DiscoveredMovie> = []
            const take = (page: DecodedDiscoverPage): DiscoverPageEvent => {
              edges.set(page.page, [page.movies[0], page.movies[page.movies.length - 1]])
              for (const m of page.movies) {
                for (const s of all) s.add(m.tmdbId)
                observed.push(m)
              }
              // An item that does not decode is reported on its own; its id still counts as listed.
              for (const i of page.invalid) if (i.tmdbId !== null) { for (const s of all) s.add(i.tmdbId) }
              const movies = page.movies.filter((m) => {
                if (seen.has(m.tmdbId)) return false
                seen.add(m.tmdbId)
                return true
              })
              return { _tag: "Page", year, window, page: page.page, totalPages, totalResults, movies, invalid: page.invalid }
            }
            let failed = false
            const rest = (last >= 2 ? Stream.range(2, last) : Stream.empty).pipe(
              Stream.mapEffect((page) => fetchOrReport(year, query(page)), { concurrency }),
              Stream.map((r): DiscoverEvent => {
                if (r._tag === "Ok") return take(r.page)
                failed = true
                return r.event
              })
            )
            const reachable = Math.min(totalPages, MAX_PAGE)
            const truncated = last < totalPages
            const truncation: DiscoverTruncatedEvent = {
              _tag: "Truncated",
              year,
              window,
              reason: !maySplit || last < reachable ? "maxPages" : "pageCap",
              totalResults,
              pagesFetched: Math.max(1, last),
              totalPages
            }

            // After the pages: a part that listed fewer distinct ids than it holds is read again,
            // in pieces. A failed or truncated part is already reported; its gap is expected.
            const check = Stream.suspend((): Stream.Stream<DiscoverEvent, TmdbError> => {
              if (truncated) return Stream.make(truncation)
              if (failed || own.size >= totalResults) return Stream.empty
              const pieces = depth < MAX_DEPTH && (cap === undefined || budget > 0)
                ? refine(window, filter, totalResults, observed, edges, last, own.size)
                : []
              const verdict = Stream.suspend((): Stream.Stream<DiscoverEvent> =>
                reports && own.size < totalResults
                  ? Stream.make<Array<DiscoverEvent>>({ _tag: "Incomplete", year, window, totalResults, found: own.size, missing: totalResults - own.size })
                  : Stream.empty
              )
              return Stream.concat(
                Stream.flatMap(Stream.fromIterable(pieces), ([w, f]) => readPart(w, f, all, false, depth + 1), { concurrency }),
                verdict
              )
            })
            return Stream.concat(Stream.make<Array<DiscoverEvent>>(take(first.page)), Stream.concat(rest, check))
          })
        )

      /**
       * The pieces to read again for a part that came back short. In a date order, ties are the
       * movies of one day, and only a day whose run of ties straddles a page border can lose
       * movies; every other day was listed whole. So those days are read again alone, and a
       * single day is cut by the other filters. In any other order, halve the window.
       */
      const refine = (
        window: DateWindow,
        filter: PartFilter | undefined,
        totalResults: number,
        observed: ReadonlyArray<DiscoveredMovie>,
        edges: ReadonlyMap<number, readonly [DiscoveredMovie | undefined, DiscoveredMovie | undefined]>,
        lastPage: number,
        found: number
      ): Array<readonly [DateWindow, PartFilter | undefined]> => {
        if (windowDays(window) === 1) {
          return cutFilter(filter, observed, Math.ceil(totalResults / PIECE)).map((f) => [window, f] as const)
        }
        if (sortsByDate(options)) {
          const straddling = new Set<string>()
          for (let p = 1; p < lastPage; p++) {
            const before = edges.get(p)?.[1]?.releaseDate
            const after = edges.get(p + 1)?.[0]?.releaseDate
            if (before != null && before === after) straddling.add(before)
          }
          if (straddling.size > 0) {
            const days = [...straddling].sort()
            if (newestFirst(options)) days.reverse()
            // The part listed `found` of `totalResults`: scale what each day showed by as much.
            const scale = totalResults / Math.max(1, found)
            return days.flatMap((d) => {
              const ofDay = observed.filter((m) => m.releaseDate === d)
              const day: DateWindow = { from: d, to: d }
              // A day that filled a page or more is all ties: reading it alone would fall short
              // in the same way, so it is cut into pieces straight away.
              const pieces = ofDay.length >= PAGE_SIZE ? cutFilter(filter, ofDay, Math.ceil((ofDay.length * scale) / PIECE)) : []
              return pieces.length > 1 ? pieces.map((f) => [day, f] as const) : [[day, filter] as const]
            })
          }
        }
        return splitWindow(window, 2, newestFirst(options)).map((w) => [w, filter] as const)
      }

      /** `filter` cut along the first dimension that can still be cut, into about `pieces` parts. */
      const cutFilter = (
        filter: PartFilter | undefined,
        observed: ReadonlyArray<DiscoveredMovie>,
        pieces: number
      ): Array<PartFilter> => {
        const current: PartFilter = { voteCount: baseVotes, voteAverage: [0, 10], ...filter }
        for (const d of DIMENSIONS) {
          const ranges = cutRange(d, current[d] as Range, observed.map((m) => m[d]), Math.max(2, pieces))
          if (ranges.length > 1) return ranges.map((r) => ({ ...filter, [d]: r }))
        }
        return []
      }

      return readPart(yearWindow(year), undefined, [], true, 0)
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
