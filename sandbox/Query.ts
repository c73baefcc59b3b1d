import type { CatalogueMovie } from "./Catalogue.js"
import type { Rng } from "./Random.js"

// Indexes behind /discover/movie and /movie/changes. Movies are kept sorted by release day so a
// date window is two binary searches; filtered result lists are cached per query, so paging
// through one window costs a slice per page.

export type SortKey =
  | "popularity.desc"
  | "popularity.asc"
  | "primary_release_date.desc"
  | "primary_release_date.asc"
  | "vote_count.desc"
  | "vote_count.asc"
  | "vote_average.desc"
  | "vote_average.asc"

export const SORT_KEYS: Readonly<Record<string, SortKey>> = {
  "popularity.desc": "popularity.desc",
  "popularity.asc": "popularity.asc",
  "primary_release_date.desc": "primary_release_date.desc",
  "primary_release_date.asc": "primary_release_date.asc",
  // Older client libraries still send these, which TMDB's current spec no longer lists
  // (discover-movie's sort_by in https://developer.themoviedb.org/openapi/tmdb-api.json).
  "release_date.desc": "primary_release_date.desc",
  "release_date.asc": "primary_release_date.asc",
  "vote_count.desc": "vote_count.desc",
  "vote_count.asc": "vote_count.asc",
  "vote_average.desc": "vote_average.desc",
  "vote_average.asc": "vote_average.asc"
}

export interface DiscoverQuery {
  readonly gteDay: number | null
  readonly lteDay: number | null
  readonly voteCountGte: number | null
  readonly voteCountLte: number | null
  readonly voteAverageGte: number | null
  readonly voteAverageLte: number | null
  readonly includeAdult: boolean
  readonly includeVideo: boolean
  readonly sort: SortKey
}

type Cmp = (a: CatalogueMovie, b: CatalogueMovie) => number
const byId: Cmp = (a, b) => a.id - b.id
const COMPARATORS: Record<Exclude<SortKey, `primary_release_date.${string}`>, Cmp> = {
  "popularity.desc": (a, b) => b.popularity - a.popularity || a.id - b.id,
  "popularity.asc": (a, b) => a.popularity - b.popularity || a.id - b.id,
  "vote_count.desc": (a, b) => b.voteCount - a.voteCount || a.id - b.id,
  "vote_count.asc": (a, b) => a.voteCount - b.voteCount || a.id - b.id,
  "vote_average.desc": (a, b) => b.voteAverage - a.voteAverage || a.id - b.id,
  "vote_average.asc": (a, b) => a.voteAverage - b.voteAverage || a.id - b.id
}

/** First index whose value is >= day (values ascending). */
const lowerBound = (xs: ArrayLike<number>, day: number): number => {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((xs[mid] as number) < day) lo = mid + 1
    else hi = mid
  }
  return lo
}

const releaseKey = (m: CatalogueMovie): number => m.releaseDay as number

const CACHE_SIZE = 32
const ADULT = 1
const VIDEO = 2
const UNDATED = 4

/** Movies in one order, with the filtered fields copied into typed arrays for fast scans. */
class Order {
  readonly day: Int32Array
  readonly votes: Float64Array
  readonly averages: Float64Array
  readonly flags: Uint8Array
  constructor(readonly movies: ReadonlyArray<CatalogueMovie>) {
    const n = movies.length
    this.day = new Int32Array(n)
    this.votes = new Float64Array(n)
    this.averages = new Float64Array(n)
    this.flags = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      const m = movies[i] as CatalogueMovie
      this.day[i] = m.releaseDay ?? 0
      this.votes[i] = m.voteCount
      this.averages[i] = m.voteAverage
      this.flags[i] = (m.adult ? ADULT : 0) | (m.video ? VIDEO : 0) | (m.releaseDay === null ? UNDATED : 0)
    }
  }
}

