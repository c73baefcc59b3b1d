import { Effect, Stream } from "effect"
import type { DecodedDiscoverPage } from "./Decode.js"
import {
  type DiscoverEvent,
  type DiscoverOptions,
  type DiscoverPageEvent,
  type DiscoverPageFailedEvent,
  type DiscoverTruncatedEvent,
  newestFirst,
  type PageQuery,
  type PartFilter,
  type Range,
  yearsOf
} from "./DiscoverEvents.js"
import type { TmdbError } from "./Errors.js"
import type { DiscoveredMovie } from "./Movie.js"
import { cutFilter, MAX_DEPTH, refine } from "./Parts.js"
import { type DateWindow, MAX_PAGE, partsFor, splitWindow, windowDays, yearWindow } from "./Windows.js"

/** Discover's default `vote_count.gte`, kept from the collector's original design. */
export const DEFAULT_MIN_VOTE_COUNT = 200

export {
  collectDiscover,
  type DiscoverEvent,
  type DiscoverIncompleteEvent,
  type DiscoverOptions,
  type DiscoverPageEvent,
  type DiscoverPageFailedEvent,
  type DiscoverResult,
  type DiscoverTruncatedEvent,
  discoveryComplete,
  fewestDiscoverRequests,
  type PageQuery,
  type Range,
  type SortBy
} from "./DiscoverEvents.js"

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
    const baseVotes: Range = [options.minVoteCount ?? DEFAULT_MIN_VOTE_COUNT, null]

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
                : cutFilter(baseVotes, filter, first.page.movies, Math.ceil(totalResults / 8_000)).map((f) => [window, f] as const)
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
                ? refine(options, baseVotes, window, filter, totalResults, observed, edges, last, own.size)
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

      return readPart(yearWindow(year), undefined, [], true, 0)
    }

    return Stream.flatMap(Stream.fromIterable(yearsOf(options)), yearStream)
  })
