import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { PgLive } from "../layers/Pg.js"
import { SqlLive } from "../layers/Sql.js"
import { columnLine, DICTIONARY, dictionaryMarkdown, tableDoc, type ValueType } from "../src/schema/Dictionary.js"
import { connect, databases, requireServer } from "./support/services.js"

// The data dictionary against the schema the migrations really make, in both dialects: a table,
// view or column without a description fails here, and so does a description of one that does
// not exist, one out of the table's order, or a type the database cannot hold.

const root = path.resolve(import.meta.dirname, "..")
const pgUp = await requireServer("PostgreSQL", "the data dictionary's PostgreSQL check")
const database = databases()

// The migrator's own table and SQLite's AUTOINCREMENT counter: no migration of ours makes them.
const NOT_OURS = ["effect_sql_migrations", "sqlite_sequence"]

/** Each table's columns in order, as the dictionary describes them. */
const described = Object.fromEntries(DICTIONARY.map((t) => [t.name, t.columns.map((c) => c.name)]))
const typeOf = (table: string, column: string) => tableDoc(table).columns.find((c) => c.name === column)!.type

/** What each dialect's declared type may hold, as an analyst reads it (src/schema/Dialect.ts). */
const TEXTS: ReadonlyArray<ValueType> = ["string", "date", "timestamp", "json", "list<string>"]
const SQLITE: Record<string, ReadonlyArray<ValueType>> = {
  INTEGER: ["int32", "int64", "bool"],
  INT: ["int32", "int64"],
  REAL: ["double"],
  TEXT: TEXTS,
  BLOB: ["bytes"]
}
const PG: Record<string, ReadonlyArray<ValueType>> = {
  integer: ["int32"],
  bigint: ["int64"],
  "double precision": ["double"],
  boolean: ["bool"],
  date: ["date"],
  "timestamp with time zone": ["timestamp"],
  jsonb: ["list<string>", "json"],
  bytea: ["bytes"],
  text: ["string", "date", "timestamp"]
}

/** The columns whose dictionary type the dialect's declared type cannot hold, as `table.column: declared -> described`. */
const disagreements = (columns: ReadonlyArray<{ table: string; column: string; declared: string }>, allowed: Record<string, ReadonlyArray<ValueType>>) =>
  columns.flatMap(({ column, declared, table }) => {
    const type = typeOf(table, column)
    return allowed[declared]?.includes(type) === true ? [] : [`${table}.${column}: ${declared} -> ${type}`]
  })

/**
 * What README "Database schema" shows: all but the linked kinds' failures, leases and payloads,
 * which the README names in a line as having the movies' columns.
 */
const README_TABLES = DICTIONARY.filter((t) => !/^(collection|company|person)_(failures|leases|payloads)$/.test(t.name))

const grouped = (columns: ReadonlyArray<{ table: string; column: string }>) => {
  const out: Record<string, Array<string>> = {}
  for (const { column, table } of columns) (out[table] ??= []).push(column)
  return out
}

