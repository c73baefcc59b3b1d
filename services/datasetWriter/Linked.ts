import { type SqlClient, SqlSchema } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, type ParseResult, Schema } from "effect"
import * as nodePath from "node:path"
import type { DatasetError, ExportFormat } from "../../src/Dataset.js"
import { finish, openOutput, type OrFail, type Output, write } from "./Output.js"

// The records the movies name (README "Export"), each table as a file of its own beside the
// TMDB 5000 two: collections.<fmt>, collection_parts.<fmt>, companies.<fmt>, people.<fmt>.
// Columns as the tables name them, without the collector's bookkeeping (exported_on, changed_at);
// removed rows are left out as removed movies are, so removed_at is not written. Values are
// decoded to one form whatever the dialect gave, so SQLite and PostgreSQL write the same bytes.

const Id = Schema.Number
const Text = Schema.NullOr(Schema.String)
const Num = Schema.NullOr(Schema.Number)
/** An instant as ISO-8601 text in UTC with milliseconds, however the store wrote it. */
const Instant = Schema.NullOr(Schema.transform(Schema.Date, Schema.String, { strict: true, decode: (d) => d.toISOString(), encode: (s) => new Date(s) }))
/** SQLite's 0/1, and PostgreSQL's boolean as its reader gives it (layers/Pg.ts), as true/false. */
const Flag = Schema.NullOr(Schema.transform(Schema.Literal(0, 1), Schema.Boolean, { strict: true, decode: (n) => n === 1, encode: (b) => (b ? 1 : 0) }))
/** JSON text in SQLite, jsonb's text in PostgreSQL (spaced otherwise): a list either way. */
const Names = Schema.NullOr(Schema.parseJson(Schema.Array(Schema.String)))

const CollectionRow = Schema.Struct({
  collection_id: Id,
  name: Text,
  overview: Text,
  poster_path: Text,
  backdrop_path: Text,
  details_fetched_at: Instant
})
const PartRow = Schema.Struct({ collection_id: Id, tmdb_id: Id })
const CompanyRow = Schema.Struct({
  company_id: Id,
  name: Text,
  description: Text,
  headquarters: Text,
  homepage: Text,
  origin_country: Text,
  parent_company_id: Num,
  parent_company_name: Text,
  logo_path: Text,
  details_fetched_at: Instant
})
const PersonRow = Schema.Struct({
  person_id: Id,
  name: Text,
  also_known_as: Names,
  gender: Num,
  // Days: YYYY-MM-DD text in SQLite, and from PostgreSQL's date too (layers/Pg.ts).
  birthday: Text,
  deathday: Text,
  place_of_birth: Text,
  known_for_department: Text,
  biography: Text,
  popularity: Num,
  adult: Flag,
  imdb_id: Text,
  homepage: Text,
  profile_path: Text,
  details_fetched_at: Instant
})

/** A row as CSV cells: NULL empty, a list as JSON text, a flag `true`/`false`, a number as JSON writes it. */
const cellsOf = (columns: ReadonlyArray<string>) => (row: unknown): Array<string> =>
  columns.map((column) => {
    const value: unknown = (row as Record<string, unknown>)[column] ?? null
    return value === null ? "" : typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value)
  })

const After = Schema.Struct({ after: Schema.Number, limit: Schema.Number })
const IdRange = Schema.Struct({ from: Schema.Number, to: Schema.Number })

/**
 * Writes the four files into `dir` as `.partial`, each finished, in keyset pages of `limit` rows
 * (a store can hold a million people), and returns them for the caller to publish with the others.
 */
