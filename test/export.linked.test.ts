import { SqlClient } from "@effect/sql"
import { afterAll, describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { parse } from "csv-parse/sync"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { PgLive } from "../layers/Pg.js"
import { SqlLive } from "../layers/Sql.js"
import { DatasetWriter } from "../services/DatasetWriter.js"
import { MovieRepository } from "../services/MovieRepository.js"
import type { ExportFormat } from "../src/Dataset.js"
import { fill, HANKS_BIOGRAPHY, HEADERS, REMOVED, T, TABLES } from "./export.linked.fixture.js"
import { databases, requireServer } from "./support/services.js"

// Issue 22 §6: `npm run export` writes collections, collection_parts, companies and people beside
// the TMDB 5000 files, from SQLite and PostgreSQL alike.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "export-linked-"))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))
const freshPg = databases()

type Store = Layer.Layer<SqlClient.SqlClient, unknown>
const sqliteStore = (): Store => {
  const file = path.join(fs.mkdtempSync(path.join(tmp, "db-")), "movies.sqlite")
  return SqlLive(file)
}
const pgStore = (url: string): Store => PgLive(Redacted.make(url), url)

const filled = (store: Store) => Effect.scoped(Effect.provide(fill, MovieRepository.Default.pipe(Layer.provideMerge(store))))
const exportInto = (store: Store, format: ExportFormat, dir: string, pageSize?: number) =>
  // Each format in a folder of its own: an export refuses a folder that holds files.
  DatasetWriter.run({ format, dir: path.join(dir, format), pageSize }).pipe(Effect.provide(DatasetWriter.Default.pipe(Layer.provide(store))))
const read = (dir: string, table: string, format: ExportFormat) => fs.readFileSync(path.join(dir, format, `${table}.${format}`), "utf8")
const newDir = () => fs.mkdtempSync(path.join(tmp, "out-"))
const jsonl = (text: string) => text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>)

/** A SQLite store's rows, removed ones left out, as plain values: lists as arrays, 0/1 as booleans. */
const tableRows = (file: string, table: (typeof TABLES)[number]): Array<Record<string, unknown>> => {
  const db = new Database(file, { readonly: true })
  try {
    const where = table === "collection_parts"
      ? "WHERE collection_id IN (SELECT collection_id FROM collections WHERE removed_at IS NULL) ORDER BY collection_id, tmdb_id"
      : `WHERE removed_at IS NULL ORDER BY ${HEADERS[table][0]}`
    return (db.prepare(`SELECT ${HEADERS[table].join(", ")} FROM ${table} ${where}`).all() as Array<Record<string, unknown>>).map((row) =>
      table !== "people" ? row : {
        ...row,
        also_known_as: row["also_known_as"] === null ? null : JSON.parse(String(row["also_known_as"])),
        adult: row["adult"] === null ? null : row["adult"] === 1
      }
    )
  } finally {
    db.close()
  }
}
const NUMBERS = new Set(["collection_id", "tmdb_id", "company_id", "parent_company_id", "person_id", "gender", "popularity"])
/** A CSV file's rows as the JSONL objects: empty cells null, numbers as numbers, the list and the flag as JSON. */
const csvRows = (text: string) => {
  const [header, ...rows] = parse(text) as Array<Array<string>>
  return rows.map((cells) =>
    Object.fromEntries(header!.map((column, i) => {
      const cell = cells[i]!
      const value = cell === "" ? null : NUMBERS.has(column) ? Number(cell) : column === "also_known_as" || column === "adult" ? JSON.parse(cell) : cell
      return [column, value]
    }))
  )
}

