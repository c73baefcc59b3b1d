import { SqlClient, SqlSchema } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { type Cause, Effect, Option, type ParseResult, Schema } from "effect"
import { DatabaseErrorMapping } from "../src/Database.js"
import { type FailureKind, RETRIED_NEXT_RUN } from "../src/Errors.js"
import type { DiscoveredMovie, MovieDetails } from "../src/Movie.js"
import { FailureRow, type FinalRunStatus, MovieRow, RunRow, type RunStatus, SelectionPolicy } from "../src/Storage.js"
import { chunks, detailsWrite, refreshed, toEventLoop, writeDetails } from "./MovieWrites.js"
import { renormalizeAll } from "./Renormalize.js"

export type { RenormalizeSummary } from "./Renormalize.js"

export { FailureRow, FinalRunStatus, MovieRow, RunRow, RunStatus, SelectionPolicy } from "../src/Storage.js"

export interface FailureRecord {
  readonly tmdbId: number
  readonly kind: FailureKind
  readonly message: string
}

/** What a movie holds until its details are stored. */
const DiscoveredRow = MovieRow.pick("tmdb_id", "title", "release_date", "vote_average", "vote_count", "popularity", "discovered_at", "votes_at")

const Count = Schema.Struct({ n: Schema.Number })
const Counts = Schema.Struct({ movies: Schema.Number, with_details: Schema.Number, failures: Schema.Number })
const Ids = Schema.Array(Schema.Number)

// better-sqlite3 and the payloads' compression are synchronous: they block the event loop until
// they return. Between slices of this many movies a write hands the loop back (inside its
// transaction), so responses, timers and signals wait for one slice, never for a whole batch.
const SLICE = 50

// Rows are written in their encoded (column) form, built here and in src/Rows.ts and typed by the
// `Encoded` side of the row schemas: running each row through `Schema.encode` cost more than
// SQLite's own insert (BENCHMARKS.md, storage). test/MovieRepository.test.ts decodes them back.
const discoveredRow = (m: DiscoveredMovie, at: string): typeof DiscoveredRow.Encoded => ({
  tmdb_id: m.tmdbId,
  title: m.title,
  release_date: m.releaseDate,
  vote_average: m.voteAverage,
  vote_count: m.voteCount,
  popularity: m.popularity,
  discovered_at: at,
  votes_at: at
})

/**
 * The collector's storage, over any `@effect/sql` client whose database the migrations of
 * `src/Migrations.ts` created. The SQL is what SQLite and PostgreSQL both accept.
 */