describe("the data dictionary", () => {
  it.effect("describes every table, view and column a new SQLite database has, in its order, in types SQLite holds", () =>
    Effect.gen(function*() {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dictionary-")), "movies.sqlite")
      yield* Effect.scoped(Layer.build(SqlLive(file)))
      const db = new Database(file, { readonly: true })
      try {
        const columns = db.prepare(
          `SELECT m.name AS "table", c.name AS "column", c.type AS declared FROM sqlite_master m, pragma_table_info(m.name) c
           WHERE m.type IN ('table', 'view') ORDER BY m.name, c.cid`
        ).all() as Array<{ table: string; column: string; declared: string }>
        const ours = columns.filter((c) => !NOT_OURS.includes(c.table))
        expect(grouped(ours)).toEqual(described)
        // A view's computed column has no declared type in SQLite: PostgreSQL's check below covers it.
        expect(disagreements(ours.filter((c) => c.declared !== ""), SQLITE)).toEqual([])
        // The check reads declared types, and tells one it cannot hold.
        expect(disagreements([{ table: "movies", column: "budget", declared: "TEXT" }], SQLITE)).toEqual(["movies.budget: TEXT -> int64"])
      } finally {
        db.close()
      }
    }))

  it.skipIf(!pgUp)("describes every table, view and column a new PostgreSQL database has, in its order, in the types it declares", async () => {
    const made = await database("dictionary")
    await Effect.runPromise(Effect.scoped(Layer.build(PgLive(Redacted.make(made.url), made.name))))
    const client = await connect(made.url)
    try {
      const { rows } = await client.query<{ table: string; column: string; declared: string }>(
        `SELECT table_name AS "table", column_name AS "column", data_type AS declared FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> ALL($1) ORDER BY table_name, ordinal_position`,
        [NOT_OURS]
      )
      expect(grouped(rows)).toEqual(described)
      expect(disagreements(rows, PG)).toEqual([])
      // The check reads real types, and tells one a column cannot hold.
      expect(rows.find((r) => r.table === "movies" && r.column === "budget")?.declared).toBe("bigint")
      expect(disagreements([{ table: "movies", column: "release_date", declared: "jsonb" }], PG)).toEqual(["movies.release_date: jsonb -> date"])
    } finally {
      await client.end()
    }
  })

  it("says something of every table and column, each named once", () => {
    const blank = DICTIONARY.flatMap((t) => [
      ...(t.about.trim() === "" ? [t.name] : []),
      ...t.columns.flatMap((c) =>
        [c.meaning, c.source, c.unit ?? "-", ...(c.codes ?? []).flat()].some((text) => text.trim() === "") || c.codes?.length === 0
          ? [`${t.name}.${c.name}`]
          : []
      )
    ])
    expect(blank).toEqual([])
    // A column's line lists codes as `code = meaning, ...`: a comma inside a meaning would blur where one ends.
    expect(
      DICTIONARY.flatMap((t) => t.columns.flatMap((c) => (c.codes ?? []).filter(([, m]) => m.includes(",")).map(([code]) => `${t.name}.${c.name} ${code}`)))
    )
      .toEqual([])
    const names = DICTIONARY.map((t) => t.name)
    expect(new Set(names).size).toBe(names.length)
    expect(DICTIONARY.filter((t) => new Set(t.columns.map((c) => c.name)).size !== t.columns.length)).toEqual([])
  })

  it("gives a column's meaning, unit and codes in one plain line, as a Parquet file's description", () => {
    const type = tableDoc("movie_release_dates").columns.find((c) => c.name === "type")!
    expect(columnLine(type)).toBe(
      "The kind of release (https://developer.themoviedb.org/reference/movie-release-dates); codes: 1 = Premiere, 2 = Theatrical (limited), " +
        "3 = Theatrical, 4 = Digital, 5 = Physical, 6 = TV"
    )
    const budget = tableDoc("movies").columns.find((c) => c.name === "budget")!
    expect(columnLine(budget)).toBe("Production budget; NULL when TMDB sends 0 (unknown); unit: US dollars")
    expect(DICTIONARY.flatMap((t) => t.columns.map(columnLine)).filter((line) => /[\n`]/.test(line))).toEqual([])
    expect(() => tableDoc("movie_trailers")).toThrow("the data dictionary has no table movie_trailers")
  })

  it("renders each table as Markdown: what it holds, then one row of four cells per column, a | in a text escaped", () => {
    const markdown = dictionaryMarkdown([{
      name: "t",
      about: "A table.",
      columns: [{ name: "a", type: "string", meaning: "Either | or", codes: [["x", "y"]], source: "the collector" }]
    }])
    expect(markdown).toBe(
      "`t`: A table.\n\n| Column | Type | Meaning | Source |\n|---|---|---|---|\n| `a` | `string` | Either \\| or; codes: x = y | the collector |\n"
    )
    const rows = dictionaryMarkdown(DICTIONARY).split("\n").filter((line) => line.startsWith("| `"))
    expect(rows.length).toBe(DICTIONARY.reduce((n, t) => n + t.columns.length, 0))
    expect(rows.filter((row) => row.replaceAll("\\|", "").split("|").length !== 6)).toEqual([])
  })

  it("is what README \"Database schema\" shows between its markers", () => {
    const file = path.join(root, "README.md")
    const readme = fs.readFileSync(file, "utf8")
    const markers = /(<!-- dictionary:start -->\n)([\s\S]*?)(<!-- dictionary:end -->)/
    const rendered = dictionaryMarkdown(README_TABLES)
    if (process.env["UPDATE_README"] === "1") fs.writeFileSync(file, readme.replace(markers, (_, start, _old, end) => `${start}${rendered}${end}`))
    const shown = markers.exec(fs.readFileSync(file, "utf8"))?.[2]
    expect(shown, "README's dictionary is out of date: UPDATE_README=1 npx vitest run test/dictionary.test.ts rewrites it").toBe(rendered)
  })
})
