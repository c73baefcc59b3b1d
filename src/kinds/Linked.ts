import type { SqlClient, Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Either, type Schema } from "effect"
import type { ExportFilter } from "../Catalogue.js"
import { describeParseError } from "../Decode.js"
import { fastDecoder } from "../FastDecode.js"
import { compressBody, writePayloads } from "../Payloads.js"
import { type KindExport, type Listed, type RecordKind, recordKind } from "../RecordKind.js"

// What the kinds a movie names (its collection, its companies, its people) have in common: one
// records table each, beside it its failures, leases and payloads (src/schema/Linked.ts); the
// records a stored movie names are the ones kept, and a daily ID export refreshes the stored ones.

/** A record of a linked kind, as decoded, with the body TMDB sent. */
interface LinkedRecord {
  readonly id: number
  /** The response body as received, kept compressed in the kind's payloads. */
  readonly body?: string | undefined
}

/** A line of a linked kind's daily ID export: every one has an id and a name. */
interface NamedLine extends Listed {
  readonly name: string
}

interface LinkedSpec<A extends LinkedRecord, I, L extends NamedLine> {
  /** The kind's name; its failures, leases and payloads tables are named after it. */
  readonly name: string
  readonly records: string
  readonly key: string
  /** `/collection`: the details request is `<path>/{id}`. */
  readonly path: string
  readonly schema: Schema.Schema<Omit<A, "body">, I>
  /** Its columns in `records`, the key among them, without the collector's own. */
  readonly row: (record: A) => Record<string, unknown>
  /** Rows of other tables derived from the same body (a collection's parts), rewritten with it. */
  readonly children?: (sql: SqlClient.SqlClient, records: ReadonlyArray<A>) => Effect.Effect<void, SqlError>
  readonly exports: {
    readonly files: (filter: ExportFilter) => ReadonlyArray<string>
    readonly parse: (text: string) => Either.Either<L, string>
    /** The columns a later export refreshes on a stored record: all from the export's line. */
    readonly columns: (line: L) => Record<string, unknown>
  }
  readonly changes?: string | undefined
  /** The records stored movies name (see `RecordKind.linked`). */
  readonly linked: NonNullable<RecordKind["linked"]>
}

/** A line of a linked kind's export: `{"id":…,"name":"…"}`, and a person's `popularity` (0 when absent). */
export interface NamedExportLine extends NamedLine {
  readonly popularity: number
}

/**
 * Reads a line of `person_ids`, `collection_ids` or `production_company_ids`. Checked by hand, not
 * by a Schema: a person export has some 3.5 million lines, and a Schema decode per line costs
 * more than the JSON.parse it checks (BENCHMARKS.md, linked).
 */
export const namedExportLine = (text: string): Either.Either<NamedExportLine, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left("not JSON")
  }
  if (typeof json !== "object" || json === null) return Either.left("not a JSON object")
  const { id, name, popularity } = json as { id?: unknown; name?: unknown; popularity?: unknown }
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) return Either.left(`id: expected a positive integer, got ${JSON.stringify(id)}`)
  if (typeof name !== "string") return Either.left(`name: expected a string, got ${JSON.stringify(name)}`)
  if (popularity !== undefined && popularity !== null && (typeof popularity !== "number" || !Number.isFinite(popularity))) {
    return Either.left(`popularity: expected a number, got ${JSON.stringify(popularity)}`)
  }
  return Either.right({ id, name, popularity: typeof popularity === "number" ? popularity : 0 })
}

/** A linked kind: no appends, its rows upserted whole, its export refreshing only what is stored. */
export const linkedKind = <A extends LinkedRecord, I, L extends NamedLine>(spec: LinkedSpec<A, I, L>): RecordKind<A, L> => {
  const { key, records } = spec
  const decode = fastDecoder(spec.schema)
  const payloads = { table: `${spec.name}_payloads`, key }
  const upsert = (sql: SqlClient.SqlClient, given: ReadonlyArray<A>, fetchedAt: (record: A) => string) =>
    Effect.gen(function*() {
      if (given.length === 0) return
      // A record given twice: the last wins, as for movies.
      const latest = Array.from(new Map(given.map((r) => [r.id, r])).values())
      const rows = latest.map((r) => ({ ...spec.row(r), details_fetched_at: fetchedAt(r) }))
      const columns = Object.keys(rows[0]!).filter((c) => c !== key)
      yield* sql`INSERT INTO ${sql(records)} ${sql.insert(rows)} ON CONFLICT (${sql(key)}) DO UPDATE SET ${
        sql.join(", ", false)(columns.map((c) => sql`${sql(c)} = excluded.${sql(c)}`))
      }`
      if (spec.children !== undefined) yield* spec.children(sql, latest)
    })
  const exported: KindExport<L> = {
    files: spec.exports.files,
    parse: spec.exports.parse,
    // Only what a stored movie names is kept: a line refreshes a stored record, and adds none.
    keeps: () => false,
    row: (line) => spec.exports.columns(line),
    // The export is as of its day: details fetched later than that day are fresher. SQLite
    // compares ISO text, where a day sorts before every instant of it; PostgreSQL compares the
    // instant with the day's start in UTC, not in the session's time zone.
    refresh: (sql) => {
      const table = sql(records)
      const dayStart = sql.onDialectOrElse({
        pg: () => sql`CAST(excluded.exported_on AS timestamp) AT TIME ZONE 'UTC'`,
        orElse: () => sql`excluded.exported_on`
      })
      return sql.join(", ", false)(
        Object.keys(spec.exports.columns({ id: 0, name: "", popularity: 0 } as unknown as L)).map((c) =>
          sql`${sql(c)} = CASE WHEN ${table}.details_fetched_at IS NULL OR ${table}.details_fetched_at < ${dayStart}
            THEN excluded.${sql(c)} ELSE ${table}.${sql(c)} END`
        )
      )
    }
  }
  return recordKind<A, L>({
    name: spec.name,
    tables: { records, key, failures: `${spec.name}_failures`, leases: `${spec.name}_leases` },
    exports: exported,
    changes: spec.changes,
    details: {
      path: (id) => `${spec.path}/${id}`,
      // The movies' appends are not theirs: a linked record is one plain request.
      append: () => Either.right([]),
      decode: (json, body) => Either.map(Either.mapLeft(decode(json), describeParseError), (record) => ({ ...record, body }) as A)
    },
    idOf: (record) => record.id,
    write: (sql, given, at) =>
      Effect.zipRight(
        upsert(sql, given, () => at),
        writePayloads(
          sql,
          payloads,
          given.flatMap((r) => r.body === undefined ? [] : [{ id: r.id, body: compressBody(r.body), fetchedAt: at, append: [] }])
        )
      ),
    payloads: {
      table: payloads.table,
      rebuild: (sql, decoded) => {
        const at = new Map(decoded.map((d) => [d.record.id, d.fetchedAt]))
        return upsert(sql, decoded.map((d) => d.record), (r) => at.get(r.id)!)
      }
    },
    linked: spec.linked
  })
}

/** `AND <column> IN (movies whose details were stored since)`, or nothing without a `since`. */
export const fetchedSince = (sql: SqlClient.SqlClient, column: string, since: string | undefined): Statement.Fragment =>
  since === undefined ? sql`` : sql` AND ${sql(column)} IN (SELECT tmdb_id FROM movies WHERE details_fetched_at >= ${since})`

/** `AND details_fetched_at >= since` over `movies` itself, or nothing without a `since`. */
export const storedSince = (sql: SqlClient.SqlClient, since: string | undefined): Statement.Fragment =>
  since === undefined ? sql`` : sql` AND details_fetched_at >= ${since}`