export class MovieRepository extends Effect.Service<MovieRepository>()("tmdb/MovieRepository", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const toDatabaseError = yield* DatabaseErrorMapping
    // Our own rows failing their schemas, or a RETURNING without a row, is a bug, not a database problem.
    const orFail = <A, R>(
      effect: Effect.Effect<A, SqlError | ParseResult.ParseError | Cause.NoSuchElementException, R>
    ) =>
      effect.pipe(
        Effect.catchTags({ ParseError: Effect.die, NoSuchElementException: Effect.die }),
        Effect.mapError(toDatabaseError)
      )
    const setExcluded = (columns: ReadonlyArray<string>) => sql.join(", ", false)(columns.map((column) => sql`${sql(column)} = excluded.${sql(column)}`))

    const countKnown = SqlSchema.single({
      Request: Ids,
      Result: Count,
      execute: (ids) => sql`SELECT CAST(count(*) AS INTEGER) AS n FROM movies WHERE ${sql.in("tmdb_id", ids)}`
    })
    const insertDiscovered = (rows: ReadonlyArray<typeof DiscoveredRow.Encoded>) =>
      sql`INSERT INTO movies ${sql.insert(rows)} ON CONFLICT (tmdb_id) DO UPDATE SET ${
        setExcluded(refreshed(Object.keys(DiscoveredRow.fields)))
      } WHERE movies.details_fetched_at IS NULL`
    const clearFailures = (ids: ReadonlyArray<number>) => sql`DELETE FROM fetch_failures WHERE ${sql.in("tmdb_id", ids)}`
    const upsertFailures = (rows: ReadonlyArray<typeof FailureRow.Encoded>) =>
      sql`INSERT INTO fetch_failures ${sql.insert(rows)} ON CONFLICT (tmdb_id) DO UPDATE SET
          kind = excluded.kind, message = excluded.message,
          attempts = fetch_failures.attempts + 1, last_attempt_at = excluded.last_attempt_at`

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
          inserted += chunk.length - (yield* countKnown(chunk.map((m) => m.tmdbId))).n
          yield* insertDiscovered(chunk.map((m) => discoveredRow(m, at)))
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
        for (const [i, slice] of chunks(details, SLICE).entries()) {
          if (i > 0) yield* toEventLoop
          yield* writeDetails(sql, slice.map((m) => detailsWrite(m, at)))
          yield* clearFailures(slice.map((m) => m.tmdbId))
        }
        for (const chunk of chunks(failures)) {
          yield* upsertFailures(chunk.map((f) => ({
            tmdb_id: f.tmdbId,
            kind: f.kind,
            message: f.message,
            attempts: 1,
            last_attempt_at: at
          })))
        }
      })))
    })

    const pendingIds = SqlSchema.findAll({
      Request: SelectionPolicy,
      Result: MovieRow.pick("tmdb_id"),
      // Every branch orders by text (NULL for the never fetched, ordered by id), as PostgreSQL
      // wants one type per UNION column.
      execute: (policy) =>
        sql`
        SELECT tmdb_id FROM (
          SELECT m.tmdb_id, 0 AS priority, CAST(NULL AS TEXT) AS ord FROM movies m
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
        ) AS pending ORDER BY priority, ord, tmdb_id ${policy.limit === undefined ? sql`` : sql`LIMIT ${policy.limit}`}`
    })

    /**
     * The ids that need details, in priority order: never fetched, then failed with a transient
     * kind, then stale (and permanent failures older than the stale horizon).
     */
    const selectForDetails = Effect.fn("MovieRepository.selectForDetails")(function*(policy: SelectionPolicy) {
      return (yield* orFail(pendingIds(policy))).map((r) => r.tmdb_id)
    })

    const insertRun = SqlSchema.single({
      Request: RunRow.pick("started_at", "status", "options"),
      Result: RunRow.pick("id"),
      execute: (row) => sql`INSERT INTO collection_runs ${sql.insert(row)} RETURNING id`
    })
    const updateRun = SqlSchema.void({
      Request: RunRow.pick("id", "finished_at", "status", "summary"),
      execute: (row) => sql`UPDATE collection_runs SET ${sql.update(row, ["id"])} WHERE id = ${row.id}`
    })

    /** Starts a run; runs still marked running were killed (one collector per file holds the lock). */
    const startRun = Effect.fn("MovieRepository.startRun")(function*(options: unknown, at: string) {
      yield* orFail(sql`UPDATE collection_runs SET status = ${"abandoned" satisfies RunStatus} WHERE status = ${"running" satisfies RunStatus}`)
      return (yield* orFail(insertRun({ started_at: at, status: "running", options }))).id
    })

    const finishRun = Effect.fn("MovieRepository.finishRun")(function*(
      id: number,
      status: FinalRunStatus,
      summary: unknown,
      at: string
    ) {
      yield* orFail(updateRun({ id, finished_at: at, status, summary }))
    })

    const findMovie = SqlSchema.findOne({
      Request: Schema.Number,
      Result: MovieRow,
      execute: (tmdbId) => sql`SELECT * FROM movies WHERE tmdb_id = ${tmdbId}`
    })
    const getMovie = Effect.fn("MovieRepository.getMovie")(function*(tmdbId: number) {
      return Option.getOrUndefined(yield* orFail(findMovie(tmdbId)))
    })

    // count(*) is a bigint in PostgreSQL, which its drivers return as text; INTEGER stays a number.
    const counts = orFail(
      SqlSchema.single({
        Request: Schema.Void,
        Result: Counts,
        execute: () =>
          sql`SELECT CAST((SELECT count(*) FROM movies) AS INTEGER) AS movies,
          CAST((SELECT count(*) FROM movies WHERE details_fetched_at IS NOT NULL) AS INTEGER) AS with_details,
          CAST((SELECT count(*) FROM fetch_failures) AS INTEGER) AS failures`
      })(undefined)
    )

    const failures = orFail(
      SqlSchema.findAll({
        Request: Schema.Void,
        Result: FailureRow.pick("tmdb_id", "kind", "message", "attempts"),
        execute: () => sql`SELECT tmdb_id, kind, message, attempts FROM fetch_failures ORDER BY tmdb_id`
      })(undefined)
    )

    /**
     * Rebuilds every derived column and child table from the stored payloads (`--renormalize`),
     * with no request. A payload that no longer decodes leaves its rows as they were.
     */
    const renormalize = Effect.fn("MovieRepository.renormalize")(function*(onProgress?: (done: number) => void) {
      return yield* orFail(renormalizeAll(sql, onProgress))
    })

    return { upsertDiscovered, saveOutcomes, selectForDetails, startRun, finishRun, getMovie, counts, failures, renormalize } as const
  })
}) {}
