import { DuckDBInstance } from "@duckdb/node-api"
import Database from "better-sqlite3"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PgLive } from "../layers/Pg.js"
import { SqlLive } from "../layers/Sql.js"
import { DatasetWriter } from "../services/DatasetWriter.js"
import { WITH_PEOPLE } from "../src/kinds/Kinds.js"
import { columnLine, tableDoc, type ValueType } from "../src/schema/Dictionary.js"
import { runExport, tmpDir } from "./support/cli.js"
import { sandboxes } from "./support/sandbox.js"
import { databases, requireServer } from "./support/services.js"
import { collect } from "./support/workflow.js"

// `--format parquet` read back by an independent reader, DuckDB: every table's file has the
// table's columns with the types the data dictionary promises, and holds exactly the store's rows,
// value for value, from SQLite and from PostgreSQL.

const TABLES = [
  "movies",
  "movie_genres",
  "movie_keywords",
  "movie_companies",
  "movie_countries",
  "movie_languages",
  "movie_cast",
  "movie_crew",
  "movie_release_dates",
  "movie_metrics_history",
  "movie_overview",
  "collections",
  "collection_parts",
  "companies",
  "people"
]

const DUCKDB_TYPE: Record<ValueType, string> = {
  int32: "INTEGER",
  int64: "BIGINT",
  double: "DOUBLE",
  string: "VARCHAR",
  date: "DATE",
  timestamp: "TIMESTAMP WITH TIME ZONE",
  bool: "BOOLEAN",
  "list<string>": "VARCHAR[]",
  json: "JSON",
  bytes: "BLOB"
}

/** The rows a file must hold: the table's, less what TMDB removed (and its rows) unless kept. */
const expectedSql = (table: string, includeRemoved: boolean) => {
  if (includeRemoved || table === "movie_overview") return `SELECT * FROM ${table}`
  if (["movies", "collections", "companies", "people"].includes(table)) return `SELECT * FROM ${table} WHERE removed_at IS NULL`
  if (table === "collection_parts") return `SELECT * FROM ${table} WHERE collection_id IN (SELECT collection_id FROM collections WHERE removed_at IS NULL)`
  return `SELECT * FROM ${table} WHERE tmdb_id IN (SELECT tmdb_id FROM movies WHERE removed_at IS NULL)`
}

const DAY = /^\d{4}-\d{2}-\d{2}$/
const onCalendar = (day: string) => DAY.test(day) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day)

/** A stored value as DuckDB's column of `type` must give it back (dates and instants as text and epoch ms). */
const comparable = (type: string, value: unknown): unknown => {
  if (value === null || value === undefined) return null
  switch (type) {
    case "BIGINT":
      return String(value)
    case "BOOLEAN":
      return value === 1 || value === true
    case "DATE":
      return onCalendar(String(value).slice(0, 10)) ? String(value).slice(0, 10) : null
    case "TIMESTAMP WITH TIME ZONE":
      // Date.parse would roll a day off the calendar over to the next month: it is NULL.
      return onCalendar(String(value).slice(0, 10)) ? String(Date.parse(String(value))) : null
    case "VARCHAR[]":
      return JSON.parse(String(value)) as unknown
    default:
      return value
  }
}

const key = (row: ReadonlyArray<unknown>) => JSON.stringify(row)
const sorted = (rows: Array<ReadonlyArray<unknown>>) => rows.map(key).sort()

const duck = async () => (await DuckDBInstance.create(":memory:")).connect()
type Duck = Awaited<ReturnType<typeof duck>>

