import type { SqlClient } from "@effect/sql"
import { Context, Effect } from "effect"
import { onTransaction } from "./InTransaction.js"
import { chunks } from "./MovieWrites.js"

// The history of the numbers that move (README "History of popularity and votes"), written in the
// transaction of the write that observed them. Each write first stores the numbers in `movies`
// (`votes_at` says as of when); one statement per batch of 500 then copies each movie's numbers
// into `movie_metrics_history` where they moved from its latest row there, found through the
// (tmdb_id, observed_at) index, so a 1.1-million-line export costs 2,200 statements, not a
// query per movie.

/**
 * A popularity that moved by less than this share of the latest row's, the votes unchanged, adds
 * no row: TMDB's popularity moves a few percent every day for nearly every movie, so without it
 * each daily export adds a row per movie (README "History of popularity and votes" has the
 * figures both ways, from `npm run bench -- --only history`).
 */
export const MIN_POPULARITY_CHANGE = 0.1

/** The threshold in force: `MIN_POPULARITY_CHANGE`, unless a caller provides another (the benchmark measures 0). */
export class PopularityThreshold extends Context.Reference<PopularityThreshold>()("tmdb/PopularityThreshold", {
  defaultValue: () => MIN_POPULARITY_CHANGE
}) {}

/** What observed the numbers: a discover page, the daily ID export, a details response. */
type MetricsSource = "discover" | "export" | "details"

/**
 * Movies among `ids` whose numbers `movies` holds as of `observedAt` (its `votes_at`) get a row
 * when they have none, when a vote differs from their latest row, or when popularity moved by
 * `PopularityThreshold` of the latest row's or more. A movie whose numbers are
 * fresher than `observedAt` (an export older than its details) adds nothing: it was observed
 * later already. The export carries popularity alone: its row takes the votes of the latest row
 * (those of `movies` when there is none). Equal means equal or both NULL.
 */
export const recordMetrics = (sql: SqlClient.SqlClient, source: MetricsSource, ids: ReadonlyArray<number>, observedAt: string) =>
  Effect.flatMap(PopularityThreshold, (threshold) =>
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
      // The export's votes are the latest row's; a movie with none yet (a store from before
      // migration 6) takes those `movies` holds, the latest the store knows.
      const [count, average] = source === "export"
        ? [
          sql`CASE WHEN h.tmdb_id IS NULL THEN m.vote_count ELSE h.vote_count END`,
          sql`CASE WHEN h.tmdb_id IS NULL THEN m.vote_average ELSE h.vote_average END`
        ]
        : [sql`m.vote_count`, sql`m.vote_average`]
      // One row per movie and instant: a movie seen twice at once (two pages of one write, or two
      // collectors) keeps the first, so "the latest row" is never a tie.
      return onTransaction(sql`INSERT INTO movie_metrics_history (tmdb_id, observed_at, popularity, vote_count, vote_average, source)
      SELECT m.tmdb_id, m.votes_at, m.popularity, ${count}, ${average}, ${source} FROM movies m ${latest}
      WHERE ${sql.in("m.tmdb_id", chunk)} AND m.votes_at = ${observedAt}
        AND NOT EXISTS (SELECT 1 FROM movie_metrics_history s WHERE s.tmdb_id = m.tmdb_id AND s.observed_at = m.votes_at)
        AND (h.tmdb_id IS NULL
        OR h.vote_count IS DISTINCT FROM ${count} OR h.vote_average IS DISTINCT FROM ${average}
        OR (h.popularity IS DISTINCT FROM m.popularity
          AND (h.popularity IS NULL OR m.popularity IS NULL OR abs(m.popularity - h.popularity) >= ${threshold} * h.popularity)))`)
    }, { discard: true }))
