import type { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { ExportLine } from "../../src/Catalogue.js"
import { MovieRow } from "../../src/Storage.js"
import { chunks } from "./MovieWrites.js"

// The whole-catalogue writes of MovieRepository: daily ID exports, /movie/changes and the sync
// marks, in the caller's transaction. The SQL is what SQLite and PostgreSQL both accept.

const Ids = Schema.Array(MovieRow.pick("tmdb_id"))
const decodeIds = Schema.decodeUnknown(Ids)

/** Which of `ids` the store holds. */
const storedIds = (sql: SqlClient.SqlClient, ids: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const known = new Set<number>()
    for (const chunk of chunks(ids)) {
      for (const row of yield* decodeIds(yield* sql`SELECT tmdb_id FROM movies WHERE ${sql.in("tmdb_id", chunk)}`)) known.add(row.tmdb_id)
    }
    return known
  })

/** An export line and whether the run's filters keep it. */
export interface ExportEntry {
  readonly line: ExportLine
  readonly kept: boolean
}

/**
 * One slice of a daily ID export. A kept movie new to the store gets a row, titled by its
 * original title until details arrive; a stored movie, kept or not, takes the export's
 * popularity and the export's date, so a movie the export no longer lists can be told apart.
 * Details columns are never touched. Returns how many movies were new.
 */
export const storeExportSlice = (sql: SqlClient.SqlClient, entries: ReadonlyArray<ExportEntry>, exportDate: string, at: string) =>
  Effect.gen(function*() {
    const known = yield* storedIds(sql, entries.map((e) => e.line.id))
    const rows = entries.filter((e) => e.kept || known.has(e.line.id)).map(({ line }) => ({
      tmdb_id: line.id,
      title: line.originalTitle,
      original_title: line.originalTitle,
      popularity: line.popularity,
      adult: line.adult ? 1 : 0,
      video: line.video ? 1 : 0,
      discovered_at: at,
      // The popularity is the export's, as of its day: fresher numbers from details stay.
      votes_at: `${exportDate}T00:00:00.000Z`,
      exported_on: exportDate
    }))
    if (rows.length > 0) {
      yield* sql`INSERT INTO movies ${sql.insert(rows)} ON CONFLICT (tmdb_id) DO UPDATE SET
        popularity = CASE WHEN movies.votes_at IS NULL OR movies.votes_at < excluded.votes_at THEN excluded.popularity ELSE movies.popularity END,
        votes_at = CASE WHEN movies.votes_at IS NULL OR movies.votes_at < excluded.votes_at THEN excluded.votes_at ELSE movies.votes_at END,
        exported_on = excluded.exported_on`
    }
    return rows.length - entries.filter((e) => known.has(e.line.id)).length
  })

/**
 * Stored movies that /movie/changes listed: their details fetched before `changedAt` are stale.
 * A later mark wins. Returns which of `ids` the store holds.
 */
export const markChanged = (sql: SqlClient.SqlClient, ids: ReadonlyArray<number>, changedAt: string) =>
  Effect.gen(function*() {
    const known = yield* storedIds(sql, ids)
    for (const chunk of chunks([...known])) {
      yield* sql`UPDATE movies SET changed_at = ${changedAt}
        WHERE ${sql.in("tmdb_id", chunk)} AND (changed_at IS NULL OR changed_at < ${changedAt})`
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
 * A movie TMDB answered 404 gets `removed_at` (the first time); a movie stored from a fresh
 * response is served again, so it loses it. Returns how many rows each changed.
 */
export const recordPresence = (sql: SqlClient.SqlClient, served: ReadonlyArray<number>, gone: ReadonlyArray<number>, at: string) =>
  Effect.gen(function*() {
    let restored = 0
    let removed = 0
    for (const chunk of chunks(served)) {
      const rows = yield* sql`UPDATE movies SET removed_at = NULL WHERE ${sql.in("tmdb_id", chunk)} AND removed_at IS NOT NULL RETURNING tmdb_id`
      restored += rows.length
    }
    for (const chunk of chunks(gone)) {
      const rows = yield* sql`UPDATE movies SET removed_at = ${at} WHERE ${sql.in("tmdb_id", chunk)} AND removed_at IS NULL RETURNING tmdb_id`
      removed += rows.length
    }
    return { restored, removed }
  })
