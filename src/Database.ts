import { Cause, Context, Either, Layer, Redacted, Schema } from "effect"
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

/**
 * A layer that opens and migrates a database, with its dialect's `toError`: the repository maps
 * its later failures with it (`DatabaseErrorMapping`), and a failure to open or migrate becomes
 * one DatabaseError line too. A DatabaseError already (a refused file, say) passes as it is.
 */
export const withDatabaseErrors = <A, E, R>(
  layer: Layer.Layer<A, E, R>,
  toError: (cause: unknown) => DatabaseError
): Layer.Layer<A | DatabaseErrorMapping, DatabaseError, R> =>
  Layer.merge(layer, Layer.succeed(DatabaseErrorMapping, toError)).pipe(
    Layer.catchAllCause((cause) => {
      const failure = Cause.squash(cause)
      return Layer.fail(failure instanceof DatabaseError ? failure : toError(failure))
    })
  )

/** Where the collector keeps its data: a SQLite file, or a PostgreSQL database by URL. */
export type DatabaseTarget =
  | { readonly _tag: "sqlite"; readonly path: string }
  | {
    readonly _tag: "postgres"
    /** The URL as given; it may hold a password, so it is only ever handed to the driver. */
    readonly url: Redacted.Redacted<string>
    /** `postgres://user@host:port/db`: the URL without its password, for every message. */
    readonly display: string
  }

const POSTGRES = /^postgres(ql)?:\/\//i

/**
 * `--db` / `TMDB_DATABASE_URL`: a `postgres://` or `postgresql://` URL is PostgreSQL, anything
 * else a SQLite file. A URL that does not parse is refused with a line that shows it without
 * its password.
 */
export const databaseTarget = (value: string): Either.Either<DatabaseTarget, DatabaseError> => {
  if (!POSTGRES.test(value)) return Either.right({ _tag: "sqlite", path: value })
  // Everything between "//" and the last "@" is user information, password included, however it
  // is written (an unencoded "/", "#" or "?" in a password would fool a URL parser into showing
  // part of it as a host or a port): messages show only what comes after the "@".
  const rest = value.replace(POSTGRES, "")
  const at = rest.lastIndexOf("@")
  const shown = `postgres://${at === -1 ? "" : "…@"}${at === -1 ? rest : rest.slice(at + 1)}`
  const invalid = (why: string) =>
    Either.left(new DatabaseError({ problem: "cannot_open", path: shown, message: `${shown} is not a valid PostgreSQL URL: ${why}` }))
  const userInfo = at === -1 ? "" : rest.slice(0, at)
  if (/[/?#]/.test(userInfo)) return invalid("percent-encode /, ? and # in the user name and password")
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    return invalid("expected postgres://user[:password]@host[:port]/database")
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""))
  const user = decodeURIComponent(parsed.username)
  const display = `postgres://${user === "" ? "" : `${user}@`}${parsed.host}/${database}`
  if (parsed.hostname === "" || database === "" || database.includes("/")) {
    return Either.left(
      new DatabaseError({ problem: "cannot_open", path: display, message: `${display} is not a valid PostgreSQL URL: it needs a host and a database name` })
    )
  }
  return Either.right({ _tag: "postgres", url: Redacted.make(value), display })
}

/**
 * Maps a PostgreSQL failure (node-postgres: SQLSTATE codes, or the socket's errno) to a
 * DatabaseError naming `display`. The driver's messages name the user, never the password.
 */
export const fromPostgres = (display: string, cause: unknown): DatabaseError => {
  const code = findErrorCode(cause, (c) => /^([0-9A-Z]{5}|E[A-Z]+)$/.test(c)) ?? ""
  const server = display.replace(/^postgres:\/\/([^@/]*@)?/, "").replace(/\/.*$/, "")
  const line = (problem: DatabaseProblem, message: string) => new DatabaseError({ problem, path: display, message })
  switch (code) {
    case "ECONNREFUSED":
      return line("cannot_open", `cannot connect to PostgreSQL at ${server}: connection refused (is the server running?)`)
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return line("cannot_open", `cannot connect to PostgreSQL at ${server}: no such host`)
    case "ETIMEDOUT":
      return line("cannot_open", `cannot connect to PostgreSQL at ${server}: timed out`)
    case "28P01":
      return line("cannot_open", `PostgreSQL at ${server} refused the password for ${display}`)
    case "28000":
      return line("cannot_open", `PostgreSQL at ${server} refused ${display}: ${driverMessage(cause)}`)
    case "3D000":
      return line("cannot_open", `database ${display} does not exist (create it with: createdb ${display.replace(/^.*\//, "")})`)
    case "53100":
      return line("full", `database ${display} is full: ${driverMessage(cause)}`)
    case "25006":
      return line("read_only", `database ${display} is read-only`)
    case "42501":
      return line("read_only", `database ${display} refused a write: ${driverMessage(cause)}`)
  }
  if (/timed out|timeout/i.test(driverMessage(cause))) return line("cannot_open", `cannot connect to PostgreSQL at ${server}: timed out`)
  const detail = driverMessage(cause)
  return line("other", `database ${display} failed: ${code === "" ? detail : `${code} ${detail}`}`)
}
