import { type DiscoverOptions, newestFirst, type PartFilter, type Range, sortsByDate } from "./DiscoverEvents.js"
import type { DiscoveredMovie } from "./Movie.js"
import { type DateWindow, PAGE_SIZE, splitWindow, windowDays } from "./Windows.js"

// How a discover part that came back short is cut into pieces small enough that the order of
// ties cannot matter.

// A part is cut into pieces expected to hold this many movies: under a page, so that a piece
// whose estimate was low still fits in one page, where order cannot matter.
const PIECE = 15
// Cuts nest: date window, then votes and average within a day. Each level at least
// halves a part, so this bounds the depth without ever being reached on real data.
export const MAX_DEPTH = 24
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
 * The pieces to read again for a part that came back short. In a date order, ties are the
 * movies of one day, and only a day whose run of ties straddles a page border can lose
 * movies; every other day was listed whole. So those days are read again alone, and a
 * single day is cut by the other filters. In any other order, halve the window.
 */
export const refine = (
  options: DiscoverOptions,
  baseVotes: Range,
  window: DateWindow,
  filter: PartFilter | undefined,
  totalResults: number,
  observed: ReadonlyArray<DiscoveredMovie>,
  edges: ReadonlyMap<number, readonly [DiscoveredMovie | undefined, DiscoveredMovie | undefined]>,
  lastPage: number,
  found: number
): Array<readonly [DateWindow, PartFilter | undefined]> => {
  if (windowDays(window) === 1) {
    return cutFilter(baseVotes, filter, observed, Math.ceil(totalResults / PIECE)).map((f) => [window, f] as const)
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
        const pieces = ofDay.length >= PAGE_SIZE ? cutFilter(baseVotes, filter, ofDay, Math.ceil((ofDay.length * scale) / PIECE)) : []
        return pieces.length > 1 ? pieces.map((f) => [day, f] as const) : [[day, filter] as const]
      })
    }
  }
  return splitWindow(window, 2, newestFirst(options)).map((w) => [w, filter] as const)
}

/** `filter` cut along the first dimension that can still be cut, into about `pieces` parts. */
export const cutFilter = (
  baseVotes: Range,
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