export class DiscoverIndex {
  private readonly dateAsc: Order
  /** Days descending, ids ascending within a day, so the order is stable. */
  private readonly dateDesc: Order
  private readonly undated: Order
  private readonly orders = new Map<SortKey, Order>()
  private readonly cache = new Map<string, Array<CatalogueMovie>>()

  constructor(private readonly movies: ReadonlyArray<CatalogueMovie>) {
    const dated = movies.filter((m) => m.releaseDay !== null)
    this.dateAsc = new Order(dated.sort((a, b) => releaseKey(a) - releaseKey(b) || a.id - b.id))
    this.dateDesc = new Order([...dated].sort((a, b) => releaseKey(b) - releaseKey(a) || a.id - b.id))
    this.undated = new Order(movies.filter((m) => m.releaseDay === null).sort(byId))
    this.globalOrder("popularity.desc")
  }

  /** Every movie the query lists, in order (cached). */
  matches(q: DiscoverQuery): ReadonlyArray<CatalogueMovie> {
    const key =
      `${q.sort}|${q.gteDay}|${q.lteDay}|${q.voteCountGte}|${q.voteCountLte}|${q.voteAverageGte}|${q.voteAverageLte}|${q.includeAdult}|${q.includeVideo}`
    let hit = this.cache.get(key)
    if (hit === undefined) {
      hit = this.compute(q)
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string)
      this.cache.set(key, hit)
    }
    return hit
  }

  private globalOrder(sort: Exclude<SortKey, `primary_release_date.${string}`>): Order {
    let order = this.orders.get(sort)
    if (order === undefined) {
      order = new Order([...this.movies].sort(COMPARATORS[sort]))
      this.orders.set(sort, order)
    }
    return order
  }

  private compute(q: DiscoverQuery): Array<CatalogueMovie> {
    const rejectFlags = (q.includeAdult ? 0 : ADULT) | (q.includeVideo ? 0 : VIDEO)
    const minVotes = q.voteCountGte ?? -Infinity
    const maxVotes = q.voteCountLte ?? Infinity
    const minAverage = q.voteAverageGte ?? -Infinity
    const maxAverage = q.voteAverageLte ?? Infinity
    const dateFiltered = q.gteDay !== null || q.lteDay !== null
    const gte = q.gteDay ?? -0x80000000
    const lte = q.lteDay ?? 0x7fffffff
    const out: Array<CatalogueMovie> = []
    const scan = (o: Order, from: number, to: number, checkDate: boolean) => {
      const { averages, day, votes, flags, movies } = o
      for (let i = from; i < to; i++) {
        const f = flags[i] as number
        const v = votes[i] as number
        const a = averages[i] as number
        if ((f & rejectFlags) !== 0 || v < minVotes || v > maxVotes || a < minAverage || a > maxAverage) continue
        if (checkDate && ((f & UNDATED) !== 0 || (day[i] as number) < gte || (day[i] as number) > lte)) continue
        out.push(movies[i] as CatalogueMovie)
      }
    }
    const n = this.dateAsc.movies.length
    const lo = q.gteDay === null ? 0 : lowerBound(this.dateAsc.day, gte)
    const hi = q.lteDay === null ? n : lowerBound(this.dateAsc.day, lte + 1)
    if (q.sort === "primary_release_date.asc" || q.sort === "primary_release_date.desc") {
      if (q.sort === "primary_release_date.asc") scan(this.dateAsc, lo, hi, false)
      else scan(this.dateDesc, n - hi, n - lo, false)
      // Movies without a release date have no place in a date order: they come last, and only
      // when no date filter is given.
      if (!dateFiltered) scan(this.undated, 0, this.undated.movies.length, false)
      return out
    }
    if (dateFiltered && (hi - lo) * 8 < this.movies.length) {
      scan(this.dateAsc, lo, hi, false)
      return out.sort(COMPARATORS[q.sort])
    }
    const order = this.globalOrder(q.sort)
    scan(order, 0, order.movies.length, dateFiltered)
    return out
  }
}

