import type { SqlClient, Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { Effect, Either } from "effect"
import type { ExportFilter } from "./Catalogue.js"

// A kind of TMDB record the collector keeps (a movie, a collection, a company, a person): where
// TMDB lists it (its daily ID export), where it says what changed (its changes feed), where it
// serves one record (its details request), how a body becomes rows, and the tables those rows go
// to. The workflow, the selection of what to fetch, presence and changes marks, the claims among
// collectors and the run summary are written once, over this value (services/collector/).

/**
 * Where a kind is stored. The records table holds one row per id, keyed by `key`, with the
 * columns the workflow reads and writes for every kind: `details_fetched_at`, `removed_at` (TMDB
 * answered 404), `exported_on` (the latest export listing it) and `changed_at` (its changes feed
 * listed it). `failures` (`key`, kind, message, attempts, last_attempt_at) holds why its latest
 * request failed; `leases` (`key`, run_id, expires_at) which collector holds it, on PostgreSQL.
 */
export interface KindTables {
  readonly records: string
  readonly key: string
  readonly failures: string
  readonly leases: string
}

/** A line of a daily ID export: at least the id. */
export interface Listed {
  readonly id: number
}

/** A kind's daily ID export (https://developer.themoviedb.org/docs/daily-id-exports). */
export interface KindExport<L extends Listed> {
  /** The files a run reads, as their names start (`movie_ids`, `adult_movie_ids`, ...). */
  readonly files: (filter: ExportFilter) => ReadonlyArray<string>
  /** A line, or why it is malformed. */
  readonly parse: (text: string) => Either.Either<L, string>
  /** Whether a run with these filters keeps the line; every line still counts as listed. */
  readonly keeps: (filter: ExportFilter, line: L) => boolean
  /** The columns a kept line gives a record it stores (besides the key and `exported_on`). */
  readonly row: (line: L, exportDate: string, at: string) => Record<string, unknown>
  /** What a stored record takes from a later export, in `ON CONFLICT ... DO UPDATE SET` (after `exported_on`). */
  readonly refresh?: (sql: SqlClient.SqlClient) => Statement.Fragment
  /** What the stored records among `ids` (kept or stored before) were seen with, after the write and in its transaction. */
  readonly observed?: (sql: SqlClient.SqlClient, ids: ReadonlyArray<number>, exportDate: string) => Effect.Effect<void, SqlError>
}

export interface RecordKind<A = unknown, L extends Listed = Listed> {
  /** Names the kind in marks, claims and the run summary. */
  readonly name: string
  readonly tables: KindTables
  readonly exports?: KindExport<L> | undefined
  /** The changes feed (`/movie/changes`); none when TMDB keeps none for the kind. */
  readonly changes?: string | undefined
  /** The details request: its path, and the body decoded with the sub-resources it appended. */
  readonly details: {
    readonly path: (id: number) => string
    /** The appends a run asks for, checked; a Left is refused before any request. */
    readonly append: (names: ReadonlyArray<string>) => Either.Either<ReadonlyArray<string>, { readonly message: string; readonly tooMany: boolean }>
    readonly decode: (json: unknown, body: string, append: ReadonlyArray<string>) => Either.Either<A, string>
  }
  readonly idOf: (record: A) => number
  /** Writes the records' rows, with `details_fetched_at` = `at`, in the caller's transaction. */
  readonly write: (sql: SqlClient.SqlClient, records: ReadonlyArray<A>, at: string) => Effect.Effect<void, SqlError>
  /**
   * Where its bodies are kept as TMDB sent them, compressed (`key`, fetched_at, body, encoding,
   * append), so `--renormalize` rebuilds its rows with no request: `rebuild` rewrites the rows of
   * records decoded from their stored bodies, leaving the bodies as they are.
   */
  readonly payloads?: {
    readonly table: string
    readonly rebuild: (sql: SqlClient.SqlClient, decoded: ReadonlyArray<{ readonly record: A; readonly fetchedAt: string }>) => Effect.Effect<void, SqlError>
  } | undefined
  /** What else a record TMDB answered 404 for changes, in the same transaction (a movie: its collection's parts). */
  readonly removes?: ((sql: SqlClient.SqlClient, ids: ReadonlyArray<number>, at: string) => Effect.Effect<void, SqlError>) | undefined
  /** For an id its changes feed brought that no export listed: whether the run's filters keep it. */
  readonly keepsRecord?: ((filter: ExportFilter, record: A) => boolean) | undefined
  /**
   * For a kind kept because stored movies name it (a collection, a company, a person): the
   * `INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING <key>` that adds a row for each record
   * named by a movie whose details were stored at or after `since` (every movie without one). Its
   * changes feed then brings no new ids: a record no stored movie names is not kept.
   */
  readonly linked?: ((sql: SqlClient.SqlClient, since: string | undefined) => Effect.Effect<ReadonlyArray<unknown>, SqlError>) | undefined
  /** A date column (YYYY-MM-DD): records dated in the last 90 days go stale after 7 days. */
  readonly recentColumn?: string | undefined
  /** The names its changes mark, its first-export mark and its shared units go by. */
  readonly marks: { readonly changes: string; readonly exportsSince: string }
  readonly units: { readonly catalogue: string; readonly changes: string }
}

/** Any kind, whatever it decodes to: the workflow handles records only through the kind's functions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKind = RecordKind<any, any>

/** A kind named `name`: its marks and units are named after it. */
export const recordKind = <A, L extends Listed = Listed>(
  kind: Omit<RecordKind<A, L>, "marks" | "units"> & {
    readonly marks?: RecordKind["marks"] | undefined
    readonly units?: RecordKind["units"] | undefined
  }
): RecordKind<A, L> => ({
  ...kind,
  marks: kind.marks ?? { changes: `${kind.name}:changes`, exportsSince: `${kind.name}:exports_since` },
  units: kind.units ?? { catalogue: `${kind.name}:catalogue`, changes: `${kind.name}:changes` }
})
