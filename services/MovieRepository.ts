import { SqlClient, SqlSchema } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema, Stream } from "effect"
import { DatabaseErrorMapping } from "../src/Database.js"
import type { FailureKind } from "../src/Errors.js"
import type { DiscoveredMovie, MovieDetails } from "../src/Movie.js"
import { type FailureRow, MovieRow, SelectionPolicy } from "../src/Storage.js"
import { type ExportEntry, markChanged, readMark, recordPresence, storeExportSlice, writeMark } from "./movieRepository/CatalogueWrites.js"
import { orFailWith, retryConflicts } from "./movieRepository/Failures.js"
import { chunks, detailsWrite, toEventLoop, writeDetails } from "./movieRepository/MovieWrites.js"
import { pendingPriority } from "./movieRepository/Pending.js"
import { reads } from "./movieRepository/Reads.js"
import { renormalizeAll } from "./movieRepository/Renormalize.js"
import { runs } from "./movieRepository/Runs.js"

export type { ExportEntry } from "./movieRepository/CatalogueWrites.js"
export type { RenormalizeSummary } from "./movieRepository/Renormalize.js"

export { FailureRow, FinalRunStatus, MovieRow, RunRow, RunStatus, SelectionPolicy } from "../src/Storage.js"

export interface FailureRecord {
  readonly tmdbId: number
  readonly kind: FailureKind
  readonly message: string
}

/** What a movie holds until its details are stored. */
type DiscoveredRow = Pick<
  typeof MovieRow.Encoded,
  "tmdb_id" | "title" | "release_date" | "vote_average" | "vote_count" | "popularity" | "discovered_at" | "votes_at"
>

const VOTES = ["vote_average", "vote_count", "popularity", "votes_at"]

const Count = Schema.Struct({ n: Schema.Number })
const Ids = Schema.Array(Schema.Number)

// better-sqlite3 and the payloads' compression are synchronous: they block the event loop until
// they return. Between slices of this many movies a write hands the loop back (inside its
// transaction), so responses, timers and signals wait for one slice, never for a whole batch.
const SLICE = 50

