import { Context, Schema } from "effect"
import { findErrorCode } from "./Wire.js"

/** Where the CLI and `SqlLive` keep the database unless told otherwise. */
export const DEFAULT_DB = "./data/movies.sqlite"

/** Why the database cannot be used. Each has one clear line for a person. */
export const DatabaseProblem = Schema.Literal("not_a_database", "is_directory", "read_only", "locked", "full", "cannot_open", "other")
export type DatabaseProblem = typeof DatabaseProblem.Type

export class DatabaseError extends Schema.TaggedError<DatabaseError>()("DatabaseError", {
  problem: DatabaseProblem,
  path: Schema.String,
  message: Schema.String
}) {}

/** Maps a SQLite failure (better-sqlite3's `SQLITE_*` codes) to a DatabaseError. */
export const fromSqlite = (path: string, cause: unknown): DatabaseError => {
  const code = findErrorCode(cause, (c) => c.startsWith("SQLITE_")) ?? ""
  if (code.startsWith("SQLITE_READONLY")) {
    return new DatabaseError({ problem: "read_only", path, message: `database ${path} is read-only` })
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new DatabaseError({ problem: "locked", path, message: `database ${path} is locked by another writer` })
  }
  if (code.startsWith("SQLITE_FULL")) {
    return new DatabaseError({ problem: "full", path, message: `database ${path} is full (disk or max_page_count)` })
  }
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return new DatabaseError({ problem: "not_a_database", path, message: `${path} is not a SQLite database` })
  }
  if (code.startsWith("SQLITE_CANTOPEN")) {
    return new DatabaseError({ problem: "cannot_open", path, message: `cannot open database ${path}` })
  }
  const detail = code !== "" ? code : cause instanceof Error ? cause.message : String(cause)
  return new DatabaseError({ problem: "other", path, message: `database ${path} failed: ${detail}` })
}

/** The driver's own words: a SqlError's message is only "Failed to execute statement". */
const driverMessage = (cause: unknown): string => {
  const inner = typeof cause === "object" && cause !== null && "cause" in cause ? cause.cause : undefined
  return inner instanceof Error ? inner.message : cause instanceof Error ? cause.message : String(cause)
}

/**
 * How the repository turns a failure of its SQL client into a DatabaseError. Only the layer that
 * opens the database knows its dialect's error codes and a name to show (`SqlLive` gives SQLite's
 * and the file name); over any other client a failure reads `database failed: <cause>`.
 */
export class DatabaseErrorMapping extends Context.Reference<DatabaseErrorMapping>()("tmdb/DatabaseErrorMapping", {
  defaultValue: () => (cause: unknown): DatabaseError => new DatabaseError({ problem: "other", path: "", message: `database failed: ${driverMessage(cause)}` })
}) {}
