import { SqlClient, type SqlError } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Schema } from "effect"
import { DatabaseError, fromSqlite } from "../src/Database.js"
import { type FailureKind, RETRIED_NEXT_RUN } from "../src/Errors.js"
import type { DiscoveredMovie, MovieDetails } from "../src/Movie.js"

export interface FailureRecord {
  readonly tmdbId: number
  readonly kind: FailureKind
  readonly message: string
}

export interface SelectionPolicy {
  /** At most this many ids; undefined: all. */
  readonly limit?: number | undefined
  /** Details fetched before this instant (ISO) are stale. */
  readonly staleBefore: string
  /** Movies released on or after this date (YYYY-MM-DD) go stale sooner... */
  readonly recentReleasedAfter: string
  /** ...when their details were fetched before this instant (ISO). */
  readonly recentStaleBefore: string
}

/** A stored movie, as users query it. */
export const MovieRow = Schema.Struct({
  tmdb_id: Schema.Number,
  imdb_id: Schema.NullOr(Schema.String),
  title: Schema.String,
  original_title: Schema.NullOr(Schema.String),
  release_date: Schema.NullOr(Schema.String),
  runtime: Schema.NullOr(Schema.Number),
  budget: Schema.NullOr(Schema.Number),
  revenue: Schema.NullOr(Schema.Number),
  genres: Schema.NullOr(Schema.parseJson(Schema.Array(Schema.String))),
  production_companies: Schema.NullOr(Schema.parseJson(Schema.Array(Schema.String))),
  overview: Schema.NullOr(Schema.String),
  vote_average: Schema.NullOr(Schema.Number),
  vote_count: Schema.NullOr(Schema.Number),
  popularity: Schema.NullOr(Schema.Number),
  discovered_at: Schema.NullOr(Schema.String),
  details_fetched_at: Schema.NullOr(Schema.String)
})
export type MovieRow = typeof MovieRow.Type

// SQLite allows 32,766 bound parameters per statement; 16 columns x 500 rows stays well under.
const CHUNK = 500

const chunks = <A>(items: ReadonlyArray<A>, size = CHUNK): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}


