import { invalidDate, invalidDateRange, invalidPage, json } from "./Bodies.js"
import type { Reply } from "./Bodies.js"
import type { ChangeEntry } from "./Query.js"
import { parseIsoDay, todayDay } from "./Random.js"

// Query parameters every list route reads alike, and the changes lists (/movie/changes and
// /person/changes share one shape and one paging: https://developer.themoviedb.org/reference/changes-movie-list,
// https://developer.themoviedb.org/reference/changes-people-list).

const CHANGES_PER_PAGE = 100

/** undefined when the page parameter is not an integer in 1..500. */
export const parsePage = (raw: string | null): number | undefined => {
  if (raw === null) return 1
  if (!/^\d+$/.test(raw)) return undefined
  const n = Number(raw)
  return n >= 1 && n <= 500 ? n : undefined
}

/** A day number, null when absent or empty, undefined when malformed. */
export const parseDateParam = (raw: string | null): number | null | undefined => raw === null || raw === "" ? null : parseIsoDay(raw)

/** One page of a changes list: `between(startDay, endDay)` gives the window's entries, by day then id. */
export const changesReply = (p: URLSearchParams, between: (startDay: number, endDay: number) => ReadonlyArray<ChangeEntry>): Reply => {
  const page = parsePage(p.get("page"))
  if (page === undefined) return invalidPage()
  const start = parseDateParam(p.get("start_date"))
  const end = parseDateParam(p.get("end_date"))
  if (start === undefined || end === undefined) return invalidDate()
  // Default window: the past 24 hours (https://developer.themoviedb.org/docs/tracking-content-changes).
  const endDay = end ?? (start !== null ? Math.max(start, todayDay()) : todayDay())
  const startDay = start ?? endDay - 1
  if (endDay - startDay > 14) return invalidDateRange()
  const changed = startDay <= endDay ? between(startDay, endDay) : []
  const results = changed
    .slice((page - 1) * CHANGES_PER_PAGE, page * CHANGES_PER_PAGE)
    .map((e) => ({ id: e.id, adult: e.adult }))
  return json(200, {
    results,
    page,
    total_pages: Math.max(1, Math.ceil(changed.length / CHANGES_PER_PAGE)),
    total_results: changed.length
  }, { "Cache-Control": "public, max-age=28800" })
}