// Rows are written in their encoded (column) form, built here and in src/Rows.ts and typed by the
// `Encoded` side of the row schemas: running each row through `Schema.encode` cost more than
// SQLite's own insert (BENCHMARKS.md, storage). test/MovieRepository.test.ts decodes them back.
const discoveredRow = (m: DiscoveredMovie, at: string): DiscoveredRow => ({
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
    const orFail = orFailWith(toDatabaseError)
    const setExcluded = (columns: ReadonlyArray<string>) => sql.join(", ", false)(columns.map((column) => sql`${sql(column)} = excluded.${sql(column)}`))

    const countKnown = SqlSchema.single({
      Request: Ids,
      Result: Count,
      execute: (ids) => sql`SELECT CAST(count(*) AS INTEGER) AS n FROM movies WHERE ${sql.in("tmdb_id", ids)}`
    })
    // Votes and popularity move every day and every discover page carries them: they are
    // refreshed for every movie. Title and date come from details once those are stored.
    const insertDiscovered = (rows: ReadonlyArray<DiscoveredRow>) =>
      sql`INSERT INTO movies ${sql.insert(rows)} ON CONFLICT (tmdb_id) DO UPDATE SET ${setExcluded(VOTES)}, ${
        sql.join(", ", false)(
          ["title", "release_date"].map((c) => sql`${sql(c)} = CASE WHEN movies.details_fetched_at IS NULL THEN excluded.${sql(c)} ELSE movies.${sql(c)} END`)
        )
      }`
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
     * the movie's failure row; a failure leaves stored details as they were. A 404 marks the
     * movie removed (`removed_at`), a fresh response clears that; returns how many of each.
     */
    const saveOutcomes = Effect.fn("MovieRepository.saveOutcomes")(function*(
      details: ReadonlyArray<MovieDetails>,
      failures: ReadonlyArray<FailureRecord>,
      at: string,
      leasedBy?: number
    ) {
      if (details.length === 0 && failures.length === 0) return { removed: 0, restored: 0 }
      return yield* orFail(retryConflicts(sql.withTransaction(Effect.gen(function*() {
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
        // Among collectors: what is stored is no longer held, in the same transaction.
        if (leasedBy !== undefined) {
          for (const chunk of chunks([...details.map((m) => m.tmdbId), ...failures.map((f) => f.tmdbId)])) {
            yield* sql`DELETE FROM detail_leases WHERE ${sql.in("tmdb_id", chunk)} AND run_id = ${leasedBy}`
          }
        }
        const gone = failures.filter((f) => f.kind === "not_found").map((f) => f.tmdbId)
        return yield* recordPresence(sql, details.map((m) => m.tmdbId), gone, at)
      }))))
    })

    const pending = (policy: SelectionPolicy) => {
      const { last, orphaned, priority, untried } = pendingPriority(sql, policy)
      return sql`
        SELECT m.tmdb_id, ${last} AS ord, ${priority} AS priority
        FROM movies m LEFT JOIN fetch_failures f ON f.tmdb_id = m.tmdb_id
        WHERE ${untried(last)}
        UNION ALL
        SELECT f.tmdb_id, f.last_attempt_at, 2 FROM fetch_failures f WHERE ${orphaned}`
    }
    const pendingIds = SqlSchema.findAll({
      Request: SelectionPolicy,
      Result: MovieRow.pick("tmdb_id"),
      execute: (policy) =>
        sql`SELECT tmdb_id FROM (${pending(policy)}) AS pending WHERE priority IS NOT NULL
          ORDER BY priority, ord, tmdb_id ${policy.limit === undefined ? sql`` : sql`LIMIT ${policy.limit}`}`
    })
    const pendingCount = SqlSchema.single({
      Request: SelectionPolicy,
      Result: Count,
      execute: (policy) => sql`SELECT CAST(count(*) AS INTEGER) AS n FROM (${pending(policy)}) AS pending WHERE priority IS NOT NULL`
    })

    /**
     * The ids that need details, in priority order: never fetched, then changed since fetched,
     * then failed with a transient kind, then missing from the export, then stale (permanent
     * failures included). A whole catalogue is chosen a `limit` at a time: a million ids at
     * once would not fit the CLI's heap.
     */
    const selectForDetails = Effect.fn("MovieRepository.selectForDetails")(function*(policy: SelectionPolicy) {
      return (yield* orFail(pendingIds(policy))).map((r) => r.tmdb_id)
    })

    /** How many movies `selectForDetails` would choose with no limit. */
    const countForDetails = Effect.fn("MovieRepository.countForDetails")(function*(policy: SelectionPolicy) {
      return (yield* orFail(pendingCount(policy))).n
    })

    /**
     * Rebuilds every derived column and child table from the stored payloads (`--renormalize`),
     * with no request. A payload that no longer decodes leaves its rows as they were.
     */
    const renormalize = Effect.fn("MovieRepository.renormalize")(function*(onProgress?: (done: number) => void) {
      return yield* orFail(renormalizeAll(sql, onProgress))
    })

    /**
     * Stores a daily ID export, slice by slice, in one transaction: an export cut off halfway
     * leaves the store as it was. Returns how many kept movies were new.
     */
    const storeExport = <E, R>(slices: Stream.Stream<ReadonlyArray<ExportEntry>, E, R>, exportDate: string, at: string) =>
      sql.withTransaction(
        Stream.runFoldEffect(slices, 0, (added, slice) =>
          Effect.map(Effect.zipRight(toEventLoop, orFail(storeExportSlice(sql, slice, exportDate, at))), (n) =>
            added + n))
      ).pipe(
        Effect.mapError((e) => (e instanceof SqlError ? toDatabaseError(e) : e)),
        Effect.withSpan("MovieRepository.storeExport")
      )

    /** Marks the stored movies among `ids` changed as of `changedAt`; returns which are stored. */
    const recordChanges = Effect.fn("MovieRepository.recordChanges")(function*(ids: ReadonlyArray<number>, changedAt: string) {
      return yield* orFail(retryConflicts(sql.withTransaction(markChanged(sql, ids, changedAt))))
    })

    /** A sync mark (`sync_marks`), undefined when never set. */
    const getMark = (name: string) => orFail(readMark(sql, name))
    const setMark = (name: string, value: string, at: string) => orFail(writeMark(sql, name, value, at))

    return {
      ...runs(sql, orFail),
      ...reads(sql, orFail),
      upsertDiscovered,
      saveOutcomes,
      storeExport,
      recordChanges,
      getMark,
      setMark,
      selectForDetails,
      countForDetails,
      renormalize
    } as const
  })
}) {}
