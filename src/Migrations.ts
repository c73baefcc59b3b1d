import { Migrator, SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** One dialect's migrations, keyed `<id>_<name>` as `Migrator.fromRecord` reads them. */
export type MigrationSet = Readonly<Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>>>

// The public schema (README "Database schema"). Columns may be added; names and meanings stay.
// A released migration never changes: databases record its id and never run it again.
const sqlite: MigrationSet = {
  "1_create_movies": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      CREATE TABLE movies (
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
    yield* sql`CREATE INDEX movies_details_fetched_at ON movies (details_fetched_at)`
    yield* sql`CREATE INDEX movies_release_date ON movies (release_date)`
    yield* sql`
      CREATE TABLE fetch_failures (
        tmdb_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_attempt_at TEXT NOT NULL
      )`
    yield* sql`
      CREATE TABLE collection_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        options TEXT NOT NULL,
        summary TEXT
      )`
  })
}

/** The migrations of each supported dialect, each creating the same tables and columns. */
export const migrations = { sqlite } as const

/** Loads the set for the client's dialect; a client of another dialect fails to migrate. */
export const migrationsLoader: Migrator.Loader<SqlClient.SqlClient> = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    sqlite: () => Migrator.fromRecord(migrations.sqlite),
    orElse: () => Effect.fail(new Migrator.MigrationError({ reason: "failed", message: "tmdb-collector has no migrations for this SQL dialect" }))
  }))
