import * as Reactivity from "@effect/experimental/Reactivity"
import { PgClient } from "@effect/sql-pg"
import * as SqlClient from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import * as Statement from "@effect/sql/Statement"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Layer, Redacted, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type pg from "pg"
import { PgLive } from "../layers/Pg.js"
import { SqlLive } from "../layers/Sql.js"
import { migrationsLoader } from "../src/Migrations.js"
import { connect, databases, requireServer } from "./support/services.js"

const tmpDb = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "schema-")), "movies.sqlite")

// Schema 0.3 (migrations 1_create_movies .. 5_linked_records) as each migration sends it, statement
// by statement and byte for byte, recorded per dialect from the code that released it. SQLite
// keeps a table's DDL text as sent (sqlite_master.sql), so even its whitespace is part of what a
// released database holds. Each file is valid SQL for its dialect: run, it makes schema 0.3.
const FROZEN = ["1_create_movies", "2_rich_records", "3_catalogue_sync", "4_collectors", "5_linked_records"]
// Migrations since 0.3's: a new database holds what the released statements and these make.
const LATER = ["6_metrics_history"]
const frozen = (dialect: "sqlite" | "pg") => fs.readFileSync(path.join(import.meta.dirname, `fixtures/schema-0.3.${dialect}.sql`), "utf8")

/** A client of `compiler`'s dialect that records the text of each statement and answers no rows. */
const recording = (compiler: Statement.Compiler) =>
  Effect.gen(function*() {
    const statements: Array<string> = []
    const record = (text: string) => Effect.sync(() => (statements.push(text), []))
    const connection: Connection = {
      execute: record,
      executeRaw: record,
      executeValues: record,
      executeUnprepared: record,
      executeStream: () => Stream.die("the migrations read no stream")
    }
    const sql = yield* SqlClient.make({ acquirer: Effect.succeed(connection), compiler, spanAttributes: [] })
    return { sql, statements }
  }).pipe(Effect.provide(Reactivity.layer))

/** What the migrations `only` send on `dialect`: the format of `frozen`, one `-- <migration>` line before each statement. */
const sent = (dialect: "sqlite" | "pg", only: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { sql, statements } = yield* recording(dialect === "pg" ? PgClient.makeCompiler() : Statement.makeCompilerSqlite())
    const loaded = yield* Effect.provideService(migrationsLoader, SqlClient.SqlClient, sql)
    let out = ""
    for (const [id, name, load] of loaded) {
      if (!only.includes(`${id}_${name}`)) continue
      const migration = (yield* Effect.provideService(load, SqlClient.SqlClient, sql)) as Effect.Effect<unknown, unknown, SqlClient.SqlClient>
      const from = statements.length
      yield* Effect.provideService(migration, SqlClient.SqlClient, sql)
      for (const text of statements.slice(from)) out += `-- ${id}_${name}\n${text};\n\n`
    }
    return out
  })

/** A database's own record of its schema, the migrator's table aside: what a user's queries and tools see. */
const sqliteCatalogue = (db: Database.Database) =>
  db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name <> 'effect_sql_migrations' ORDER BY type, name").all()

const pgCatalogue = async (client: pg.Client) => {
  const rows = async (text: string) => (await client.query(text)).rows
  return {
    columns: await rows(`SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default, is_identity,
      identity_generation FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'effect_sql_migrations'
      ORDER BY table_name, ordinal_position`),
    constraints: await rows(`SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'effect_sql_migrations'
      ORDER BY 1, 2`),
    indexes: await rows(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
      AND tablename <> 'effect_sql_migrations' ORDER BY 1, 2`),
    views: await rows("SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1"),
    sequences: await rows("SELECT sequence_name, data_type, start_value, increment FROM information_schema.sequences ORDER BY 1")
  }
}

const pgUp = await requireServer("PostgreSQL", "the PostgreSQL schema tests")
const database = databases()

describe("schema 0.3 is frozen", () => {
  for (const dialect of ["sqlite", "pg"] as const) {
    it.effect(`migrations 1 to 5 send on ${dialect} exactly the statements 0.3 released, byte for byte`, () =>
      Effect.gen(function*() {
        expect(yield* sent(dialect, FROZEN)).toBe(frozen(dialect))
      }))
  }

  it.effect("a client of another dialect is refused with a line saying so, before any statement", () =>
    Effect.gen(function*() {
      const mysql = Statement.makeCompiler({
        dialect: "mysql",
        placeholder: () => "?",
        onIdentifier: (name) => name,
        onRecordUpdate: () => ["", []],
        onCustom: () => ["", []]
      })
      const { sql, statements } = yield* recording(mysql)
      const error = yield* Effect.flip(Effect.provideService(migrationsLoader, SqlClient.SqlClient, sql))
      expect(error.message).toBe("tmdb-collector has no migrations for this SQL dialect")
      expect(statements).toEqual([])
    }))

  it.effect("a new SQLite database holds exactly the catalogue the released statements and the later migrations make", () =>
    Effect.gen(function*() {
      const file = tmpDb()
      yield* Effect.scoped(Layer.build(SqlLive(file)))
      const released = new Database(":memory:")
      released.exec(frozen("sqlite") + (yield* sent("sqlite", LATER)))
      const made = new Database(file, { readonly: true })
      try {
        expect(sqliteCatalogue(made)).toEqual(sqliteCatalogue(released))
        expect(sqliteCatalogue(made).length).toBeGreaterThan(20)
      } finally {
        made.close()
        released.close()
      }
    }))

  it.skipIf(!pgUp)("a new PostgreSQL database holds exactly the catalogue the released statements and the later migrations make", async () => {
    const made = await database("schema_made")
    await Effect.runPromise(Effect.scoped(Layer.build(PgLive(Redacted.make(made.url), made.name))))
    const released = await database("schema_released")
    const clients = [await connect(made.url), await connect(released.url)] as const
    try {
      await clients[1].query(frozen("pg") + (await Effect.runPromise(sent("pg", LATER))))
      const [ours, theirs] = [await pgCatalogue(clients[0]), await pgCatalogue(clients[1])]
      expect(ours).toEqual(theirs)
      expect(ours.columns.length).toBeGreaterThan(60)
      expect(ours.views.map((v) => v.viewname)).toEqual(["movie_overview"])
    } finally {
      await Promise.all(clients.map((c) => c.end()))
    }
  })
})
