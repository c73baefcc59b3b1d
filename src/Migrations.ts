import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import { ddl, dialectOf, index } from "./schema/Dialect.js"
import { metricsHistory } from "./schema/History.js"
import { linkedRecords } from "./schema/Linked.js"
import { allMovies, namedCollections, presentMovies } from "./schema/Overview.js"
import * as T from "./schema/Tables.js"

// One set of migrations for both dialects (src/schema/): each table written once, rendered in
// the client's types. A released migration never changes: databases record its id and never run
// it again, and test/fixtures/ holds every statement schema 0.3 sends, byte for byte.
const migrations: Record<string, Effect.Effect<void, SqlError, SqlClient.SqlClient>> = {
  "1_create_movies": ddl(
    T.movies,
    index("movies", "details_fetched_at"),
    index("movies", "release_date"),
    T.fetchFailures,
    T.collectionRuns
  ),
  "2_rich_records": ddl(
    T.richMovies,
    T.movieGenres,
    T.movieCompanies,
    T.movieCountries,
    T.movieLanguages,
    T.movieCast,
    T.movieCrew,
    T.movieKeywords,
    T.movieReleaseDates,
    ...T.CHILDREN.map((child) => index(child, "tmdb_id")),
    index("movie_cast", "person_id"),
    index("movie_crew", "person_id"),
    T.moviePayloads,
    allMovies
  ),
  "3_catalogue_sync": ddl(T.syncedMovies, T.syncMarks, presentMovies),
  "4_collectors": ddl(T.sharedRuns, T.detailLeases, T.workClaims),
  "5_linked_records": ddl(...linkedRecords, namedCollections),
  "6_metrics_history": ddl(...metricsHistory)
}

/** The schema this version writes and reads: its last migration's id. */
export const SCHEMA_VERSION = Math.max(...Object.keys(migrations).map((id) => Number.parseInt(id, 10)))

/** The migrations, for a client of a dialect tmdb-collector keeps its schema in (SQLite, PostgreSQL). */
export const migrationsLoader: Migrator.Loader<SqlClient.SqlClient> = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  dialectOf(sql) === undefined
    ? Effect.fail(new Migrator.MigrationError({ reason: "failed", message: "tmdb-collector has no migrations for this SQL dialect" }))
    : Migrator.fromRecord(migrations))