/** The value a sort orders by: movies with equal values are ties. */
export const sortKeyOf = (sort: SortKey): (m: CatalogueMovie) => number => {
  if (sort.startsWith("primary_release_date")) return (m) => m.releaseDay ?? Number.NaN
  if (sort.startsWith("popularity")) return (m) => m.popularity
  if (sort.startsWith("vote_count")) return (m) => m.voteCount
  return (m) => m.voteAverage
}

const sameKey = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b))

/**
 * `list.slice(start, end)` as one request would see it when ties have no fixed order: each run
 * of equal keys that the slice touches is shuffled afresh (Fisher-Yates), so a page border
 * inside a run can repeat some of its movies and never show others.
 */
export const shuffledSlice = (
  list: ReadonlyArray<CatalogueMovie>,
  start: number,
  end: number,
  key: (m: CatalogueMovie) => number,
  rng: Rng
): Array<CatalogueMovie> => {
  const out: Array<CatalogueMovie> = []
  const stop = Math.min(end, list.length)
  let i = start
  while (i < stop) {
    const k = key(list[i] as CatalogueMovie)
    let a = i
    while (a > 0 && sameKey(key(list[a - 1] as CatalogueMovie), k)) a--
    let b = i + 1
    while (b < list.length && sameKey(key(list[b] as CatalogueMovie), k)) b++
    const run = list.slice(a, b)
    for (let j = run.length - 1; j > 0; j--) {
      const r = Math.floor(rng() * (j + 1))
      const t = run[j] as CatalogueMovie
      run[j] = run[r] as CatalogueMovie
      run[r] = t
    }
    for (let j = i; j < Math.min(b, stop); j++) out.push(run[j - a] as CatalogueMovie)
    i = b
  }
  return out
}

/** One item of the change log: `adult` as /movie/changes reports it (sometimes null). */
export interface ChangeEntry {
  readonly day: number
  readonly id: number
  readonly adult: boolean | null
}

const byDayThenId = (a: ChangeEntry, b: ChangeEntry) => a.day - b.day || a.id - b.id

export class ChangesIndex {
  private readonly byChange: Array<CatalogueMovie>
  private readonly days: Int32Array
  /** Entries logged after the catalogue was generated (`sandbox.advance`), by day then id. */
  private extra: Array<ChangeEntry> = []
  private extraDays = new Int32Array(0)
  constructor(movies: ReadonlyArray<CatalogueMovie>) {
    this.byChange = [...movies].sort((a, b) => a.changedDay - b.changedDay || a.id - b.id)
    this.days = Int32Array.from(this.byChange, (m) => m.changedDay)
  }
  record(entries: ReadonlyArray<ChangeEntry>): void {
    if (entries.length === 0) return
    this.extra = [...this.extra, ...entries].sort(byDayThenId)
    this.extraDays = Int32Array.from(this.extra, (e) => e.day)
  }
  /** Changes on a day in [startDay, endDay], by day then id. */
  between(startDay: number, endDay: number): ReadonlyArray<ChangeEntry> {
    const generated = this.byChange
      .slice(lowerBound(this.days, startDay), lowerBound(this.days, endDay + 1))
      .map((m): ChangeEntry => ({ day: m.changedDay, id: m.id, adult: m.changeAdultNull ? null : m.adult }))
    const extra = this.extra.slice(lowerBound(this.extraDays, startDay), lowerBound(this.extraDays, endDay + 1))
    if (extra.length === 0) return generated
    // The list answers "which ids changed in the window", so the sandbox names each id once, at
    // its latest change in the window.
    const merged = [...generated, ...extra].sort(byDayThenId)
    const last = new Map(merged.map((e, i) => [e.id, i]))
    return merged.filter((e, i) => last.get(e.id) === i)
  }
}
