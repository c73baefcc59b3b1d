import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import { SqlLive } from "../layers/Sql.js"
import { mulberry32, type Rng } from "../sandbox/Random.js"
import { fillLinked, historyOf } from "./exportLinked.js"
import { CHILD_COLUMNS, type ChildName, collectionIdOf, linkedCounts, MOVIE_COLUMNS, movieRows } from "./exportRows.js"

// The synthetic store of the export benchmark (bench/export.ts): the project's schema, made by
// its own migrations (layers/Sql.ts SqlLive), then filled with better-sqlite3 prepared statements
// in large transactions, not through Effect, so 1.2 million movies and their 38 million rows take
// about two minutes on 2 cores. Indexes are dropped while filling and made again from their own
// SQL: keeping them in order row by row took twice the CPU (20 s against 9 s at 100,000 movies).

type Value = string | number | null

/** A multi-row INSERT per `ROWS` rows of a table: one call into SQLite per batch, not per row. */
const ROWS = 100
const inserter = (db: Database.Database, table: string, columns: ReadonlyArray<string>) => {
  const statement = (n: number) =>
    db.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array(n).fill(`(${columns.map(() => "?").join(", ")})`).join(", ")}`)
  const full = statement(ROWS)
  let buffer: Array<Value> = []
  let rows = 0
  const flush = () => {
    if (buffer.length === columns.length * ROWS) full.run(buffer)
    else if (buffer.length > 0) statement(buffer.length / columns.length).run(buffer)
    buffer = []
  }
  return {
    add: (row: ReadonlyArray<Value>) => {
      for (const v of row) buffer.push(v)
      rows++
      if (buffer.length === columns.length * ROWS) flush()
    },
    flush,
    rows: () => rows
  }
}

const columnsOf = (db: Database.Database, table: string): Array<string> =>
  (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((c) => c.name)

export interface StoreStats {
  readonly movies: number
  /** Movies without removed_at: what the export writes (every movie has its details). */
  readonly present: number
  /** Rows written per table. */
  readonly rows: Readonly<Record<string, number>>
  readonly bytes: number
  readonly ms: number
  /** The longest cast, and the movies with 100 or more: the long tail. */
  readonly largestCast: number
  readonly castOf100: number
  /** Columns of the filled tables this generator leaves NULL: the schema grew since it was written. */
  readonly unfilled: ReadonlyArray<string>
}

/** 1 movie in 8 is in a collection of 2 to 6 parts: TMDB's franchises. */
const collectionsOf = (r: Rng, movies: number, collections: number): Int32Array => {
  const of = new Int32Array(movies)
  for (let c = 1; c <= collections; c++) {
    const first = Math.floor(r() * movies)
    for (let k = 0, n = 2 + Math.floor(r() * 5); k < n; k++) {
      const i = Math.min(movies - 1, first + Math.floor(r() * 40))
      if (of[i] === 0) of[i] = c
    }
  }
  return of
}

const HISTORY = ["tmdb_id", "observed_at", "popularity", "vote_count", "vote_average", "source"]

/** Writes a migrated SQLite store of `movies` movies at `file` (new), the same rows for one seed. */
export const makeExportStore = async (file: string, movies: number, seed = 23): Promise<StoreStats> => {
  const t0 = performance.now()
  await Effect.runPromise(Effect.scoped(Layer.build(SqlLive(file))))
  const db = new Database(file)
  const r = mulberry32(seed)
  const counts = linkedCounts(movies)
  const unfilled: Array<string> = []
  let present = 0
  let cast = 0
  let largestCast = 0
  let castOf100 = 0
  const tables = new Map<string, ReturnType<typeof inserter>>()
  const open = (table: string, columns: ReadonlyArray<string>) => {
    const existing = columnsOf(db, table)
    unfilled.push(...existing.filter((c) => !columns.includes(c)).map((c) => `${table}.${c}`))
    const ins = inserter(db, table, columns)
    tables.set(table, ins)
    return ins
  }
  try {
    db.pragma("journal_mode = OFF")
    db.pragma("synchronous = OFF")
    db.pragma("cache_size = -200000")
    const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>
    for (const { name } of indexes) db.exec(`DROP INDEX ${name}`)

    const movieTable = open("movies", MOVIE_COLUMNS)
    const children = Object.fromEntries(Object.entries(CHILD_COLUMNS).map(([t, cs]) => [t, open(t, cs)])) as Record<ChildName, ReturnType<typeof inserter>>
    // Issue 23's history table, where the schema has it; its own stream, so the movies are the same either way.
    const historyColumns = columnsOf(db, "movie_metrics_history")
    const history = HISTORY.every((c) => historyColumns.includes(c)) ? open("movie_metrics_history", HISTORY) : undefined
    if (history === undefined && historyColumns.length > 0) unfilled.push("movie_metrics_history (not the columns expected)")
    const drift = mulberry32(seed + 1)
    const parts = open("collection_parts", ["collection_id", "tmdb_id"])
    const inCollection = collectionsOf(r, movies, counts.collections)
    const add = (table: ChildName, row: Array<Value>) => {
      if (table === "movie_cast") cast++
      children[table].add(row)
    }
    const transaction = (f: () => void) => {
      db.exec("BEGIN")
      f()
      for (const ins of tables.values()) ins.flush()
      db.exec("COMMIT")
    }
    let tmdbId = 1
    for (let from = 0; from < movies; from += 20_000) {
      transaction(() => {
        for (let i = from; i < Math.min(movies, from + 20_000); i++) {
          tmdbId += 1 + (r() < 0.25 ? Math.floor(r() * 6) : 0)
          const collection = inCollection[i] === 0 ? undefined : collectionIdOf(inCollection[i]!)
          cast = 0
          const row = movieRows(r, counts, tmdbId, collection, add)
          largestCast = Math.max(largestCast, cast)
          if (cast >= 100) castOf100++
          movieTable.add(MOVIE_COLUMNS.map((c) => row[c]))
          if (row.removed_at === null) present++
          if (collection !== undefined) parts.add([collection, tmdbId])
          if (history !== undefined) historyOf(drift, tmdbId, history.add)
        }
      })
    }
    transaction(() => fillLinked(r, counts, open))
    for (const { sql } of indexes) db.exec(sql)
    db.pragma("journal_mode = WAL")
  } finally {
    db.close()
  }
  const rows = Object.fromEntries([...tables].map(([t, ins]) => [t, ins.rows()]))
  return { movies, present, largestCast, castOf100, rows, bytes: fs.statSync(file).size, ms: performance.now() - t0, unfilled }
}
