import type { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import * as nodePath from "node:path"
import { tableDoc } from "../../src/schema/Dictionary.js"
import type { OrFail } from "./Output.js"
import { appendRows, finishParquet, openParquet, type ParquetOutput } from "./ParquetFile.js"

// `--format parquet` (README "Export"): the store's tables as they are, one file each, with the
// types of the data dictionary, rather than the TMDB 5000 shape the text formats keep for old
// notebooks. Rows TMDB has removed (removed_at) are left out unless asked for, and so are the
// child rows of removed movies and the parts of removed collections.

/** How a table is read: by its own key, or by the ids of the table it hangs from. */
interface Plan {
  readonly table: string
  readonly key: string
  /** Paged by this table's present ids (its rows go with them); none: paged by its own key. */
  readonly parent?: "movies" | "collections"
  /** Order within a page, after the key. */
  readonly then: ReadonlyArray<string>
  /** Has removed_at, and so rows to leave out. */
  readonly removable: boolean
}

const child = (table: string, then: ReadonlyArray<string> = ["ord"]): Plan => ({ table, key: "tmdb_id", parent: "movies", then, removable: false })
const own = (table: string, key: string, removable = true): Plan => ({ table, key, then: [], removable })

/** The files of a Parquet export, in the order they are written. */
const PLANS: ReadonlyArray<Plan> = [
  own("movies", "tmdb_id"),
  child("movie_genres"),
  child("movie_keywords"),
  child("movie_companies"),
  child("movie_countries"),
  child("movie_languages"),
  child("movie_cast"),
  child("movie_crew"),
  child("movie_release_dates", ["country", "type", "release_date"]),
  child("movie_metrics_history", ["observed_at"]),
  // The view shows only what TMDB still serves, whatever the flag.
  own("movie_overview", "tmdb_id", false),
  own("collections", "collection_id"),
  { table: "collection_parts", key: "collection_id", parent: "collections", then: ["tmdb_id"], removable: false },
  own("companies", "company_id"),
  own("people", "person_id")
]

// 1,000 movies and their crew, or their history (about 9,000 rows on TMDB's averages) are a few MB of rows: the
// export keeps its peak memory within 160 MB (BENCHMARKS.md, export).
const PAGE = 1_000

const Key = Schema.Array(Schema.Struct({ id: Schema.Number }))

/**
 * Writes every table of PLANS into `dir` as `<table>.parquet.partial`, finished, from one
 * snapshot of the store (one read transaction: the files agree with each other even while a
 * collector writes), and returns them for the caller to publish.
 */
export const parquetWriter = (sql: SqlClient.SqlClient, orFail: OrFail) => {
  const columnsOf = (names: ReadonlyArray<string>) => sql.join(", ", false)(names.map((name) => sql`${sql(name)}`))
  const present = (removable: boolean, includeRemoved: boolean) => (removable && !includeRemoved ? sql`AND removed_at IS NULL` : sql``)

  const idsAfter = (table: string, key: string, after: number, includeRemoved: boolean) =>
    Effect.flatMap(
      sql`SELECT ${sql(key)} AS id FROM ${sql(table)} WHERE ${sql(key)} > ${after} ${present(true, includeRemoved)}
        ORDER BY ${sql(key)} LIMIT ${PAGE}`,
      Schema.decodeUnknown(Key)
    )

  const writeTable = (plan: Plan, file: ParquetOutput, includeRemoved: boolean, onPage: (rows: number) => void) =>
    Effect.gen(function*() {
      const columns = columnsOf(file.table.columns.map((column) => column.name))
      const order = columnsOf([plan.key, ...plan.then])
      let after = -1
      while (true) {
        let rows: ReadonlyArray<Record<string, unknown>>
        if (plan.parent === undefined) {
          rows = yield* orFail(sql<Record<string, unknown>>`SELECT ${columns} FROM ${sql(plan.table)}
            WHERE ${sql(plan.key)} > ${after} ${present(plan.removable, includeRemoved)} ORDER BY ${order} LIMIT ${PAGE}`)
          if (rows.length === 0) return
          after = rows[rows.length - 1]![plan.key] as number
        } else {
          const ids = yield* orFail(idsAfter(plan.parent, plan.key, after, includeRemoved))
          if (ids.length === 0) return
          const [first, last] = [ids[0]!.id, ids[ids.length - 1]!.id]
          const all = yield* orFail(sql<Record<string, unknown>>`SELECT ${columns} FROM ${sql(plan.table)}
            WHERE ${sql(plan.key)} >= ${first} AND ${sql(plan.key)} <= ${last} ORDER BY ${order}`)
          // A removed parent's rows in the range stay out with it.
          const kept = new Set(ids.map((row) => row.id))
          rows = all.filter((row) => kept.has(row[plan.key] as number))
          after = last
        }
        yield* appendRows(file, rows)
        onPage(file.rows)
      }
    })

  return Effect.fn("DatasetWriter.parquetFiles")(function*(
    dir: string,
    includeRemoved: boolean,
    onProgress: (table: string, rows: number) => void
  ) {
    const files: Array<ParquetOutput> = []
    for (const plan of PLANS) files.push(yield* openParquet(nodePath.join(dir, `${plan.table}.parquet`), tableDoc(plan.table)))
    yield* sql.withTransaction(Effect.gen(function*() {
      // One snapshot for the whole export: PostgreSQL gives that only from REPEATABLE READ
      // (https://www.postgresql.org/docs/current/transaction-iso.html); SQLite's read transaction is one.
      yield* orFail(sql.onDialectOrElse({
        pg: () => Effect.asVoid(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`),
        orElse: () => Effect.void
      }))
      for (const [i, plan] of PLANS.entries()) {
        const file = files[i]!
        onProgress(plan.table, 0)
        yield* writeTable(plan, file, includeRemoved, (rows) => onProgress(plan.table, rows))
        yield* finishParquet(file)
      }
    })).pipe(Effect.catchTag("SqlError", (error) => orFail(Effect.fail(error))))
    return files
  })
}
