import { SqlClient } from "@effect/sql"
import { Clock, Effect, Schema } from "effect"
import { DatabaseError, DatabaseErrorMapping } from "../src/Database.js"
import { DEFAULT_LEASE_SECONDS } from "../src/Defaults.js"
import { SCHEMA_VERSION } from "../src/Migrations.js"
import type { AnyKind } from "../src/RecordKind.js"
import { iso } from "../src/Time.js"
import { commitFailures } from "./movieRepository/Failures.js"
import { type KindStatus, kindStatus } from "./status/Kinds.js"
import { collectors, type CollectorsStatus, lastRuns, type RunLine } from "./status/Runs.js"

// `npm run status`: what the copy holds and how fresh it is, read without writing a byte, from
// SQLite or PostgreSQL. The collector's own queries decide what counts as due.

export type { KindStatus }

export interface Status {
  /** When it was read (ISO). */
  readonly at: string
  /** The stale rule the newest run used (`--stale-after-days`). */
  readonly staleAfterDays: number
  readonly kinds: ReadonlyArray<KindStatus>
  /** The last runs, newest first. */
  readonly runs: ReadonlyArray<RunLine>
  /** PostgreSQL only: the collectors sharing it. */
  readonly collectors: CollectorsStatus | null
}

const Version = Schema.Array(Schema.Struct({ version: Schema.NullOr(Schema.Number) }))
const Tables = Schema.Array(Schema.Struct({ n: Schema.Number }))

/** The store's schema is the one this version reads, or one line saying whose it is. */
const checkSchema = (sql: SqlClient.SqlClient, display: string) =>
  Effect.gen(function*() {
    const problem = (message: string) => new DatabaseError({ problem: "other", path: display, message })
    const [migrator] = yield* Effect.flatMap(
      sql.onDialectOrElse({
        pg: () => sql`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'effect_sql_migrations' AND schemaname = current_schema()`,
        orElse: () => sql`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'effect_sql_migrations'`
      }),
      Schema.decodeUnknown(Tables)
    )
    if (migrator?.n !== 1) return yield* problem(`${display} holds no tmdb-collector data (it has no effect_sql_migrations table)`)
    const [row] = yield* Effect.flatMap(sql`SELECT max(migration_id) AS version FROM effect_sql_migrations`, Schema.decodeUnknown(Version))
    const version = row?.version ?? 0
    if (version < SCHEMA_VERSION) {
      return yield* problem(`${display} has schema ${version} of ${SCHEMA_VERSION}: one \`npm run collect\` on it brings it up to date`)
    }
    if (version > SCHEMA_VERSION) return yield* problem(`${display} has schema ${version}, newer than this tmdb-collector reads (${SCHEMA_VERSION})`)
  })

/**
 * The status of a store over the SqlClient in context: `read` gives it for `kinds`, with the last
 * `runs` runs, from one snapshot (one read transaction). `display` names the database in a
 * failure's line.
 */
export class StoreStatus extends Effect.Service<StoreStatus>()("tmdb/StoreStatus", {
  accessors: true,
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const toDatabaseError = yield* DatabaseErrorMapping
    const read = Effect.fn("StoreStatus.read")(function*(options: {
      readonly display: string
      readonly kinds: ReadonlyArray<AnyKind>
      readonly runs: number
      /** PostgreSQL: a collector whose heartbeat is older than this is not alive (the collectors' --lease-seconds). */
      readonly leaseSeconds?: number | undefined
    }) {
      const snapshot = Effect.gen(function*() {
        // PostgreSQL's default isolation takes a snapshot a statement; this takes one for all.
        yield* sql.onDialectOrElse({ pg: () => sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`, orElse: () => Effect.void })
        yield* checkSchema(sql, options.display)
        const nowMs = yield* Clock.currentTimeMillis
        const { runs, staleAfterDays } = yield* lastRuns(sql, options.runs)
        const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS
        const kinds = yield* Effect.forEach(options.kinds, (kind) => kindStatus(sql, kind, nowMs, staleAfterDays))
        const shared = yield* sql.onDialectOrElse({
          pg: () => Effect.map(collectors(sql, options.kinds, leaseSeconds), (c): CollectorsStatus | null => c),
          orElse: () => Effect.succeed(null)
        })
        return { at: iso(nowMs), staleAfterDays, kinds, runs, collectors: shared } satisfies Status
      })
      // Our own queries' rows failing their schemas is a bug, not the database's problem.
      return yield* commitFailures(sql.withTransaction(snapshot)).pipe(
        Effect.catchTag("ParseError", Effect.die),
        Effect.catchTag("SqlError", (e) => Effect.fail(toDatabaseError(e)))
      )
    })
    return { read } as const
  })
}) {}
