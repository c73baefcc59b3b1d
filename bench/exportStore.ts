import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { SqlLive } from "../layers/Sql.js"
import { mulberry32, type Rng } from "../sandbox/Random.js"
import { fillLinked, historyOf } from "./exportLinked.js"
import { CHILD_COLUMNS, type ChildName, collectionIdOf, CREDIT_COLUMNS, linkedCounts, MOVIE_COLUMNS, movieIds, movieRows } from "./exportRows.js"
import { root } from "./helpers.js"

// The synthetic store of the export benchmark (bench/export.ts): the project's schema, made by
// its own migrations (layers/Sql.ts SqlLive), then filled with better-sqlite3 prepared statements
// in large transactions, not through Effect, so 1.2 million movies and their 38 million rows take
// well under 3 minutes on 2 cores. Cast and crew, half the rows, are written meanwhile by a
// process of their own (./exportCredits.ts) into a database of their own and copied in at the end.
// Indexes are dropped while filling and made again from their own SQL: keeping them in order row
// by row took twice the CPU (20 s against 9 s at 100,000 movies).

export type Value = string | number | null

/** A multi-row INSERT per `ROWS` rows of a table: one call into SQLite per batch, not per row. */
const ROWS = 100
export const inserter = (db: Database.Database, table: string, columns: ReadonlyArray<string>) => {
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

/** Collections of 2 to 6 parts among neighbouring movies, about 1 movie in 7: TMDB's franchises. */
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

/** What ./exportCredits.ts prints. */
export interface CreditStats {
  readonly rows: Readonly<Record<string, number>>
  readonly largestCast: number
  readonly castOf100: number
}

/** Seeds of the streams, from the store's: the movies', their history's, their ids', their credits'. */
export const streams = (seed: number) => ({ movies: seed, history: seed + 1, ids: seed + 2, credits: seed + 3 })

/** Cast and crew into `file`, in a process of its own, with `schema` (their tables' and indexes' SQL). */
const creditsProcess = (file: string, movies: number, seed: number, schema: ReadonlyArray<string>) =>
  new Promise<CreditStats>((resolve, reject) =>
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(root, "bench/exportCredits.ts"), file, String(movies), String(seed), JSON.stringify(schema)],
      { cwd: root, timeout: 600_000 },
      (error, stdout, stderr) => (error === null ? resolve(JSON.parse(stdout) as CreditStats) : reject(new Error(`cast and crew: ${error.message} ${stderr}`)))
    )
  )

const HISTORY = ["tmdb_id", "observed_at", "popularity", "vote_count", "vote_average", "source"]

/** Writes a migrated SQLite store of `movies` movies at `file` (new), the same rows for one seed. */
export const makeExportStore = async (file: string, movies: number, seed = 23): Promise<StoreStats> => {
  const t0 = performance.now()
  await Effect.runPromise(Effect.scoped(Layer.build(SqlLive(file))))
  const db = new Database(file)
  const seeds = streams(seed)
  const r = mulberry32(seeds.movies)
  const counts = linkedCounts(movies)
  const unfilled: Array<string> = []
  let present = 0
  const tables = new Map<string, ReturnType<typeof inserter>>()
  const leftNull = (table: string, columns: ReadonlyArray<string>) =>
    unfilled.push(...columnsOf(db, table).filter((c) => !columns.includes(c)).map((c) => `${table}.${c}`))
  const open = (table: string, columns: ReadonlyArray<string>) => {
    leftNull(table, columns)
    const ins = inserter(db, table, columns)
    tables.set(table, ins)
    return ins
  }
  const aux = `${file}.credits`
  let credits: Promise<CreditStats> | undefined
  try {
    const schema = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL").all() as Array<
      { type: string; name: string; tbl_name: string; sql: string }
    >
    const indexes = schema.filter((s) => s.type === "index")
    credits = creditsProcess(aux, movies, seed, schema.filter((s) => s.tbl_name in CREDIT_COLUMNS).map((s) => s.sql))
    for (const [table, columns] of Object.entries(CREDIT_COLUMNS)) leftNull(table, columns)
    db.pragma("journal_mode = OFF")
    db.pragma("synchronous = OFF")
    db.pragma("cache_size = -200000")
    for (const { name } of indexes) db.exec(`DROP INDEX ${name}`)

    const movieTable = open("movies", MOVIE_COLUMNS)
    const children = Object.fromEntries(Object.entries(CHILD_COLUMNS).map(([t, cs]) => [t, open(t, cs)])) as Record<ChildName, ReturnType<typeof inserter>>
    // Issue 23's history table, where the schema has it; its own stream, so the movies are the same either way.
    const historyColumns = columnsOf(db, "movie_metrics_history")
    const history = HISTORY.every((c) => historyColumns.includes(c)) ? open("movie_metrics_history", HISTORY) : undefined
    if (history === undefined && historyColumns.length > 0) unfilled.push("movie_metrics_history (not the columns expected)")
    const drift = mulberry32(seeds.history)
    const parts = open("collection_parts", ["collection_id", "tmdb_id"])
    const inCollection = collectionsOf(r, movies, counts.collections)
    const ids = movieIds(seeds.ids, movies)
    const add = (table: ChildName, row: Array<Value>) => children[table].add(row)
    const transaction = (f: () => void) => {
      db.exec("BEGIN")
      f()
      for (const ins of tables.values()) ins.flush()
      db.exec("COMMIT")
    }
    for (let from = 0; from < movies; from += 20_000) {
      transaction(() => {
        for (let i = from; i < Math.min(movies, from + 20_000); i++) {
          const tmdbId = ids[i]!
          const collection = inCollection[i] === 0 ? undefined : collectionIdOf(inCollection[i]!)
          const row = movieRows(r, counts, tmdbId, collection, add)
          movieTable.add(MOVIE_COLUMNS.map((c) => row[c]))
          if (row.removed_at === null) present++
          if (collection !== undefined) parts.add([collection, tmdbId])
          if (history !== undefined) historyOf(drift, tmdbId, history.add)
        }
      })
    }
    transaction(() => fillLinked(r, counts, open))
    // Cast and crew's indexes too, on their empty tables: SQLite copies a table into an empty one
    // with the same indexes record by record, indexes and all (its "transfer optimization",
    // https://www.sqlite.org/src/file?name=src/insert.c: xferOptimization).
    for (const { sql } of indexes) db.exec(sql)
    const made = await credits
    db.prepare("ATTACH DATABASE ? AS credits").run(aux)
    for (const table of Object.keys(CREDIT_COLUMNS)) db.exec(`INSERT INTO ${table} SELECT * FROM credits.${table}`)
    db.exec("DETACH DATABASE credits")
    db.pragma("journal_mode = WAL")
    const rows = { ...Object.fromEntries([...tables].map(([t, ins]) => [t, ins.rows()])), ...made.rows }
    return {
      movies,
      present,
      rows,
      bytes: fs.statSync(file).size,
      ms: performance.now() - t0,
      largestCast: made.largestCast,
      castOf100: made.castOf100,
      unfilled
    }
  } finally {
    db.close()
    await credits?.catch(() => undefined)
    fs.rmSync(aux, { force: true })
  }
}
