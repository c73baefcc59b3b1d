import { Migrator, SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { DatabaseError, DatabaseErrorMapping, DEFAULT_DB, fromSqlite, withDatabaseErrors } from "../src/Database.js"
import { migrationsLoader } from "../src/Migrations.js"
import { CheckpointsLive } from "./Checkpoints.js"

export { DEFAULT_DB } from "../src/Database.js"

const SQLITE_HEADER = "SQLite format 3\u0000"

/**
 * Refuses, without touching it, a path that is a directory, a file that is not SQLite, or a file
 * without write permission (checked on the mode bits: root ignores them, a person does not).
 * Creates the parent folder of a new database.
 */
export const preflight = (filename: string): Effect.Effect<void, DatabaseError> =>
  Effect.try({
    try: () => {
      const stat = fs.statSync(filename, { throwIfNoEntry: false })
      if (stat === undefined) {
        fs.mkdirSync(nodePath.dirname(nodePath.resolve(filename)), { recursive: true })
        return undefined
      }
      if (stat.isDirectory()) {
        return new DatabaseError({ problem: "is_directory", path: filename, message: `${filename} is a directory, not a database file` })
      }
      if (stat.size > 0) {
        const fd = fs.openSync(filename, "r")
        const header = Buffer.alloc(16)
        try {
          fs.readSync(fd, header, 0, 16, 0)
        } finally {
          fs.closeSync(fd)
        }
        if (header.toString("latin1") !== SQLITE_HEADER) {
          return new DatabaseError({ problem: "not_a_database", path: filename, message: `${filename} is not a SQLite database` })
        }
      }
      if ((stat.mode & 0o222) === 0) {
        return new DatabaseError({ problem: "read_only", path: filename, message: `database ${filename} is read-only` })
      }
      return undefined
    },
    catch: (cause) => fromSqlite(filename, cause)
  }).pipe(Effect.flatMap((problem) => (problem === undefined ? Effect.void : Effect.fail(problem))))

/**
 * Brings the client's database to the current schema with its dialect's migrations (README
 * "Database schema"). The plain migrator: SQLite's own adds only schema dumps, through a shell.
 */
export const MigrationsLive: Layer.Layer<never, Migrator.MigrationError | SqlError, SqlClient.SqlClient> = Layer
  .effectDiscard(Migrator.make({})({ loader: migrationsLoader }))

/** SQLite's error codes, in messages that name `filename`. */
export const sqliteErrors = (filename: string): Layer.Layer<DatabaseErrorMapping> => Layer.succeed(DatabaseErrorMapping, (cause) => fromSqlite(filename, cause))

/**
 * A SQLite client on `filename` (WAL), migrated to the current schema. Every failure to open or
 * migrate is a DatabaseError with one clear line, and so is every later failure of the repository.
 */
export const SqlLive = (
  filename: string = DEFAULT_DB
): Layer.Layer<SqlClient.SqlClient | SqliteClient.SqliteClient | DatabaseErrorMapping, DatabaseError> =>
  withDatabaseErrors(
    Layer.unwrapEffect(
      Effect.map(preflight(filename), () => {
        const client = SqliteClient.layer({ filename })
        const setup = Layer.effectDiscard(
          Effect.flatMap(SqlClient.SqlClient, (sql) =>
            // Another writer holds the lock: wait up to 5 s before failing as `locked`.
            sql`PRAGMA busy_timeout = 5000`.pipe(Effect.zipRight(sql`PRAGMA synchronous = NORMAL`)))
        )
        return Layer.provideMerge(Layer.mergeAll(MigrationsLive, setup, CheckpointsLive(filename)), client)
      })
    ),
    (cause) => fromSqlite(filename, cause)
  )

const writable = (path: string) => {
  try {
    fs.accessSync(path, fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * A SQLite client on `filename` that only reads (`npm run status`): the file is neither created
 * nor migrated, and the connection refuses writes (`query_only`). It reads beside a running
 * collector, as WAL lets readers do. Where it may, it opens the file for writing all the same, so
 * that closing the last connection removes the -wal and -shm files as a collector's close does; a
 * read-only connection leaves both behind (https://www.sqlite.org/wal.html#readonly).
 */
export const SqlReadOnlyLive = (filename: string): Layer.Layer<SqlClient.SqlClient | DatabaseErrorMapping, DatabaseError> =>
  withDatabaseErrors(
    Layer.provideMerge(
      Layer.effectDiscard(Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.zipRight(sql`PRAGMA busy_timeout = 5000`, sql`PRAGMA query_only = 1`))),
      SqliteClient.layer({ filename, readonly: !(writable(filename) && writable(nodePath.dirname(filename))), disableWAL: true })
    ),
    (cause) => fromSqlite(filename, cause)
  )
