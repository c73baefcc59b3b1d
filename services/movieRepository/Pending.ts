import type { SqlClient, Statement } from "@effect/sql"
import { RETRIED_NEXT_RUN } from "../../src/Errors.js"
import type { AnyKind } from "../../src/RecordKind.js"
import type { SelectionPolicy } from "../../src/Storage.js"

// What needs details, for any kind of record, written once for the store's own choice
// (MovieRepository.selectForDetails) and for collectors claiming among themselves
// (Coordination.claimDetails).

/**
 * Which records of `kind` need details, as SQL over `<records> m LEFT JOIN <failures> f` (the
 * kind's tables, which `from` joins; `key` is its id column): `last` is when a record was last
 * tried, `priority` one CASE giving each record a single priority (NULL: not needed), so no id is
 * chosen twice: never fetched; listed by its changes feed since it was fetched; failed with a
 * transient kind; missing from the latest export (`--all`), checked once;
 * stale. `untried(at)` leaves out what this run (or its generation) tried already. `orphaned`, over
 * `<failures> f`: ids the changes feed listed that failed before they had a row, retried with
 * priority 2.
 */
export const pendingPriority = (sql: SqlClient.SqlClient, kind: AnyKind, policy: SelectionPolicy) => {
  const { failures, key, records } = kind.tables
  const from = sql`${sql(records)} m LEFT JOIN ${sql(failures)} f ON f.${sql(key)} = m.${sql(key)}`
  const last = sql`coalesce(f.last_attempt_at, m.details_fetched_at)`
  // The end of the day an export listed the record. SQLite compares ISO text, where
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
  const recent = kind.recentColumn === undefined ? sql`1 = 0` : sql`m.${sql(kind.recentColumn)} >= ${policy.recentReleasedAfter}`
  // A run chooses in rounds: what it has tried already waits for the next run.
  const untried = (at: Statement.Fragment) => policy.attemptedBefore === undefined ? sql`1 = 1` : sql`(${at} IS NULL OR ${at} < ${policy.attemptedBefore})`
  const priority = sql`(CASE
      WHEN NOT ${untried(last)} THEN NULL
      WHEN m.details_fetched_at IS NULL AND f.${sql(key)} IS NULL THEN 0
      WHEN m.changed_at IS NOT NULL AND ${last} < m.changed_at THEN 1
      WHEN ${sql.in("f.kind", RETRIED_NEXT_RUN)} THEN 2
      WHEN ${missing} OR ${back} THEN 3
      WHEN ${last} < ${policy.staleBefore} OR (${recent} AND ${last} < ${policy.recentStaleBefore}) THEN 4
      END)`
  const orphaned = sql`${sql.in("f.kind", RETRIED_NEXT_RUN)} AND ${untried(sql`f.last_attempt_at`)}
    AND NOT EXISTS (SELECT 1 FROM ${sql(records)} m WHERE m.${sql(key)} = f.${sql(key)})`
  return { from, key: sql(key), last, orphaned, priority, untried }
}