const describeFile = async (db: Duck, file: string) =>
  (await db.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`)).getRowObjectsJson().map((r) => [String(r["column_name"]), String(r["column_type"])] as const)

/** A file's rows as DuckDB reads them, each value in the form `comparable` gives. */
const fileRows = async (db: Duck, file: string, columns: ReadonlyArray<readonly [string, string]>) => {
  const select = columns.map(([name, type]) =>
    type === "TIMESTAMP WITH TIME ZONE" ? `CAST(epoch_ms("${name}") AS VARCHAR)` : type === "DATE" ? `CAST("${name}" AS VARCHAR)` : `"${name}"`
  )
  return (await db.runAndReadAll(`SELECT ${select.join(", ")} FROM '${file}'`)).getRowsJson() as Array<ReadonlyArray<unknown>>
}

type Reader = (query: string) => Promise<Array<Record<string, unknown>>>

const sqliteReader = (file: string): Reader => async (query) => {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare(query).all() as Array<Record<string, unknown>>
  } finally {
    db.close()
  }
}

// Dates and instants as text, int8 as a number: compared by `comparable` as SQLite's are.
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.DATE || oid === pg.types.builtins.TIMESTAMPTZ || oid === pg.types.builtins.JSONB
      ? (text: string) => text
      : oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"]
}
const pgReader = (url: string): Reader => async (query) => {
  const client = new pg.Client({ connectionString: url, types: pgTypes })
  await client.connect()
  try {
    return (await client.query(query)).rows as Array<Record<string, unknown>>
  } finally {
    await client.end()
  }
}

/** Every file of the export in `dir` equals the store `read` reads: columns, types, and every row. Returns the rows per table. */
const expectStoreInFiles = async (dir: string, read: Reader, includeRemoved = false) => {
  const db = await duck()
  const counts: Record<string, number> = {}
  for (const table of TABLES) {
    const file = path.join(dir, `${table}.parquet`)
    const columns = await describeFile(db, file)
    const doc = tableDoc(table)
    expect(columns, table).toEqual(doc.columns.map((c) => [c.name, DUCKDB_TYPE[c.type]]))
    const stored = await read(expectedSql(table, includeRemoved))
    const expected = stored.map((row) => columns.map(([name, type]) => comparable(type, row[name])))
    const actual = await fileRows(db, file, columns)
    expect(actual.length, `${table}: rows`).toBe(stored.length)
    expect(sorted(actual), table).toEqual(sorted(expected))
    counts[table] = actual.length
  }
  return counts
}

const sandbox = sandboxes()
const freshPg = databases()
const catalogue = { catalogue: { seed: 23, startYear: 2020, endYear: 2020, perYear: 150 } }
const YEARS = { startYear: 2020, endYear: 2020, kinds: WITH_PEOPLE }
const exportParquet = (
  store: ReturnType<typeof SqlLive> | ReturnType<typeof PgLive>,
  dir: string,
  includeRemoved = false,
  onProgress?: (file: string, rows: number) => void
) =>
  Effect.runPromise(
    DatasetWriter.run({ format: "parquet", dir, includeRemoved, onProgress }).pipe(Effect.provide(DatasetWriter.Default.pipe(Layer.provide(store))))
  )

/** A Parquet export of the store at `db` into a new folder of `tmp`, and that folder. */
const exportTo = async (db: string, name: string) => {
  const dir = path.join(tmp, name)
  await exportParquet(SqlLive(db), dir)
  return dir
}

let tmp = ""
let file = ""
/** What the test made odd in the store: a removed movie (with cast), a removed collection, a day not on the calendar. */
let odd = { removedMovie: 0, removedCollection: 0, badDay: 0 }

beforeAll(async () => {
  tmp = tmpDir("parquet-")
  file = path.join(tmp, "movies.sqlite")
  const s = await sandbox(catalogue)
  await collect(s, file, YEARS)
  const db = new Database(file)
  const removedMovie = db.prepare("SELECT tmdb_id FROM movie_cast GROUP BY tmdb_id ORDER BY tmdb_id LIMIT 1").pluck().get() as number
  const badDay = db.prepare("SELECT tmdb_id FROM movies WHERE tmdb_id <> ? ORDER BY tmdb_id LIMIT 1").pluck().get(removedMovie) as number
  const removedCollection = db.prepare("SELECT collection_id FROM collection_parts ORDER BY collection_id LIMIT 1").pluck().get() as number
  db.prepare("UPDATE movies SET removed_at = '2026-01-02T00:00:00.000Z' WHERE tmdb_id = ?").run(removedMovie)
  // TMDB has sent days that are not on the calendar; the store keeps its text as sent.
  db.prepare("UPDATE movies SET release_date = '2019-02-30' WHERE tmdb_id = ?").run(badDay)
  db.prepare("UPDATE movie_release_dates SET release_date = '2019-02-30T00:00:00.000Z' WHERE rowid = (SELECT min(rowid) FROM movie_release_dates)").run()
  db.prepare("UPDATE collections SET removed_at = '2026-01-02T00:00:00.000Z' WHERE collection_id = ?").run(removedCollection)
  db.close()
  odd = { removedMovie, removedCollection, badDay }
}, 120_000)
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe("export --format parquet", () => {
  it("DuckDB reads every table as the dictionary types it, with exactly the store's rows, removed ones left out", async () => {
    const dir = path.join(tmp, "parquet")
    const progress = new Map<string, Array<number>>()
    const result = await exportParquet(SqlLive(file), dir, false, (table, rows) => progress.set(table, [...progress.get(table) ?? [], rows]))
    const counts = await expectStoreInFiles(dir, sqliteReader(file))
    // Progress for every table, in the order written, rising to its rows.
    expect([...progress.keys()]).toEqual(TABLES)
    for (const [table, seen] of progress) expect([seen.at(-1), [...seen].sort((a, b) => a - b)], table).toEqual([counts[table], seen])
    expect(counts["movie_cast"]).toBeGreaterThan(100)
    expect(counts["people"]).toBeGreaterThan(50)
    expect(counts["collection_parts"]).toBeGreaterThan(0)
    expect(counts["movie_metrics_history"]).toBeGreaterThanOrEqual(counts["movies"]!)
    expect(result.rows).toEqual(counts)
    // The day not on the calendar is NULL in the file, and said so.
    expect(result.unreadable).toEqual({ "movies.release_date": 1, "movie_release_dates.release_date": 1 })
    const db = await duck()
    const day = (await db.runAndReadAll(`SELECT release_date FROM '${dir}/movies.parquet' WHERE tmdb_id = ${odd.badDay}`)).getRowsJson()
    expect(day).toEqual([[null]])
    const removed = (await db.runAndReadAll(`SELECT count(*) FROM '${dir}/movie_cast.parquet' WHERE tmdb_id = ${odd.removedMovie}`)).getRowsJson()
    expect(removed).toEqual([["0"]])
    expect(fs.readdirSync(dir).sort()).toEqual([...TABLES.map((t) => `${t}.parquet`), "DICTIONARY.md"].sort())
    console.log(
      `[figure] parquet types as DuckDB reads them: ${
        TABLES.map((t) => `${t}(${tableDoc(t).columns.map((c) => `${c.name} ${DUCKDB_TYPE[c.type]}`).join(", ")})`).join("; ")
      }`
    )
  })

  it("--include-removed keeps what TMDB removed, and its rows", async () => {
    const dir = path.join(tmp, "with-removed")
    await exportParquet(SqlLive(file), dir, true)
    await expectStoreInFiles(dir, sqliteReader(file), true)
    const db = await duck()
    const cast = (await db.runAndReadAll(`SELECT count(*) FROM '${dir}/movie_cast.parquet' WHERE tmdb_id = ${odd.removedMovie}`)).getRowsJson()
    expect(Number(cast[0]![0])).toBeGreaterThan(0)
    const parts = (await db.runAndReadAll(`SELECT count(*) FROM '${dir}/collection_parts.parquet' WHERE collection_id = ${odd.removedCollection}`))
      .getRowsJson()
    expect(Number(parts[0]![0])).toBeGreaterThan(0)
  })

  it("one snapshot: what a collector writes while the export runs is in none of its files", async () => {
    const copy = path.join(tmp, "snapshot.sqlite")
    fs.copyFileSync(file, copy)
    const before = await expectStoreInFiles(await exportTo(copy, "before"), sqliteReader(copy))
    let written = false
    const dir = path.join(tmp, "snapshot")
    await exportParquet(SqlLive(copy), dir, false, (table) => {
      if (table !== "movie_genres" || written) return
      // Another connection, as a collector's: movies is written already, the rest is not.
      const writer = new Database(copy)
      writer.prepare("DELETE FROM movie_cast").run()
      writer.prepare("INSERT INTO movies (tmdb_id, title) VALUES (999999999, 'Late')").run()
      writer.close()
      written = true
    })
    expect(written).toBe(true)
    const db = await duck()
    const count = async (table: string) => Number((await db.runAndReadAll(`SELECT count(*) FROM '${dir}/${table}.parquet'`)).getRowsJson()[0]![0])
    expect(await count("movie_cast")).toBe(before["movie_cast"])
    expect(await count("movie_overview")).toBe(before["movie_overview"])
    expect(await sqliteReader(copy)("SELECT count(*) AS n FROM movie_cast")).toEqual([{ n: 0 }])
  })

  it("each file describes its table and columns in its metadata, and DICTIONARY.md every column", async () => {
    const dir = path.join(tmp, "described")
    await exportParquet(SqlLive(file), dir)
    const db = await duck()
    const dictionary = fs.readFileSync(path.join(dir, "DICTIONARY.md"), "utf8")
    for (const table of TABLES) {
      const kv = (await db.runAndReadAll(`SELECT decode(key), decode(value) FROM parquet_kv_metadata('${dir}/${table}.parquet')`)).getRowsJson()
      const doc = tableDoc(table)
      expect(new Map(kv as Array<[string, string]>)).toEqual(
        new Map([["description", `${table}: ${doc.about}`], ...doc.columns.map((c) => [`description:${c.name}`, columnLine(c)] as [string, string])])
      )
      expect(dictionary).toContain(table)
      for (const column of doc.columns) expect(dictionary, `${table}.${column.name}`).toContain(column.name)
    }
  })

  it("PostgreSQL: the files of the same tables and types, equal to its rows value for value", async () => {
    if (!(await requireServer("PostgreSQL", "the Parquet export from PostgreSQL"))) return
    const pgDb = await freshPg("parquet")
    const s = await sandbox(catalogue)
    await collect(s, pgDb.url, YEARS)
    const dir = path.join(tmp, "from-pg")
    await exportParquet(PgLive(Redacted.make(pgDb.url), pgDb.url), dir)
    const counts = await expectStoreInFiles(dir, pgReader(pgDb.url))
    // The same slice of TMDB as the SQLite store, where nothing was removed.
    expect(counts["movie_cast"]).toBeGreaterThan(100)
    expect(counts["movies"]).toBe((await sqliteReader(file)("SELECT count(*) AS n FROM movies"))[0]!["n"])
  }, 120_000)
})

describe("npm run export -- --format parquet", () => {
  it("writes the files with a summary line; a folder holding files is refused, untouched; --include-removed needs parquet", async () => {
    const out = path.join(tmp, "cli")
    const run = await runExport(["--format", "parquet", "--out", out, "--db", file])
    expect(run.code).toBe(0)
    const lines = run.stderr.split("\n").filter((l) => l !== "")
    expect(lines[0]).toMatch(new RegExp(`^exported [\\d,]+ movies and [\\d,]+ rows in all to ${out} in \\d+\\.\\d s \\(16 files: movies\\.parquet, `))
    expect(lines[1]).toBe(
      "2 stored values were not valid for their column's type and were written as NULL: movies.release_date 1, movie_release_dates.release_date 1"
    )
    expect(lines).toHaveLength(2)
    const before = fs.readdirSync(out).map((f) => [f, fs.statSync(path.join(out, f)).mtimeMs])
    const again = await runExport(["--format", "parquet", "--out", out, "--db", file])
    expect(again.code).toBe(1)
    expect(again.stderr.trim()).toBe(
      `${out} already holds 16 files (DICTIONARY.md, collection_parts.parquet, collections.parquet and 13 more): export into a new or empty folder`
    )
    expect(fs.readdirSync(out).map((f) => [f, fs.statSync(path.join(out, f)).mtimeMs])).toEqual(before)
    const csv = await runExport(["--format", "csv", "--include-removed", "--out", path.join(tmp, "never"), "--db", file])
    expect(csv.code).toBe(2)
    expect(csv.stderr.trim()).toBe("--include-removed needs --format parquet: TMDB 5000's files have no column that tells a removed movie")
    expect(fs.existsSync(path.join(tmp, "never"))).toBe(false)
  }, 60_000)
})
