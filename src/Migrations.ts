import { Migrator, SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** One dialect's migrations, keyed `<id>_<name>` as `Migrator.fromRecord` reads them. */
export type MigrationSet = Readonly<Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>>>

/** The analyst's view (README "Database schema"): one row per movie, `where` choosing which. */
const overview = (where: string) => `
      CREATE VIEW movie_overview AS
      SELECT m.tmdb_id,
        CAST(substr(m.release_date, 1, 4) AS INTEGER) AS year,
        m.title,
        (SELECT group_concat(name, ', ') FROM (
          SELECT name FROM movie_crew c WHERE c.tmdb_id = m.tmdb_id AND c.job = 'Director' GROUP BY person_id ORDER BY min(ord))) AS directors,
        (SELECT group_concat(name, ', ') FROM (
          SELECT name FROM movie_cast c WHERE c.tmdb_id = m.tmdb_id ORDER BY ord LIMIT 3)) AS top_cast,
        (SELECT group_concat(name, ', ') FROM (
          SELECT name FROM movie_genres g WHERE g.tmdb_id = m.tmdb_id ORDER BY ord)) AS genres,
        m.budget,
        m.revenue,
        CASE WHEN m.budget > 0 THEN CAST(m.revenue AS REAL) / m.budget END AS revenue_to_budget
      FROM movies m${
  where === "" ? "" : `
      ${where}`
}`

/** The same view in PostgreSQL's words: `string_agg` for `group_concat`, double precision for REAL. */
const overviewPg = `
      CREATE VIEW movie_overview AS
      SELECT m.tmdb_id,
        CAST(substr(m.release_date, 1, 4) AS integer) AS year,
        m.title,
        (SELECT string_agg(name, ', ' ORDER BY first) FROM (
          SELECT person_id, min(name) AS name, min(ord) AS first FROM movie_crew c
          WHERE c.tmdb_id = m.tmdb_id AND c.job = 'Director' GROUP BY person_id) d) AS directors,
        (SELECT string_agg(name, ', ' ORDER BY ord) FROM (
          SELECT name, ord FROM movie_cast c WHERE c.tmdb_id = m.tmdb_id ORDER BY ord LIMIT 3) t) AS top_cast,
        (SELECT string_agg(name, ', ' ORDER BY ord) FROM movie_genres g WHERE g.tmdb_id = m.tmdb_id) AS genres,
        m.budget,
        m.revenue,
        CASE WHEN m.budget > 0 THEN CAST(m.revenue AS double precision) / m.budget END AS revenue_to_budget
      FROM movies m
      WHERE m.removed_at IS NULL`

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
  }),
  // Rich records (README "Database schema"): every column and table below is derived from the
  // stored payload, so `--renormalize` can rebuild them with no request.
  "2_rich_records": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (
      const column of [
        "original_language TEXT",
        "status TEXT",
        "tagline TEXT",
        "homepage TEXT",
        "adult INTEGER",
        "video INTEGER",
        "poster_path TEXT",
        "backdrop_path TEXT",
        "collection_id INTEGER",
        "collection_name TEXT",
        "production_countries TEXT",
        "spoken_languages TEXT",
        "wikidata_id TEXT",
        "votes_at TEXT"
      ]
    ) yield* sql.unsafe(`ALTER TABLE movies ADD COLUMN ${column}`)
    // Child rows go with their movie: a refetch deletes and rewrites them in one transaction.
    yield* sql`CREATE TABLE movie_genres (tmdb_id INTEGER NOT NULL, genre_id INTEGER NOT NULL, name TEXT NOT NULL, ord INTEGER NOT NULL)`
    yield* sql`CREATE TABLE movie_companies (
      tmdb_id INTEGER NOT NULL, company_id INTEGER NOT NULL, name TEXT NOT NULL, origin_country TEXT, ord INTEGER NOT NULL)`
    yield* sql`CREATE TABLE movie_countries (tmdb_id INTEGER NOT NULL, iso_3166_1 TEXT NOT NULL, name TEXT, ord INTEGER NOT NULL)`
    yield* sql`CREATE TABLE movie_languages (
      tmdb_id INTEGER NOT NULL, iso_639_1 TEXT NOT NULL, name TEXT, english_name TEXT, ord INTEGER NOT NULL)`
    yield* sql`CREATE TABLE movie_cast (
      tmdb_id INTEGER NOT NULL, person_id INTEGER NOT NULL, name TEXT NOT NULL, character TEXT, ord INTEGER NOT NULL,
      credit_id TEXT, gender INTEGER, cast_id INTEGER)`
    yield* sql`CREATE TABLE movie_crew (
      tmdb_id INTEGER NOT NULL, person_id INTEGER NOT NULL, name TEXT NOT NULL, department TEXT NOT NULL, job TEXT NOT NULL,
      credit_id TEXT, gender INTEGER, ord INTEGER NOT NULL)`
    yield* sql`CREATE TABLE movie_keywords (tmdb_id INTEGER NOT NULL, keyword_id INTEGER NOT NULL, name TEXT NOT NULL, ord INTEGER NOT NULL)`
    yield* sql`CREATE TABLE movie_release_dates (
      tmdb_id INTEGER NOT NULL, country TEXT NOT NULL, type INTEGER NOT NULL, release_date TEXT NOT NULL,
      certification TEXT, note TEXT, language TEXT)`
    for (const table of ["genres", "companies", "countries", "languages", "cast", "crew", "keywords", "release_dates"]) {
      yield* sql.unsafe(`CREATE INDEX movie_${table}_tmdb_id ON movie_${table} (tmdb_id)`)
    }
    yield* sql`CREATE INDEX movie_cast_person_id ON movie_cast (person_id)`
    yield* sql`CREATE INDEX movie_crew_person_id ON movie_crew (person_id)`
    // The latest details response of each movie, as TMDB sent it, compressed (`encoding`), with
    // the sub-resources it asked for (`append`, comma-separated).
    yield* sql`CREATE TABLE movie_payloads (
      tmdb_id INTEGER PRIMARY KEY, fetched_at TEXT NOT NULL, body BLOB NOT NULL, encoding TEXT NOT NULL, append TEXT NOT NULL)`
    yield* sql.unsafe(overview(""))
  }),
  // The whole catalogue, kept fresh by what changed (README "Keeping the catalogue fresh").
  "3_catalogue_sync": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // removed_at: TMDB answered 404 for a movie it once served; the row and its data stay.
    // exported_on: the date of the latest daily ID export that listed it (`--all`).
    // changed_at: /movie/changes listed it; details fetched before this instant are stale.
    for (const column of ["removed_at TEXT", "exported_on TEXT", "changed_at TEXT"]) {
      yield* sql.unsafe(`ALTER TABLE movies ADD COLUMN ${column}`)
    }
    // One row per mark: `changes` is the first day /movie/changes is read from next time.
    yield* sql`CREATE TABLE sync_marks (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)`
    // The analyst's view leaves out what TMDB has deleted.
    yield* sql`DROP VIEW movie_overview`
    yield* sql.unsafe(overview("WHERE m.removed_at IS NULL"))
  }),
  // Many collectors on one database (README "Many collectors"). SQLite keeps one collector per
  // file, so only PostgreSQL fills these; they are here so both schemas match table for table.
  "4_collectors": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (const column of ["heartbeat_at TEXT", "collector TEXT", "generation INTEGER"]) {
      yield* sql.unsafe(`ALTER TABLE collection_runs ADD COLUMN ${column}`)
    }
    yield* sql`CREATE TABLE detail_leases (tmdb_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, expires_at TEXT NOT NULL)`
    yield* sql`CREATE TABLE work_claims (
      unit TEXT PRIMARY KEY, run_id INTEGER NOT NULL, expires_at TEXT NOT NULL, done_at TEXT)`
  })
}

