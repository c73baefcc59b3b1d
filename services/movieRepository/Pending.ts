import type { SqlClient, Statement } from "@effect/sql"
import { RETRIED_NEXT_RUN } from "../../src/Errors.js"
import type { SelectionPolicy } from "../../src/Storage.js"

// What needs details, written once for the store's own choice (MovieRepository.selectForDetails)
// and for collectors claiming among themselves (Coordination.claimDetails).

/**
 * Which movies need details, as SQL over `movies m LEFT JOIN fetch_failures f`: `last` is when a
 * movie was last tried, `priority` one CASE giving each movie a single priority (NULL: not
 * needed), so no id is chosen twice: never fetched; listed by /movie/changes since it was
 * fetched; failed with a transient kind; missing from the latest export (`--all`), checked once;
 * stale. `untried(at)` leaves out what this run (or its generation) tried already. `orphaned`, over
 * `fetch_failures f`: ids /movie/changes listed that failed before they had a row, retried with
 * priority 2.
 */
export const pendingPriority = (sql: SqlClient.SqlClient, policy: SelectionPolicy) => {
  const last = sql`coalesce(f.last_attempt_at, m.details_fetched_at)`
  // The end of the day an export listed the movie. SQLite compares ISO text, where
  // "<day>T24" sorts after every instant of that day; PostgreSQL compares instants.
  const endOfExportDay = sql.onDialectOrElse({
    pg: () => sql`CAST(m.exported_on + 1 AS timestamp) AT TIME ZONE 'UTC'`,
    orElse: () => sql`m.exported_on || 'T24'`
  })
  // Never listed by an export: missing since the first export this store read.
  const missing = policy.exportDate === undefined ? sql`1 = 0` : sql`m.removed_at IS NULL AND m.details_fetched_at IS NOT NULL
          AND (m.exported_on IS NULL OR m.exported_on < ${policy.exportDate})
          AND ${last} < CASE WHEN m.exported_on IS NULL THEN ${
    sql.onDialectOrElse({
      pg: () => sql`CAST(${policy.exportsSince ?? policy.exportDate} AS timestamptz)`,
      orElse: () => sql`${policy.exportsSince ?? policy.exportDate}`
    })
  } ELSE ${endOfExportDay} END`
  const back = policy.exportDate === undefined ?
    sql`1 = 0` :
    sql`m.removed_at IS NOT NULL AND m.exported_on = ${policy.exportDate} AND ${last} < ${policy.exportDate}`
  // A run chooses in rounds: what it has tried already waits for the next run.
  const untried = (at: Statement.Fragment) => policy.attemptedBefore === undefined ? sql`1 = 1` : sql`(${at} IS NULL OR ${at} < ${policy.attemptedBefore})`
  const priority = sql`(CASE
      WHEN NOT ${untried(last)} THEN NULL
      WHEN m.details_fetched_at IS NULL AND f.tmdb_id IS NULL THEN 0
      WHEN m.changed_at IS NOT NULL AND ${last} < m.changed_at THEN 1
      WHEN ${sql.in("f.kind", RETRIED_NEXT_RUN)} THEN 2
      WHEN ${missing} OR ${back} THEN 3
      WHEN ${last} < ${policy.staleBefore}
        OR (m.release_date >= ${policy.recentReleasedAfter} AND ${last} < ${policy.recentStaleBefore}) THEN 4
      END)`
  const orphaned = sql`${sql.in("f.kind", RETRIED_NEXT_RUN)} AND ${untried(sql`f.last_attempt_at`)}
    AND NOT EXISTS (SELECT 1 FROM movies m WHERE m.tmdb_id = f.tmdb_id)`
  return { last, orphaned, priority, untried }
}
