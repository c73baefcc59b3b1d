import { byDialect } from "./Dialect.js"

// The analyst's view (README "Database schema"): one row per movie, with its directors, top cast
// and genres as text. The dialects really differ here: SQLite's group_concat keeps the order of
// the rows it reads, PostgreSQL's string_agg takes its order in the call
// (https://www.sqlite.org/lang_aggfunc.html, https://www.postgresql.org/docs/current/functions-aggregate.html),
// and PostgreSQL divides in double precision where SQLite says REAL.

// 5_linked_records names each movie's collection, as /collection/{id} names it once fetched,
// as the movie's belongs_to_collection does until then: one more column, at the end.
const COLLECTION = `,
        coalesce((SELECT c.name FROM collections c WHERE c.collection_id = m.collection_id), m.collection_name) AS collection`

/** SQLite's view; `where` chooses which movies it shows. */
const sqlite = (where: string, collection = "") => `
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
        CASE WHEN m.budget > 0 THEN CAST(m.revenue AS REAL) / m.budget END AS revenue_to_budget${collection}
      FROM movies m${where === "" ? "" : `\n      ${where}`}`

const pg = (collection = "") => `
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
        CASE WHEN m.budget > 0 THEN CAST(m.revenue AS double precision) / m.budget END AS revenue_to_budget${collection}
      FROM movies m
      WHERE m.removed_at IS NULL`

// PostgreSQL's schema was first written after migration 3 was, so its view is made once, in its
// final form, by 3; SQLite's databases got every movie's view from 2, and 3 replaces it.

/** The first view, of every movie (2_rich_records). */
export const allMovies = byDialect({ sqlite: [sqlite("")], pg: [] })

/** The view without what TMDB has deleted (3_catalogue_sync). */
export const presentMovies = byDialect({ sqlite: ["DROP VIEW movie_overview", sqlite("WHERE m.removed_at IS NULL")], pg: [pg()] })

/** The view with each movie's collection (5_linked_records). */
export const namedCollections = byDialect({
  sqlite: ["DROP VIEW movie_overview", sqlite("WHERE m.removed_at IS NULL", COLLECTION)],
  pg: ["DROP VIEW movie_overview", pg(COLLECTION)]
})