// The same schema in PostgreSQL, migration for migration: jsonb for JSON, timestamptz for
// instants, bigint for money, bytea for payloads. Release dates stay text, as TMDB sent them: a
// date that matches YYYY-MM-DD but is not on the calendar would make PostgreSQL refuse the
// whole batch it came in, where SQLite stores it.
const pg: MigrationSet = {
  "1_create_movies": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      CREATE TABLE movies (
        tmdb_id integer PRIMARY KEY,
        imdb_id text,
        title text NOT NULL,
        original_title text,
        release_date text,
        runtime integer,
        budget bigint,
        revenue bigint,
        genres jsonb,
        production_companies jsonb,
        overview text,
        vote_average double precision,
        vote_count integer,
        popularity double precision,
        discovered_at timestamptz,
        details_fetched_at timestamptz
      )`
    yield* sql`CREATE INDEX movies_details_fetched_at ON movies (details_fetched_at)`
    yield* sql`CREATE INDEX movies_release_date ON movies (release_date)`
    yield* sql`
      CREATE TABLE fetch_failures (
        tmdb_id integer PRIMARY KEY,
        kind text NOT NULL,
        message text NOT NULL,
        attempts integer NOT NULL,
        last_attempt_at timestamptz NOT NULL
      )`
    yield* sql`
      CREATE TABLE collection_runs (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        status text NOT NULL,
        options jsonb NOT NULL,
        summary jsonb
      )`
  }),
  "2_rich_records": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (
      const column of [
        "original_language text",
        "status text",
        "tagline text",
        "homepage text",
        "adult boolean",
        "video boolean",
        "poster_path text",
        "backdrop_path text",
        "collection_id integer",
        "collection_name text",
        "production_countries jsonb",
        "spoken_languages jsonb",
        "wikidata_id text",
        "votes_at timestamptz"
      ]
    ) yield* sql.unsafe(`ALTER TABLE movies ADD COLUMN ${column}`)
    yield* sql`CREATE TABLE movie_genres (tmdb_id integer NOT NULL, genre_id integer NOT NULL, name text NOT NULL, ord integer NOT NULL)`
    yield* sql`CREATE TABLE movie_companies (
      tmdb_id integer NOT NULL, company_id integer NOT NULL, name text NOT NULL, origin_country text, ord integer NOT NULL)`
    yield* sql`CREATE TABLE movie_countries (tmdb_id integer NOT NULL, iso_3166_1 text NOT NULL, name text, ord integer NOT NULL)`
    yield* sql`CREATE TABLE movie_languages (
      tmdb_id integer NOT NULL, iso_639_1 text NOT NULL, name text, english_name text, ord integer NOT NULL)`
    // "character" is a type name in PostgreSQL: quoted here, and by sql.insert in every write.
    yield* sql`CREATE TABLE movie_cast (
      tmdb_id integer NOT NULL, person_id integer NOT NULL, name text NOT NULL, "character" text, ord integer NOT NULL,
      credit_id text, gender integer, cast_id integer)`
    yield* sql`CREATE TABLE movie_crew (
      tmdb_id integer NOT NULL, person_id integer NOT NULL, name text NOT NULL, department text NOT NULL, job text NOT NULL,
      credit_id text, gender integer, ord integer NOT NULL)`
    yield* sql`CREATE TABLE movie_keywords (tmdb_id integer NOT NULL, keyword_id integer NOT NULL, name text NOT NULL, ord integer NOT NULL)`
    yield* sql`CREATE TABLE movie_release_dates (
      tmdb_id integer NOT NULL, country text NOT NULL, type integer NOT NULL, release_date text NOT NULL,
      certification text, note text, language text)`
    for (const table of ["genres", "companies", "countries", "languages", "cast", "crew", "keywords", "release_dates"]) {
      yield* sql.unsafe(`CREATE INDEX movie_${table}_tmdb_id ON movie_${table} (tmdb_id)`)
    }
    yield* sql`CREATE INDEX movie_cast_person_id ON movie_cast (person_id)`
    yield* sql`CREATE INDEX movie_crew_person_id ON movie_crew (person_id)`
    yield* sql`CREATE TABLE movie_payloads (
      tmdb_id integer PRIMARY KEY, fetched_at timestamptz NOT NULL, body bytea NOT NULL, encoding text NOT NULL, append text NOT NULL)`
  }),
  "3_catalogue_sync": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (const column of ["removed_at timestamptz", "exported_on date", "changed_at timestamptz"]) {
      yield* sql.unsafe(`ALTER TABLE movies ADD COLUMN ${column}`)
    }
    yield* sql`CREATE TABLE sync_marks (name text PRIMARY KEY, value text NOT NULL, updated_at timestamptz NOT NULL)`
    yield* sql.unsafe(overviewPg)
  }),
  "4_collectors": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (const column of ["heartbeat_at timestamptz", "collector text", "generation bigint"]) {
      yield* sql.unsafe(`ALTER TABLE collection_runs ADD COLUMN ${column}`)
    }
    // A claimed movie: no other collector fetches it until `expires_at`, which its holder's
    // heartbeat keeps moving while it lives.
    yield* sql`CREATE TABLE detail_leases (tmdb_id integer PRIMARY KEY, run_id bigint NOT NULL, expires_at timestamptz NOT NULL)`
    // A claimed unit of shared work (a year's discovery, the changes), per generation of
    // collectors started together; `done_at` once it is done.
    yield* sql`CREATE TABLE work_claims (
      unit text PRIMARY KEY, run_id bigint NOT NULL, expires_at timestamptz NOT NULL, done_at timestamptz)`
  })
}

/** The migrations of each supported dialect, each creating the same tables and columns. */
export const migrations = { sqlite, pg } as const

/** Loads the set for the client's dialect; a client of another dialect fails to migrate. */
export const migrationsLoader: Migrator.Loader<SqlClient.SqlClient> = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    sqlite: () => Migrator.fromRecord(migrations.sqlite),
    pg: () => Migrator.fromRecord(migrations.pg),
    orElse: () => Effect.fail(new Migrator.MigrationError({ reason: "failed", message: "tmdb-collector has no migrations for this SQL dialect" }))
  }))