export const linkedWriter = (sql: SqlClient.SqlClient, orFail: OrFail) => {
  const columnsOf = (fields: Schema.Struct.Fields) => sql.join(", ", false)(Object.keys(fields).map((column) => sql`${sql(column)}`))
  // The rows after an id, by the table's primary key, removed ones left out.
  const pageOf = <F extends Schema.Struct.Fields>(table: string, key: string, Row: Schema.Struct<F>) =>
    SqlSchema.findAll({
      Request: After,
      Result: Row,
      execute: ({ after, limit }) =>
        sql`SELECT ${columnsOf(Row.fields)} FROM ${sql(table)}
        WHERE removed_at IS NULL AND ${sql(key)} > ${after} ORDER BY ${sql(key)} LIMIT ${limit}`
    })
  const collections = pageOf("collections", "collection_id", CollectionRow)
  const companies = pageOf("companies", "company_id", CompanyRow)
  const people = pageOf("people", "person_id", PersonRow)
  // A page's parts by its id range, on collection_parts' collection_id index.
  const partsOf = SqlSchema.findAll({
    Request: IdRange,
    Result: PartRow,
    execute: ({ from, to }) =>
      sql`SELECT collection_id, tmdb_id FROM collection_parts WHERE collection_id >= ${from} AND collection_id <= ${to} ORDER BY collection_id, tmdb_id`
  })
  // A collection and its parts from the same moment, even while a collector rewrites them: one
  // snapshot for the transaction, which PostgreSQL gives only from REPEATABLE READ (its default,
  // READ COMMITTED, takes one per statement: https://www.postgresql.org/docs/current/transaction-iso.html).
  const collectionPage = (after: number, limit: number) =>
    sql.withTransaction(Effect.gen(function*() {
      yield* sql.onDialectOrElse({ pg: () => Effect.asVoid(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`), orElse: () => Effect.void })
      const rows = yield* collections({ after, limit })
      if (rows.length === 0) return { rows, parts: [] as ReadonlyArray<typeof PartRow.Type> }
      const written = new Set(rows.map((row) => row.collection_id))
      const parts = yield* partsOf({ from: rows[0]!.collection_id, to: rows[rows.length - 1]!.collection_id })
      // Only the parts of collections written: a removed one's in the range are not.
      return { rows, parts: parts.filter((part) => written.has(part.collection_id)) }
    }))

  /** Reads pages after the last id until one is empty (`last` gives undefined), handing each to `each`. */
  const eachPage = <P>(
    read: (after: number) => Effect.Effect<P, SqlError | ParseResult.ParseError>,
    last: (page: P) => number | undefined,
    each: (page: P) => Effect.Effect<void, DatasetError>
  ) =>
    Effect.gen(function*() {
      // Ids are positive: TMDB's start at 1.
      let after = -1
      while (true) {
        const page = yield* orFail(read(after))
        const next = last(page)
        if (next === undefined) return
        yield* each(page)
        after = next
      }
    })

  const writeAll = <A>(output: Output<A>, rows: ReadonlyArray<A>) => Effect.forEach(rows, (row) => write(output, row), { discard: true })

  return Effect.fn("DatasetWriter.linked")(function*(dir: string, format: ExportFormat, limit: number) {
    const open = <F extends Schema.Struct.Fields>(name: string, Row: Schema.Struct<F>) => {
      const columns = Object.keys(Row.fields)
      return openOutput<Schema.Struct.Type<F>>(nodePath.join(dir, `${name}.${format}`), format, columns, cellsOf(columns))
    }
    const collectionsFile = yield* open("collections", CollectionRow)
    const partsFile = yield* open("collection_parts", PartRow)
    yield* eachPage(
      (after) => collectionPage(after, limit),
      ({ rows }) => rows.at(-1)?.collection_id,
      ({ parts, rows }) => Effect.zipRight(writeAll(collectionsFile, rows), writeAll(partsFile, parts))
    )
    yield* finish(collectionsFile)
    yield* finish(partsFile)
    const companiesFile = yield* open("companies", CompanyRow)
    yield* eachPage((after) => companies({ after, limit }), (rows) => rows.at(-1)?.company_id, (rows) => writeAll(companiesFile, rows))
    yield* finish(companiesFile)
    const peopleFile = yield* open("people", PersonRow)
    yield* eachPage((after) => people({ after, limit }), (rows) => rows.at(-1)?.person_id, (rows) => writeAll(peopleFile, rows))
    yield* finish(peopleFile)
    return [collectionsFile, partsFile, companiesFile, peopleFile] as const
  })
}
