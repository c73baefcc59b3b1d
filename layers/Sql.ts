import { Migrator, SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { DatabaseError, DatabaseErrorMapping, DEFAULT_DB, fromSqlite, withDatabaseErrors } from "../src/Database.js"
import { migrationsLoader } from "../src/Migrations.js"
import { CheckpointsLive } from "./Checkpoints.js"
import { explainFull } from "./Disk.js"

export { DEFAULT_DB } from "../src/Database.js"

const SQLITE_HEADER = "SQLite format 3\u0000"
/** Bytes the write-ahead log is truncated to when it restarts: four times the first checkpoint's 4 MB. */
const JOURNAL_SIZE_LIMIT = 16 * 1024 * 1024

/** SQLite's error codes as DatabaseErrors, in lines that name `filename` (and its disk, when full). */
const sqliteError = (filename: string) => (cause: unknown) => explainFull(filename, fromSqlite(filename, cause))

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
    catch: sqliteError(filename)
  }).pipe(Effect.flatMap((problem) => (problem === undefined ? Effect.void : Effect.fail(problem))))

/**
 * Brings the client's database to the current schema with its dialect's migrations (README
 * "Database schema"). The plain migrator: SQLite's own adds only schema dumps, through a shell.
 */
export const MigrationsLive: Layer.Layer<never, Migrator.MigrationError | SqlError, SqlClient.SqlClient> = Layer
  .effectDiscard(Migrator.make({})({ loader: migrationsLoader }))

/** SQLite's error codes, in messages that name `filename`. */
export const sqliteErrors = (filename: string): Layer.Layer<DatabaseErrorMapping> => Layer.succeed(DatabaseErrorMapping, sqliteError(filename))

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
            Effect.all([
              // Another writer holds the lock: SQLite waits a moment inside the statement, asleep
              // on the event loop's thread, then fails as `locked`; the repository waits the rest
              // between tries (services/movieRepository/Failures.ts), with the loop free.
              sql`PRAGMA busy_timeout = 200`,
              sql`PRAGMA synchronous = NORMAL`,
              // A reader that keeps a transaction open (an analyst's shell) stops checkpoints from
              // restarting the log, which grows meanwhile; once it is done, the next restart
              // truncates the file back to this (https://www.sqlite.org/pragma.html#pragma_journal_size_limit).
              sql.unsafe(`PRAGMA journal_size_limit = ${JOURNAL_SIZE_LIMIT}`)
            ], { discard: true }))
        )
        return Layer.provideMerge(Layer.mergeAll(MigrationsLive, setup, CheckpointsLive(filename)), client)
      })
    ),
    sqliteError(filename)
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
    sqliteError(filename)
  )
