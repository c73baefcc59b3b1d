import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { SqlLive } from "../layers/Sql.js"
import { MovieRepository } from "../services/MovieRepository.js"

// The schema every released database holds, as sqlite_master records it: what migration
// 1_create_movies made, and the migrator's own table. Users query these tables (README
// "Database schema"), so a new version must create exactly this and open it unchanged.
const RELEASED_SCHEMA = [
  [
    "table",
    "collection_runs",
    `CREATE TABLE collection_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        options TEXT NOT NULL,
        summary TEXT
      )`
  ],
  [
    "table",
    "effect_sql_migrations",
    `CREATE TABLE "effect_sql_migrations" (
  migration_id integer PRIMARY KEY NOT NULL,
  created_at datetime NOT NULL DEFAULT current_timestamp,
  name VARCHAR(255) NOT NULL
)`
  ],
  [
    "table",
    "fetch_failures",
    `CREATE TABLE fetch_failures (
        tmdb_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_attempt_at TEXT NOT NULL
      )`
  ],
  [
    "table",
    "movies",
    `CREATE TABLE movies (
        tmdb_id INTEGER PRIMARY KEY,
        imdb_id TEXT,
        title TEXT NOT NULL,
        original_title TEXT,
        release_date TEXT,
        runtime INTEGER,
        budget INTEGER,
        revenue INTEGER,
        genres TEXT,
        production_companies TEXT,
        overview TEXT,
        vote_average REAL,
        vote_count INTEGER,
        popularity REAL,
        discovered_at TEXT,
        details_fetched_at TEXT
      )`
  ],
  ["index", "movies_details_fetched_at", "CREATE INDEX movies_details_fetched_at ON movies (details_fetched_at)"],
  ["index", "movies_release_date", "CREATE INDEX movies_release_date ON movies (release_date)"],
  ["table", "sqlite_sequence", "CREATE TABLE sqlite_sequence(name,seq)"]
] as const

const tmpDb = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "migrations-")), "movies.sqlite")

const schemaOf = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    // A TEXT primary key's implicit index has no SQL of its own: its table's DDL says it.
    return db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").all() as Array<
      { type: string; name: string; sql: string }
    >
  } finally {
    db.close()
  }
}

const withRepo = <A, E>(file: string, f: (repo: MovieRepository) => Effect.Effect<A, E>) =>
  Effect.flatMap(MovieRepository, f).pipe(Effect.provide(MovieRepository.Default.pipe(Layer.provide(SqlLive(file)))))

/** A database as a released collector left it: migrated once, holding a movie, a failure and a killed run. */
const releasedDatabase = (file: string) => {
  const db = new Database(file)
  db.pragma("journal_mode = WAL")
  for (const [, name, ddl] of RELEASED_SCHEMA) if (name !== "sqlite_sequence") db.exec(ddl)
  db.exec("INSERT INTO effect_sql_migrations (migration_id, name) VALUES (1, 'create_movies')")
  db.prepare(`INSERT INTO movies VALUES (603, 'tt0133093', 'The Matrix', 'The Matrix', '1999-03-30', 136, 63000000, 463517383,
    '["Action","Science Fiction"]', '["Warner Bros. Pictures"]', 'Neo.', 8.2, 26000, 80.5, '2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z')`).run()
  db.prepare("INSERT INTO movies (tmdb_id, title, discovered_at) VALUES (604, 'Reloaded', '2025-01-01T00:00:00.000Z')").run()
  db.prepare("INSERT INTO fetch_failures VALUES (604, 'server', '500', 2, '2025-01-02T00:00:00.000Z')").run()
  db.prepare("INSERT INTO collection_runs (started_at, status, options) VALUES ('2025-01-01T00:00:00.000Z', 'running', '{}')").run()
  db.close()
}

const normalized = (schema: ReadonlyArray<{ type: string; name: string; sql: string }>) => schema.map((s) => [s.type, s.name, s.sql.replace(/\s+/g, " ")])

// This version's whole schema as sqlite_master records it after migration 6_metrics_history, frozen
// in a file of its own: a change to either migration fails the tests below.
const CURRENT_SCHEMA = fs.readFileSync(path.join(import.meta.dirname, "support/schema-0.3.sql"), "utf8")
  .split(/\n\n/).map((block) => {
    const [head, sql] = block.trim().split("\n")
    const [, type, name] = head!.split(" ")
    return [type, name, sql!.replace(/;$/, "")]
  })

describe("migrations", () => {
  it.effect("a new database gets this version's schema: the same tables, columns, types, indexes and view", () =>
    Effect.gen(function*() {
      const file = tmpDb()
      yield* withRepo(file, (r) => r.startRun({}, "2026-01-01T00:00:00.000Z"))
      expect(normalized(schemaOf(file).filter((s) => s.name !== "sqlite_sequence"))).toEqual(CURRENT_SCHEMA)
    }))

  it.effect("a database written by 0.2 keeps its rows and takes new ones; it gains the rich, sync, collectors', linked records' and history's columns and tables, nothing else changes", () =>
    Effect.gen(function*() {
      const file = tmpDb()
      releasedDatabase(file)
      const before = schemaOf(file)
      yield* withRepo(file, (r) =>
        Effect.gen(function*() {
          expect(yield* r.getMovie(603)).toEqual(expect.objectContaining({
            title: "The Matrix",
            revenue: 463517383,
            genres: ["Action", "Science Fiction"],
            production_companies: ["Warner Bros. Pictures"],
            details_fetched_at: "2025-01-02T00:00:00.000Z"
          }))
          expect(yield* r.counts).toEqual({ movies: 2, with_details: 1, failures: 1 })
          expect(yield* r.failures).toEqual([{ tmdb_id: 604, kind: "server", message: "500", attempts: 2 }])
          const discovered = { title: "New", releaseDate: "2026-01-01", voteAverage: 5, voteCount: 1, popularity: 1 }
          expect(yield* r.upsertDiscovered([{ tmdbId: 603, ...discovered }, { tmdbId: 605, ...discovered }], "2026-01-01T00:00:00.000Z")).toBe(1)
          expect(yield* r.selectForDetails({ staleBefore: "2025-06-01", recentReleasedAfter: "2026-01-01", recentStaleBefore: "2025-06-01" }))
            .toEqual([605, 604, 603])
          const run = yield* r.startRun({ years: [2026] }, "2026-01-01T00:00:00.000Z")
          yield* r.finishRun(run, "complete", { complete: true }, "2026-01-01T00:01:00.000Z")
        }))
      expect(before.length).toBeGreaterThan(5)
      expect(normalized(schemaOf(file).filter((s) => s.name !== "sqlite_sequence"))).toEqual(CURRENT_SCHEMA)
      const db = new Database(file, { readonly: true })
      expect(db.prepare("SELECT migration_id, name FROM effect_sql_migrations").all()).toEqual([
        { migration_id: 1, name: "create_movies" },
        { migration_id: 2, name: "rich_records" },
        { migration_id: 3, name: "catalogue_sync" },
        { migration_id: 4, name: "collectors" },
        { migration_id: 5, name: "linked_records" },
        { migration_id: 6, name: "metrics_history" }
      ])
      expect(db.prepare("SELECT id, status, summary FROM collection_runs ORDER BY id").all()).toEqual([
        { id: 1, status: "abandoned", summary: null },
        { id: 2, status: "complete", summary: "{\"complete\":true}" }
      ])
      db.close()
    }))
})
