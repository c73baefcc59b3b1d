import type { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { RETRIED_NEXT_RUN } from "../../src/Errors.js"
import type { AnyKind } from "../../src/RecordKind.js"
import { staleHorizons } from "../../src/Storage.js"
import { DAY, daysBehind } from "../../src/Time.js"
import { readMark } from "../movieRepository/CatalogueWrites.js"
import { pendingPriority } from "../movieRepository/Pending.js"
import { nthOldestDetails } from "../movieRepository/Reads.js"

// What `npm run status` tells of one kind of record, read with the queries the collector itself
// chooses by (services/movieRepository/Pending.ts), so "due" means what the next run will fetch.

// TMDB's changes lists reach back 14 days at most: "changed in the past 24 hours (by default
// but can be extended to 14 days)" (https://developer.themoviedb.org/docs/tracking-content-changes).
const CHANGES_WINDOW_DAYS = 14

export interface KindStatus {
  readonly kind: string
  /** Rows, those with details, and those TMDB has removed (`removed_at` set). */
  readonly stored: number
  readonly withDetails: number
  readonly removed: number
  /** The latest daily export read (`--all`): its date, the records it listed, and how many of those have details. */
  readonly export: { readonly date: string; readonly listed: number; readonly withDetails: number } | null
  /** The changes mark (the first day the next run reads), its lag behind today, and the days left before TMDB's 14-day window is overrun (negative: overrun). */
  readonly changes: { readonly mark: string; readonly lagDays: number; readonly daysLeft: number } | null
  /** The age of details in days: median, 90th percentile, and the oldest (with its instant). */
  readonly detailsAge: { readonly medianDays: number; readonly p90Days: number; readonly oldestDays: number; readonly oldest: string } | null
  /** What the next run fetches, by the reason it chooses each record first. */
  readonly due: {
    readonly total: number
    readonly neverFetched: number
    readonly changed: number
    readonly failedRetried: number
    readonly stale: number
  }
  /** Recorded failures by kind: those the next run tries again, and those that wait for the stale rule. */
  readonly failures: { readonly retriedNextRun: Record<string, number>; readonly permanent: Record<string, number> }
}

const Counts = Schema.Array(Schema.Struct({ stored: Schema.Number, with_details: Schema.Number, removed: Schema.Number }))
const Latest = Schema.Array(Schema.Struct({ date: Schema.NullOr(Schema.String) }))
const Listed = Schema.Array(Schema.Struct({ listed: Schema.Number, with_details: Schema.Number }))
const ByKey = Schema.Array(Schema.Struct({ key: Schema.Union(Schema.String, Schema.Number), n: Schema.Number }))

// In days, to the nearest 10 seconds or so.
const ageDays = (nowMs: number, at: string) => Math.round(Math.max(0, (nowMs - Date.parse(at)) / DAY) * 10_000) / 10_000

/** The status of `kind`'s records as of `nowMs`, under a stale rule of `staleAfterDays`. */
export const kindStatus = (sql: SqlClient.SqlClient, kind: AnyKind, nowMs: number, staleAfterDays: number) =>
  Effect.gen(function*() {
    const { failures, records } = kind.tables
    const table = sql(records)
    const [counts] = yield* Schema.decodeUnknown(Counts)(
      yield* sql`SELECT count(*) AS stored, count(details_fetched_at) AS with_details, count(removed_at) AS removed FROM ${table}`
    )
    const [latest] = yield* Schema.decodeUnknown(Latest)(yield* sql`SELECT max(exported_on) AS date FROM ${table}`)
    let exported: KindStatus["export"] = null
    if (latest?.date != null) {
      const [listed] = yield* Schema.decodeUnknown(Listed)(
        yield* sql`SELECT count(*) AS listed, count(details_fetched_at) AS with_details FROM ${table} WHERE exported_on = ${latest.date}`
      )
      exported = { date: latest.date, listed: listed?.listed ?? 0, withDetails: listed?.with_details ?? 0 }
    }

    const mark = yield* readMark(sql, kind.marks.changes)
    const lagDays = mark === undefined ? 0 : daysBehind(mark, nowMs)
    const changes = mark === undefined ? null : { mark, lagDays, daysLeft: CHANGES_WINDOW_DAYS - lagDays }

    const nth = (n: number) => nthOldestDetails(sql, records, n)
    const fetched = counts?.with_details ?? 0
    let detailsAge: KindStatus["detailsAge"] = null
    if (fetched > 0) {
      // Oldest first: the median is the middle one, the 90th percentile of age the 10th of dates.
      const oldest = (yield* nth(0)) ?? ""
      const median = (yield* nth(Math.floor((fetched - 1) / 2))) ?? oldest
      const p90 = (yield* nth(Math.floor((fetched - 1) * 0.1))) ?? oldest
      detailsAge = { medianDays: ageDays(nowMs, median), p90Days: ageDays(nowMs, p90), oldestDays: ageDays(nowMs, oldest), oldest }
    }

    const pending = pendingPriority(sql, kind, staleHorizons(nowMs, staleAfterDays * DAY))
    const byPriority = yield* Schema.decodeUnknown(ByKey)(
      yield* sql`SELECT p AS key, count(*) AS n FROM (SELECT ${pending.priority} AS p FROM ${pending.from}) t
        WHERE p IS NOT NULL GROUP BY p`
    )
    const priority = (p: number) => byPriority.find((row) => Number(row.key) === p)?.n ?? 0
    // Ids a changes feed listed that failed before they had a row: retried too.
    const [orphans] = yield* Schema.decodeUnknown(Schema.Array(Schema.Struct({ n: Schema.Number })))(
      yield* sql`SELECT count(*) AS n FROM ${sql(failures)} f WHERE ${pending.orphaned}`
    )
    const due = {
      neverFetched: priority(0),
      changed: priority(1),
      failedRetried: priority(2) + (orphans?.n ?? 0),
      stale: priority(4)
    }

    const failed = yield* Schema.decodeUnknown(ByKey)(yield* sql`SELECT kind AS key, count(*) AS n FROM ${sql(failures)} GROUP BY kind ORDER BY kind`)
    const split = (retried: boolean) =>
      Object.fromEntries(failed.filter((row) => RETRIED_NEXT_RUN.includes(String(row.key) as never) === retried).map((row) => [String(row.key), row.n]))

    return {
      kind: kind.name,
      stored: counts?.stored ?? 0,
      withDetails: fetched,
      removed: counts?.removed ?? 0,
      export: exported,
      changes,
      detailsAge,
      due: { total: due.neverFetched + due.changed + due.failedRetried + due.stale, ...due },
      failures: { retriedNextRun: split(true), permanent: split(false) }
    } satisfies KindStatus
  })
