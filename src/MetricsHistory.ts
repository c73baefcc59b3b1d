import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { chunks } from "./MovieWrites.js"

// The history of the numbers that move (README "History of popularity and votes"), written in the
// transaction of the write that observed them. Each write first stores the numbers in `movies`
// (`votes_at` says as of when); one statement per batch of 500 then copies each movie's numbers
// into `movie_metrics_history` where they differ from its latest row there, found through the
// (tmdb_id, observed_at) index, so a 1.1-million-line export costs 2,200 statements, not a
// query per movie.

/** What observed the numbers: a discover page, the daily ID export, a details response. */
export type MetricsSource = "discover" | "export" | "details"

/**
 * Movies among `ids` whose numbers `movies` holds as of `observedAt` (its `votes_at`) get a row
 * when these differ from their latest row, or when they have none. A movie whose numbers are
 * fresher than `observedAt` (an export older than its details) adds nothing: it was observed
 * later already. The export carries popularity alone: its row takes the votes of the latest row
 * (NULL when there is none). Equal means equal or both NULL.
 */
export const recordMetrics = (sql: SqlClient.SqlClient, source: MetricsSource, ids: ReadonlyArray<number>, observedAt: string) =>
  Effect.forEach(chunks(ids), (chunk) => {
    // SQLite has no LATERAL: its latest row is found by rowid, which its index holds.
    const latest = sql.onDialectOrElse({
      pg: () =>
        sql`LEFT JOIN LATERAL (SELECT * FROM movie_metrics_history l WHERE l.tmdb_id = m.tmdb_id
          ORDER BY l.observed_at DESC LIMIT 1) h ON true`,
      orElse: () =>
        sql`LEFT JOIN movie_metrics_history h ON h.rowid = (SELECT l.rowid FROM movie_metrics_history l
          WHERE l.tmdb_id = m.tmdb_id ORDER BY l.observed_at DESC LIMIT 1)`
    })
    const [count, average] = source === "export" ? [sql`h.vote_count`, sql`h.vote_average`] : [sql`m.vote_count`, sql`m.vote_average`]
    return sql`INSERT INTO movie_metrics_history (tmdb_id, observed_at, popularity, vote_count, vote_average, source)
      SELECT m.tmdb_id, m.votes_at, m.popularity, ${count}, ${average}, ${source} FROM movies m ${latest}
      WHERE ${sql.in("m.tmdb_id", chunk)} AND m.votes_at = ${observedAt} AND (h.tmdb_id IS NULL OR NOT (
        h.popularity IS NOT DISTINCT FROM m.popularity AND h.vote_count IS NOT DISTINCT FROM ${count}
        AND h.vote_average IS NOT DISTINCT FROM ${average}))`
  }, { discard: true })
