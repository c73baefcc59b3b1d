// Date windows for /discover/movie. TMDB serves at most 500 pages of 20 (10,000 results) per
// query and rejects page > 500 with status_code 22 (https://developer.themoviedb.org/docs/errors;
// a real body in sandbox/fixtures/error-400-invalid-page.json), so a window that reports more is
// split into narrower `primary_release_date` windows.

export const MAX_PAGE = 500
export const PAGE_SIZE = 20

/** An inclusive range of days, `YYYY-MM-DD`. */
export interface DateWindow {
  readonly from: string
  readonly to: string
}

const DAY = 86_400_000

const toDay = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY
const fromDay = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10)

export const yearWindow = (year: number): DateWindow => ({
  from: `${String(year).padStart(4, "0")}-01-01`,
  to: `${String(year).padStart(4, "0")}-12-31`
})

export const windowDays = (w: DateWindow): number => toDay(w.to) - toDay(w.from) + 1

/**
 * Splits a window into `parts` contiguous windows of near-equal length (at least one day each),
 * newest first when `newestFirst`, so a date-descending sort keeps its order across windows.
 */
export const splitWindow = (w: DateWindow, parts: number, newestFirst: boolean): ReadonlyArray<DateWindow> => {
  const days = windowDays(w)
  const n = Math.max(1, Math.min(days, Math.floor(parts)))
  const start = toDay(w.from)
  const out: Array<DateWindow> = []
  for (let i = 0; i < n; i++) {
    const a = start + Math.floor((i * days) / n)
    const b = start + Math.floor(((i + 1) * days) / n) - 1
    out.push({ from: fromDay(a), to: fromDay(b) })
  }
  return newestFirst ? out.reverse() : out
}

/**
 * How many parts a window of `totalResults` should split into: enough that each part is
 * expected to hold ~8,000 results, leaving headroom for uneven release dates.
 */
export const partsFor = (totalResults: number): number => Math.max(2, Math.ceil(totalResults / 8_000))
