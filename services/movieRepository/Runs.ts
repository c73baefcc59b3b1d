import { type SqlClient, SqlSchema } from "@effect/sql"
import { Effect } from "effect"
import { type FinalRunStatus, RunRow, type RunStatus } from "../../src/Storage.js"
import type { OrFail } from "./Failures.js"

/**
 * Marks runs still `running` as `abandoned`: `dead`, or every one when alone (SQLite, whose file
 * lock lets one collector in, so a run still running was killed). Among collectors sharing a
 * database, their heartbeats and pids tell which are dead (services/Coordination.ts).
 */
export const abandonRuns = (sql: SqlClient.SqlClient, dead: ReadonlyArray<number> | "all") =>
  sql`UPDATE collection_runs SET status = ${"abandoned" satisfies RunStatus}
    WHERE status = ${"running" satisfies RunStatus}${dead === "all" ? sql`` : sql` AND ${sql.in("id", dead)}`}`

/** `collection_runs`: a run's start, options and end, as MovieRepository keeps them. */
export const runs = (sql: SqlClient.SqlClient, orFail: OrFail) => {
  const insertRun = SqlSchema.single({
    Request: RunRow.pick("started_at", "status", "options", "heartbeat_at", "collector"),
    Result: RunRow.pick("id"),
    execute: (row) => sql`INSERT INTO collection_runs ${sql.insert(row)} RETURNING id`
  })
  const updateRun = SqlSchema.void({
    Request: RunRow.pick("id", "finished_at", "status", "summary"),
    execute: (row) => sql`UPDATE collection_runs SET ${sql.update(row, ["id"])} WHERE id = ${row.id}`
  })

  const startRun = Effect.fn("MovieRepository.startRun")(function*(
    options: unknown,
    at: string,
    among: { readonly alone: boolean; readonly collector?: string | undefined } = { alone: true }
  ) {
    if (among.alone) yield* orFail(abandonRuns(sql, "all"))
    return (yield* orFail(insertRun({ started_at: at, status: "running", options, heartbeat_at: at, collector: among.collector ?? null }))).id
  })

  const finishRun = Effect.fn("MovieRepository.finishRun")(function*(
    id: number,
    status: FinalRunStatus,
    summary: unknown,
    at: string
  ) {
    yield* orFail(updateRun({ id, finished_at: at, status, summary }))
  })

  return {
    /**
     * Starts a run. `alone` (SQLite, whose file lock lets one collector in): runs still marked
     * running were killed. Among others, their heartbeats tell (`Coordination`).
     * `collector` names the process (`host pid`).
     */
    startRun,
    /** Ends a run with its status and summary (`collection_runs.finished_at`, `status`, `summary`). */
    finishRun
  } as const
}
