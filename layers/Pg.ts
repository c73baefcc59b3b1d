import { Migrator, SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Layer, Redacted } from "effect"
import pg from "pg"
import { type DatabaseError, DatabaseErrorMapping, fromPostgres, withDatabaseErrors } from "../src/Database.js"
import { migrationsLoader } from "../src/Migrations.js"

// node-postgres hands back timestamptz as Date, date as Date, int8 as text and jsonb parsed.
// The repository's row schemas read what SQLite gives: ISO-8601 text for instants, YYYY-MM-DD
// text for dates, numbers, JSON as text, 0/1 flags. These parsers make PostgreSQL's rows read
// the same, so one repository and one set of schemas serve both.
/** PostgreSQL's text for a timestamptz (`2026-12-04 17:01:48.1+00`) as ISO-8601 text. */
export const instant = (text: string) => new Date(text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")).toISOString()
const PARSERS: Record<number, (text: string) => unknown> = {
  [pg.types.builtins.TIMESTAMPTZ]: instant,
  [pg.types.builtins.DATE]: (text) => text,
  // Ids and counts: TMDB's ids, budgets and revenues all stay under 2^53.
  [pg.types.builtins.INT8]: Number,
  [pg.types.builtins.JSONB]: (text) => text,
  [pg.types.builtins.JSON]: (text) => text,
  [pg.types.builtins.BOOL]: (text) => (text === "t" ? 1 : 0)
}
const types: pg.CustomTypesConfig = {
  getTypeParser:
    ((oid: number, format?: string) =>
      format !== "binary" && PARSERS[oid] !== undefined ? PARSERS[oid] : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig[
        "getTypeParser"
      ]
}

// Collectors started together on a new database would each create the migrator's table: its
// check-then-create races in PostgreSQL. Created first here, under a transaction-scoped
// advisory lock, it exists before the migrator looks; the migrator's own table lock then lets
// one collector migrate and the others find it done. The DDL is the migrator's own.
const MIGRATION_LOCK = 0x746d6462 // "tmdb"
const PgMigrations = Layer.effectDiscard(
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.zipRight(
      sql.withTransaction(Effect.zipRight(
        sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`,
        sql`CREATE TABLE IF NOT EXISTS effect_sql_migrations (
          migration_id integer primary key,
          created_at timestamp with time zone not null default now(),
          name text not null
        )`
      )),
      Migrator.make({})({ loader: migrationsLoader })
    ))
)

export interface PgOptions {
  /** Connections in the pool: the writer, the claimer and the heartbeat each hold one for a moment. */
  readonly maxConnections?: number
  /** Sessions that cannot write, and no migration (`npm run status` only reads). */
  readonly readOnly?: boolean
}

/** PostgreSQL's errors, in messages that name the database without its password. */
export const postgresErrors = (display: string): Layer.Layer<DatabaseErrorMapping> =>
  Layer.succeed(DatabaseErrorMapping, (cause) => fromPostgres(display, cause))

/**
 * A PostgreSQL client on `url`, migrated to the current schema (`MigrationsLive`, the same
 * tables as SQLite's). Sessions run in UTC, so a date compared with an instant means the same
 * day as in SQLite. Every failure to connect or migrate is one DatabaseError line naming
 * `display`: a refused connection, a wrong password, a database that does not exist.
 */
export const PgLive = (
  url: Redacted.Redacted<string>,
  display: string,
  options: PgOptions = {}
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient | DatabaseErrorMapping, DatabaseError> => {
  const client = PgClient.layerFromPool({
    acquire: Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const pool = new pg.Pool({
            connectionString: Redacted.value(url),
            max: options.maxConnections ?? 4,
            connectionTimeoutMillis: 10_000,
            application_name: "tmdb-collector",
            options: options.readOnly === true ? "-c TimeZone=UTC -c default_transaction_read_only=on" : "-c TimeZone=UTC",
            types
          })
          // An idle connection the server drops must not crash the process: the next query
          // fails instead, as a DatabaseError.
          pool.on("error", () => {})
          try {
            await pool.query("SELECT 1")
          } catch (error) {
            await pool.end().catch(() => {})
            throw error
          }
          return pool
        },
        catch: (cause) => new SqlError({ cause, message: "cannot connect" })
      }),
      (pool) => Effect.promise(() => pool.end()).pipe(Effect.timeoutOption(1_000))
    ),
    applicationName: "tmdb-collector",
    types
  })
  const migrated = options.readOnly === true ? client : Layer.provideMerge(PgMigrations, client)
  return withDatabaseErrors(migrated, (cause) => fromPostgres(display, cause))
}