export class MovieRepository extends Effect.Service<MovieRepository>()("tmdb/MovieRepository", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const filename = (yield* SqliteClient.SqliteClient).config.filename
    const orFail = <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>): Effect.Effect<A, DatabaseError, R> =>
      Effect.mapError(effect, (error) => fromSqlite(filename, error))

    /**
     * Stores discover results. A new movie gets a row; a known movie without details gets the
     * fresh discover fields; a movie with stored details is left alone. Returns how many were new.
     */
    const upsertDiscovered = Effect.fn("MovieRepository.upsertDiscovered")(function*(
      movies: ReadonlyArray<DiscoveredMovie>,
      at: string
    ) {
      if (movies.length === 0) return 0
      return yield* orFail(sql.withTransaction(Effect.gen(function*() {
        let inserted = 0
        for (const chunk of chunks(movies)) {
          const known = yield* sql<{ n: number }>`SELECT count(*) AS n FROM movies WHERE ${
            sql.in("tmdb_id", chunk.map((m) => m.tmdbId))
          }`
          inserted += chunk.length - (known[0]?.n ?? 0)
          yield* sql`INSERT INTO movies ${
            sql.insert(chunk.map((m) => ({
              tmdb_id: m.tmdbId,
              title: m.title,
              release_date: m.releaseDate,
              vote_average: m.voteAverage,
              vote_count: m.voteCount,
              popularity: m.popularity,
              discovered_at: at
            })))
          } ON CONFLICT (tmdb_id) DO UPDATE SET
              title = excluded.title, release_date = excluded.release_date,
              vote_average = excluded.vote_average, vote_count = excluded.vote_count,
              popularity = excluded.popularity
            WHERE movies.details_fetched_at IS NULL`
        }
        return inserted
      })))
    })

    /**
     * Stores a batch of details and failures in one short transaction. Stored details clear
     * the movie's failure row; a failure leaves stored details as they were.
     */
    const saveOutcomes = Effect.fn("MovieRepository.saveOutcomes")(function*(
      details: ReadonlyArray<MovieDetails>,
      failures: ReadonlyArray<FailureRecord>,
      at: string
    ) {
      if (details.length === 0 && failures.length === 0) return
      yield* orFail(sql.withTransaction(Effect.gen(function*() {
        for (const chunk of chunks(details)) {
          yield* sql`INSERT INTO movies ${
            sql.insert(chunk.map((m) => ({
              tmdb_id: m.tmdbId,
              imdb_id: m.imdbId,
              title: m.title,
              original_title: m.originalTitle,
              release_date: m.releaseDate,
              runtime: m.runtime,
              budget: m.budget,
              revenue: m.revenue,
              genres: JSON.stringify(m.genres),
              production_companies: JSON.stringify(m.productionCompanies),
              overview: m.overview,
              vote_average: m.voteAverage,
              vote_count: m.voteCount,
              popularity: m.popularity,
              discovered_at: at,
              details_fetched_at: at
            })))
          } ON CONFLICT (tmdb_id) DO UPDATE SET
              imdb_id = excluded.imdb_id, title = excluded.title, original_title = excluded.original_title,
              release_date = excluded.release_date, runtime = excluded.runtime, budget = excluded.budget,
              revenue = excluded.revenue, genres = excluded.genres,
              production_companies = excluded.production_companies, overview = excluded.overview,
              vote_average = excluded.vote_average, vote_count = excluded.vote_count,
              popularity = excluded.popularity, details_fetched_at = excluded.details_fetched_at`
          yield* sql`DELETE FROM fetch_failures WHERE ${sql.in("tmdb_id", chunk.map((m) => m.tmdbId))}`
        }
        for (const chunk of chunks(failures)) {
          yield* sql`INSERT INTO fetch_failures ${
            sql.insert(chunk.map((f) => ({
              tmdb_id: f.tmdbId,
              kind: f.kind,
              message: f.message,
              attempts: 1,
              last_attempt_at: at
            })))
          } ON CONFLICT (tmdb_id) DO UPDATE SET
              kind = excluded.kind, message = excluded.message,
              attempts = fetch_failures.attempts + 1, last_attempt_at = excluded.last_attempt_at`
        }
      })))
    })

    /**
     * The ids that need details, in priority order: never fetched, then failed with a transient
     * kind, then stale (and permanent failures older than the stale horizon).
     */
    const selectForDetails = Effect.fn("MovieRepository.selectForDetails")(function*(policy: SelectionPolicy) {
      const limit = policy.limit ?? -1
      const rows = yield* orFail(sql<{ tmdb_id: number }>`
        SELECT tmdb_id FROM (
          SELECT m.tmdb_id, 0 AS priority, m.tmdb_id AS ord FROM movies m
            LEFT JOIN fetch_failures f USING (tmdb_id)
            WHERE m.details_fetched_at IS NULL AND f.tmdb_id IS NULL
          UNION ALL
          SELECT f.tmdb_id, 1, f.last_attempt_at FROM fetch_failures f
            WHERE ${sql.in("f.kind", RETRIED_NEXT_RUN)}
          UNION ALL
          SELECT m.tmdb_id, 2, coalesce(f.last_attempt_at, m.details_fetched_at) FROM movies m
            LEFT JOIN fetch_failures f USING (tmdb_id)
            WHERE (f.tmdb_id IS NULL OR NOT ${sql.in("f.kind", RETRIED_NEXT_RUN)})
              AND (m.details_fetched_at IS NOT NULL OR f.tmdb_id IS NOT NULL)
              AND (coalesce(f.last_attempt_at, m.details_fetched_at) < ${policy.staleBefore}
                OR (m.release_date >= ${policy.recentReleasedAfter}
                    AND coalesce(f.last_attempt_at, m.details_fetched_at) < ${policy.recentStaleBefore}))
        ) ORDER BY priority, ord, tmdb_id LIMIT ${limit}`)
      return rows.map((r) => r.tmdb_id)
    })

    /** Starts a run; runs still marked running were killed (one collector per file holds the lock). */
    const startRun = Effect.fn("MovieRepository.startRun")(function*(options: unknown, at: string) {
      yield* orFail(sql`UPDATE collection_runs SET status = 'abandoned' WHERE status = 'running'`)
      const rows = yield* orFail(sql<{ id: number }>`
        INSERT INTO collection_runs (started_at, status, options) VALUES (${at}, 'running', ${JSON.stringify(options)})
        RETURNING id`)
      return rows[0]!.id
    })

    const finishRun = Effect.fn("MovieRepository.finishRun")(function*(
      id: number,
      status: string,
      summary: unknown,
      at: string
    ) {
      yield* orFail(sql`UPDATE collection_runs SET finished_at = ${at}, status = ${status},
        summary = ${JSON.stringify(summary)} WHERE id = ${id}`)
    })

    const decodeRows = Schema.decodeUnknown(Schema.Array(MovieRow))
    const getMovie = Effect.fn("MovieRepository.getMovie")(function*(tmdbId: number) {
      const rows = yield* orFail(sql`SELECT * FROM movies WHERE tmdb_id = ${tmdbId}`)
      const decoded = yield* Effect.orDie(decodeRows(rows))
      return decoded[0]
    })

    const counts = orFail(sql<{ movies: number; with_details: number; failures: number }>`
      SELECT (SELECT count(*) FROM movies) AS movies,
             (SELECT count(*) FROM movies WHERE details_fetched_at IS NOT NULL) AS with_details,
             (SELECT count(*) FROM fetch_failures) AS failures`).pipe(Effect.map((rows) => rows[0]!))

    const failures = orFail(sql<{ tmdb_id: number; kind: FailureKind; message: string; attempts: number }>`
      SELECT tmdb_id, kind, message, attempts FROM fetch_failures ORDER BY tmdb_id`)

    return { upsertDiscovered, saveOutcomes, selectForDetails, startRun, finishRun, getMovie, counts, failures } as const
  })
}) {}

