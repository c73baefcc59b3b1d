import { addColumns, table } from "./Dialect.js"

// The public schema (README "Database schema"), each table once for both dialects, grouped by
// the migration that made it. Columns may be added; names and meanings stay. Release dates stay
// text, as TMDB sent them, in PostgreSQL too: a date that matches YYYY-MM-DD but is not on the
// calendar would make PostgreSQL refuse the whole batch it came in, where SQLite stores it.

// 1_create_movies

export const movies = table("movies", "block", [
  "tmdb_id int PRIMARY KEY",
  "imdb_id text",
  "title text NOT NULL",
  "original_title text",
  "release_date text",
  "runtime int",
  "budget bigint",
  "revenue bigint",
  "genres json",
  "production_companies json",
  "overview text",
  "vote_average real",
  "vote_count int",
  "popularity real",
  "discovered_at instant",
  "details_fetched_at instant"
])

export const fetchFailures = table("fetch_failures", "block", [
  "tmdb_id int PRIMARY KEY",
  "kind text NOT NULL",
  "message text NOT NULL",
  "attempts int NOT NULL",
  "last_attempt_at instant NOT NULL"
])

export const collectionRuns = table("collection_runs", "block", [
  "id serial",
  "started_at instant NOT NULL",
  "finished_at instant",
  "status text NOT NULL",
  "options json NOT NULL",
  "summary json"
])

// 2_rich_records: every column and table below is derived from the stored payload, so
// `--renormalize` can rebuild them with no request.

export const richMovies = addColumns("movies", [
  "original_language text",
  "status text",
  "tagline text",
  "homepage text",
  "adult bool",
  "video bool",
  "poster_path text",
  "backdrop_path text",
  "collection_id int",
  "collection_name text",
  "production_countries json",
  "spoken_languages json",
  "wikidata_id text",
  "votes_at instant"
])

// Child rows go with their movie: a refetch deletes and rewrites them in one transaction.
export const movieGenres = table("movie_genres", "line", ["tmdb_id int NOT NULL", "genre_id int NOT NULL", "name text NOT NULL", "ord int NOT NULL"])
export const movieCompanies = table("movie_companies", "wrapped", [
  "tmdb_id int NOT NULL",
  "company_id int NOT NULL",
  "name text NOT NULL",
  "origin_country text",
  "ord int NOT NULL"
])
export const movieCountries = table("movie_countries", "line", ["tmdb_id int NOT NULL", "iso_3166_1 text NOT NULL", "name text", "ord int NOT NULL"])
export const movieLanguages = table("movie_languages", "wrapped", [
  "tmdb_id int NOT NULL",
  "iso_639_1 text NOT NULL",
  "name text",
  "english_name text",
  "ord int NOT NULL"
])
export const movieCast = table(
  "movie_cast",
  "wrapped",
  ["tmdb_id int NOT NULL", "person_id int NOT NULL", "name text NOT NULL", "character text", "ord int NOT NULL"],
  ["credit_id text", "gender int", "cast_id int"]
)
export const movieCrew = table(
  "movie_crew",
  "wrapped",
  ["tmdb_id int NOT NULL", "person_id int NOT NULL", "name text NOT NULL", "department text NOT NULL", "job text NOT NULL"],
  ["credit_id text", "gender int", "ord int NOT NULL"]
)
export const movieKeywords = table("movie_keywords", "line", ["tmdb_id int NOT NULL", "keyword_id int NOT NULL", "name text NOT NULL", "ord int NOT NULL"])
export const movieReleaseDates = table(
  "movie_release_dates",
  "wrapped",
  ["tmdb_id int NOT NULL", "country text NOT NULL", "type int NOT NULL", "release_date text NOT NULL"],
  ["certification text", "note text", "language text"]
)

/** The child tables, each indexed on its movie. */
export const CHILDREN = ["genres", "companies", "countries", "languages", "cast", "crew", "keywords", "release_dates"].map((t) => `movie_${t}`)

// The latest details response of each movie, as TMDB sent it, compressed (`encoding`), with the
// sub-resources it asked for (`append`, comma-separated).
export const moviePayloads = table("movie_payloads", "wrapped", [
  "tmdb_id int PRIMARY KEY",
  "fetched_at instant NOT NULL",
  "body bytes NOT NULL",
  "encoding text NOT NULL",
  "append text NOT NULL"
])

// 3_catalogue_sync (README "Keeping the catalogue fresh").
// removed_at: TMDB answered 404 for a movie it once served; the row and its data stay.
// exported_on: the date of the latest daily ID export that listed it (`--all`).
// changed_at: /movie/changes listed it; details fetched before this instant are stale.
export const syncedMovies = addColumns("movies", ["removed_at instant", "exported_on date", "changed_at instant"])

// One row per mark: `changes` is the first day /movie/changes is read from next time.
export const syncMarks = table("sync_marks", "line", ["name text PRIMARY KEY", "value text NOT NULL", "updated_at instant NOT NULL"])

// 4_collectors (README "Many collectors"). SQLite keeps one collector per file, so only
// PostgreSQL fills these; they are in both so the schemas match table for table.
export const sharedRuns = addColumns("collection_runs", ["heartbeat_at instant", "collector text", "generation bigint"])

// A claimed movie: no other collector fetches it until `expires_at`, which its holder's
// heartbeat keeps moving while it lives.
export const detailLeases = table("detail_leases", "line", ["tmdb_id int PRIMARY KEY", "run_id bigint NOT NULL", "expires_at instant NOT NULL"])

// A claimed unit of shared work (a year's discovery, the changes), per generation of collectors
// started together; `done_at` once it is done.
export const workClaims = table("work_claims", "wrapped", [
  "unit text PRIMARY KEY",
  "run_id bigint NOT NULL",
  "expires_at instant NOT NULL",
  "done_at instant"
])
