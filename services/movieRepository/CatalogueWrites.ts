import type { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { onTransaction } from "../../src/InTransaction.js"
import { chunks } from "../../src/MovieWrites.js"
import type { AnyKind, Listed } from "../../src/RecordKind.js"

// The whole-catalogue writes of the store, for any kind of record: daily ID exports, changes
// feeds, presence and the sync marks, in the caller's transaction. The SQL is what SQLite and
// PostgreSQL both accept.

const Ids = Schema.Array(Schema.Struct({ id: Schema.Number }))
const decodeIds = Schema.decodeUnknown(Ids)

/** Which of `ids` the kind's records table holds. */
const storedIds = (sql: SqlClient.SqlClient, kind: AnyKind, ids: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const { key, records } = kind.tables
    const known = new Set<number>()
    for (const chunk of chunks(ids)) {
      const rows = yield* decodeIds(yield* sql`SELECT ${sql(key)} AS id FROM ${sql(records)} WHERE ${sql.in(key, chunk)}`)
      for (const row of rows) known.add(row.id)
    }
    return known
  })

/** An export line and whether the run's filters keep it. */
export interface ExportEntry<L extends Listed = Listed> {
  readonly line: L
  readonly kept: boolean
}

/**
 * One slice of a daily ID export. A kept record new to the store gets a row (the kind says what
 * of the line it keeps); a stored record, kept or not, takes the export's date, so one the export
 * no longer lists can be told apart, and what the kind refreshes. Details columns are never
 * touched. Returns how many records were new.
 */
export const storeExportSlice = (sql: SqlClient.SqlClient, kind: AnyKind, entries: ReadonlyArray<ExportEntry>, exportDate: string, at: string) =>
  Effect.gen(function*() {
    const exports = kind.exports!
    const { key, records } = kind.tables
    const known = yield* storedIds(sql, kind, entries.map((e) => e.line.id))
    const lines = entries.filter((e) => e.kept || known.has(e.line.id)).map((e) => e.line)
    const rows = lines.map((line) => ({ [key]: line.id, ...exports.row(line, exportDate, at), exported_on: exportDate }))
    if (rows.length > 0) {
      const refresh = exports.refresh === undefined ? sql`` : sql`, ${exports.refresh(sql)}`
      yield* sql`INSERT INTO ${sql(records)} ${sql.insert(rows)} ON CONFLICT (${sql(key)}) DO UPDATE SET
        exported_on = excluded.exported_on${refresh}`
      if (exports.observed !== undefined) yield* exports.observed(sql, lines.map((line) => line.id), exportDate)
    }
    return rows.length - entries.filter((e) => known.has(e.line.id)).length
  })

/**
 * Stored records that the kind's changes feed listed: their details fetched before `changedAt`
 * are stale. A later mark wins. Returns which of `ids` the store holds.
 */
export const markChanged = (sql: SqlClient.SqlClient, kind: AnyKind, ids: ReadonlyArray<number>, changedAt: string) =>
  Effect.gen(function*() {
    const { key, records } = kind.tables
    const known = yield* storedIds(sql, kind, ids)
    for (const chunk of chunks([...known])) {
      yield* sql`UPDATE ${sql(records)} SET changed_at = ${changedAt}
        WHERE ${sql.in(key, chunk)} AND (changed_at IS NULL OR changed_at < ${changedAt})`
    }
    return known
  })

const Mark = Schema.Array(Schema.Struct({ value: Schema.String }))

export const readMark = (sql: SqlClient.SqlClient, name: string) =>
  Effect.map(
    Effect.flatMap(sql`SELECT value FROM sync_marks WHERE name = ${name}`, Schema.decodeUnknown(Mark)),
    (rows) => rows[0]?.value
  )

export const writeMark = (sql: SqlClient.SqlClient, name: string, value: string, at: string) =>
  sql`INSERT INTO sync_marks ${sql.insert({ name, value, updated_at: at })}
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`

/**
 * A record TMDB answered 404 for gets `removed_at` (the first time); one stored from a fresh
 * response is served again, so it loses it. Returns how many rows each changed.
 */
export const recordPresence = (sql: SqlClient.SqlClient, kind: AnyKind, served: ReadonlyArray<number>, gone: ReadonlyArray<number>, at: string) =>
  Effect.gen(function*() {
    const { key, records } = kind.tables
    let restored = 0
    let removed = 0
    for (const chunk of chunks(served)) {
      const rows = yield* onTransaction(
        sql`UPDATE ${sql(records)} SET removed_at = NULL WHERE ${sql.in(key, chunk)} AND removed_at IS NOT NULL RETURNING ${sql(key)}`
      )
      restored += rows.length
    }
    for (const chunk of chunks(gone)) {
      const rows = yield* sql`UPDATE ${sql(records)} SET removed_at = ${at} WHERE ${sql.in(key, chunk)} AND removed_at IS NULL RETURNING ${sql(key)}`
      removed += rows.length
    }
    return { restored, removed }
  })