describe("export: the linked tables", () => {
  it.effect("each file holds its table's rows, removed ones and the parts of removed collections left out, in the tables' columns", () =>
    Effect.gen(function*() {
      const file = path.join(fs.mkdtempSync(path.join(tmp, "db-")), "movies.sqlite")
      yield* filled(SqlLive(file))
      const dir = newDir()
      const csv = yield* exportInto(SqlLive(file), "csv", dir)
      yield* exportInto(SqlLive(file), "jsonl", dir)
      expect(csv.files.slice(2).map((f) => path.basename(f))).toEqual([...TABLES.map((t) => `${t}.csv`), "DICTIONARY.md"])
      for (const table of TABLES) {
        const rows = tableRows(file, table)
        expect(read(dir, table, "csv").split("\n")[0]).toBe(HEADERS[table].join(","))
        expect(csvRows(read(dir, table, "csv")), `${table}.csv`).toEqual(rows)
        const objects = jsonl(read(dir, table, "jsonl"))
        expect(objects, `${table}.jsonl`).toEqual(rows)
        for (const object of objects) expect(Object.keys(object)).toEqual(HEADERS[table])
      }
      expect(tableRows(file, "collections").map((r) => r["collection_id"])).toEqual([10, 15, 30])
      expect(tableRows(file, "collection_parts")).toEqual([[10, 1], [10, 2], [10, 3], [30, 4]].map(([c, t]) => ({ collection_id: c, tmdb_id: t })))
      expect(tableRows(file, "companies").map((r) => r["company_id"])).toEqual([901, 903, 904])
      expect(tableRows(file, "people").map((r) => r["person_id"])).toEqual([31, 32, 34])
      for (const format of ["csv", "jsonl"]) expect(fs.readdirSync(path.join(dir, format)).filter((f) => f.endsWith(".partial"))).toEqual([])
    }))

  it.effect("also_known_as a JSON array, adult true/false, days YYYY-MM-DD, NULL an empty cell or null, byte for byte", () =>
    Effect.gen(function*() {
      const store = sqliteStore()
      yield* filled(store)
      const dir = newDir()
      yield* exportInto(store, "csv", dir)
      yield* exportInto(store, "jsonl", dir)
      // dprint-ignore
      expect(read(dir, "people", "csv")).toBe([
        HEADERS.people.join(","),
        `31,Tom Hanks,"[""Томас Хэнкс"",""トム・ハンクス"",""Tom \\""Hanks\\"", Jr.""]",2,1956-07-09,,"Concord, California, USA",Acting,` +
          `"Thomas Jeffrey Hanks, ""Tom"",\nborn in Concord.",12.5,false,nm0000158,,/h.jpg,${T}`,
        `32,Ann,[],1,1930-05-31,2020-01-02,,,,0.000372,true,,,,${T}`,
        "34,Named Person,,,,,,,,,,,,,",
        ""
      ].join("\n"))
      // dprint-ignore
      expect(read(dir, "people", "jsonl")).toBe([
        `{"person_id":31,"name":"Tom Hanks","also_known_as":["Томас Хэнкс","トム・ハンクス","Tom \\"Hanks\\", Jr."],"gender":2,"birthday":"1956-07-09",` +
          `"deathday":null,"place_of_birth":"Concord, California, USA","known_for_department":"Acting","biography":${JSON.stringify(HANKS_BIOGRAPHY)},` +
          `"popularity":12.5,"adult":false,"imdb_id":"nm0000158","homepage":null,"profile_path":"/h.jpg","details_fetched_at":"${T}"}`,
        `{"person_id":32,"name":"Ann","also_known_as":[],"gender":1,"birthday":"1930-05-31","deathday":"2020-01-02","place_of_birth":null,` +
          `"known_for_department":null,"biography":null,"popularity":0.000372,"adult":true,"imdb_id":null,"homepage":null,"profile_path":null,` +
          `"details_fetched_at":"${T}"}`,
        `{"person_id":34,"name":"Named Person","also_known_as":null,"gender":null,"birthday":null,"deathday":null,"place_of_birth":null,` +
          `"known_for_department":null,"biography":null,"popularity":null,"adult":null,"imdb_id":null,"homepage":null,"profile_path":null,` +
          `"details_fetched_at":null}`,
        ""
      ].join("\n"))
      expect(read(dir, "companies", "csv").split("\n")[1]).toBe(`901,Lucasfilm Ltd.,,"San Francisco, California",,US,2,Disney,,${T}`)
      expect(read(dir, "collection_parts", "csv")).toBe("collection_id,tmdb_id\n10,1\n10,2\n10,3\n30,4\n")
    }))

  it.effect("an empty store: each CSV is its header, each JSONL empty; pages of one row give the files of one page", () =>
    Effect.gen(function*() {
      const empty = newDir()
      yield* exportInto(sqliteStore(), "csv", empty)
      yield* exportInto(sqliteStore(), "jsonl", empty)
      for (const table of TABLES) {
        expect(read(empty, table, "csv")).toBe(`${HEADERS[table].join(",")}\n`)
        expect(read(empty, table, "jsonl")).toBe("")
      }
      const store = sqliteStore()
      yield* filled(store)
      for (const format of ["csv", "jsonl"] as const) {
        const whole = newDir()
        const paged = newDir()
        yield* exportInto(store, format, whole)
        yield* exportInto(store, format, paged, 1)
        for (const table of TABLES) expect(read(paged, table, format), `${table}.${format}`).toBe(read(whole, table, format))
      }
    }))

  it.effect("a rerun into the same folder is refused, its files untouched; a new folder gets the store's rows now", () =>
    Effect.gen(function*() {
      const file = path.join(fs.mkdtempSync(path.join(tmp, "db-")), "movies.sqlite")
      yield* filled(SqlLive(file))
      const dir = newDir()
      yield* exportInto(SqlLive(file), "csv", dir)
      const before = read(dir, "people", "csv")
      expect(before).toContain("Tom Hanks")
      yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE people SET removed_at = ${REMOVED} WHERE person_id = 31`
        yield* sql`UPDATE collections SET name = 'Renamed Saga' WHERE collection_id = 10`
        yield* sql`DELETE FROM collection_parts WHERE collection_id = 30`
        yield* sql`DELETE FROM companies`
      }).pipe(Effect.provide(SqlLive(file)), Effect.scoped)
      const refused = yield* Effect.flip(exportInto(SqlLive(file), "csv", dir))
      expect(refused).toEqual(expect.objectContaining({
        _tag: "DatasetError",
        message: `${
          path.join(dir, "csv")
        } already holds 7 files (DICTIONARY.md, collection_parts.csv, collections.csv and 4 more): export into a new or empty folder`
      }))
      expect(read(dir, "people", "csv")).toBe(before)
      const files = [...TABLES.map((t) => `${t}.csv`), "tmdb_5000_credits.csv", "tmdb_5000_movies.csv", "DICTIONARY.md"].sort()
      expect(fs.readdirSync(path.join(dir, "csv")).sort()).toEqual(files)
      const again = newDir()
      yield* exportInto(SqlLive(file), "csv", again)
      expect(read(again, "people", "csv")).not.toContain("Tom Hanks")
      expect(csvRows(read(again, "people", "csv")).map((r) => r["person_id"])).toEqual([32, 34])
      expect(csvRows(read(again, "collections", "csv"))[0]!["name"]).toBe("Renamed Saga")
      expect(read(again, "collection_parts", "csv")).toBe("collection_id,tmdb_id\n10,1\n10,2\n10,3\n")
      expect(read(again, "companies", "csv")).toBe(`${HEADERS.companies.join(",")}\n`)
    }))

  it("SQLite and PostgreSQL holding the same rows write byte-identical files", async () => {
    if (!(await requireServer("PostgreSQL", "the linked export from PostgreSQL"))) return
    const pg = await freshPg("export_linked")
    const sqlite = sqliteStore()
    await Effect.runPromise(filled(sqlite))
    await Effect.runPromise(filled(pgStore(pg.url)))
    for (const format of ["csv", "jsonl"] as const) {
      const fromSqlite = newDir()
      const fromPg = newDir()
      await Effect.runPromise(exportInto(sqlite, format, fromSqlite))
      await Effect.runPromise(exportInto(pgStore(pg.url), format, fromPg, 2))
      for (const table of TABLES) expect(read(fromPg, table, format), `${table}.${format}`).toBe(read(fromSqlite, table, format))
      expect(read(fromPg, "people", format)).toContain("トム・ハンクス")
    }
  })
})
