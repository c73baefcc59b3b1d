import { SqlClient, SqlSchema } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema, Stream } from "effect"
import { toEventLoop } from "../src/Breathe.js"
import { DatabaseErrorMapping } from "../src/Database.js"
import { WITH_PEOPLE } from "../src/kinds/Kinds.js"
import { recordMetrics } from "../src/MetricsHistory.js"
import type { DiscoveredMovie, MovieDetails } from "../src/Movie.js"
import { movieKind } from "../src/MovieKind.js"
import { chunks } from "../src/MovieWrites.js"
import type { AnyKind } from "../src/RecordKind.js"
import { type MovieRow, SelectionPolicy } from "../src/Storage.js"
import { type ExportEntry, markChanged, readMark, storeExportSlice, writeMark } from "./movieRepository/CatalogueWrites.js"
import { commitFailures, failOnceWith, orFailWith, retryConflicts, waitWhileLocked } from "./movieRepository/Failures.js"
import { type FailureRecord, writeOutcomes } from "./movieRepository/Outcomes.js"
import { pendingPriority } from "./movieRepository/Pending.js"
import { reads } from "./movieRepository/Reads.js"
import { renormalizeAll } from "./movieRepository/Renormalize.js"
import { runs } from "./movieRepository/Runs.js"

export type { ExportEntry } from "./movieRepository/CatalogueWrites.js"
export type { RenormalizeSummary } from "./movieRepository/Renormalize.js"

export { FailureRow, FinalRunStatus, MovieRow, RunRow, RunStatus, SelectionPolicy } from "../src/Storage.js"

export type { FailureRecord } from "./movieRepository/Outcomes.js"

/** What a movie holds until its details are stored. */
type DiscoveredRow = Pick<
  typeof MovieRow.Encoded,
  "tmdb_id" | "title" | "release_date" | "vote_average" | "vote_count" | "popularity" | "discovered_at" | "votes_at"
>

const VOTES = ["vote_average", "vote_count", "popularity", "votes_at"]

/** How far before the last linking the next one looks back: longer than any write transaction. */
const LINK_MARGIN_MS = 10 * 60_000

const Count = Schema.Struct({ n: Schema.Number })
const PendingId = Schema.Struct({ id: Schema.Number })
const Ids = Schema.Array(Schema.Number)

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
 * migrations (`MigrationsLive`) created. The SQL is what SQLite and PostgreSQL both accept.
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
          yield* recordMetrics(sql, "discover", chunk.map((m) => m.tmdbId), at)
        }
        return inserted
      })))
    })

    const saveRecords = <A>(
      kind: AnyKind,
      records: ReadonlyArray<A>,
      failures: ReadonlyArray<FailureRecord>,
      at: string,
      leasedBy?: number
    ) =>
      records.length === 0 && failures.length === 0
        ? Effect.succeed({ removed: 0, restored: 0 })
        : orFail(retryConflicts(sql.withTransaction(writeOutcomes(sql, kind, records, failures, at, leasedBy)))).pipe(
          Effect.withSpan("MovieRepository.saveRecords", { attributes: { "tmdb.kind": kind.name } })
        )

    const saveOutcomes = (details: ReadonlyArray<MovieDetails>, failures: ReadonlyArray<FailureRecord>, at: string, leasedBy?: number) =>
      saveRecords(movieKind, details, failures, at, leasedBy)

    const pending = (kind: AnyKind, policy: SelectionPolicy) => {
      const { from, key, last, orphaned, priority, untried } = pendingPriority(sql, kind, policy)
      return sql`
        SELECT m.${key} AS id, ${last} AS ord, ${priority} AS priority FROM ${from}
        WHERE ${untried(last)}
        UNION ALL
        SELECT f.${key}, f.last_attempt_at, 2 FROM ${sql(kind.tables.failures)} f WHERE ${orphaned}`
    }
    const pendingIds = (kind: AnyKind) =>
      SqlSchema.findAll({
        Request: SelectionPolicy,
        Result: PendingId,
        execute: (policy) =>
          sql`SELECT id FROM (${pending(kind, policy)}) AS pending WHERE priority IS NOT NULL
          ORDER BY priority, ord, id ${policy.limit === undefined ? sql`` : sql`LIMIT ${policy.limit}`}`
      })
    const pendingCount = (kind: AnyKind) =>
      SqlSchema.single({
        Request: SelectionPolicy,
        Result: Count,
        execute: (policy) => sql`SELECT CAST(count(*) AS INTEGER) AS n FROM (${pending(kind, policy)}) AS pending WHERE priority IS NOT NULL`
      })

    const selectForDetails = Effect.fn("MovieRepository.selectForDetails")(function*(policy: SelectionPolicy, kind: AnyKind = movieKind) {
      return (yield* orFail(pendingIds(kind)(policy))).map((r) => r.id)
    })

    const countForDetails = Effect.fn("MovieRepository.countForDetails")(function*(policy: SelectionPolicy, kind: AnyKind = movieKind) {
      return (yield* orFail(pendingCount(kind)(policy))).n
    })

    const renormalize = Effect.fn("MovieRepository.renormalize")(function*(
      onProgress?: (done: number) => void,
      kinds: ReadonlyArray<AnyKind> = WITH_PEOPLE
    ) {
      const summary = yield* orFail(renormalizeAll(sql, kinds, onProgress))
      // Rebuilt movies keep when they were fetched, so the next linking (which looks at movies
      // stored since the last) would miss a record a fixed rule now finds in them: it looks at all.
      yield* orFail(sql`DELETE FROM sync_marks WHERE name LIKE ${"%:linked"}`)
      return summary
    })

    // One transaction for the whole export: a slice that meets a lock fails it, and it is the
    // transaction (the file read again) that waits, not the slice.
    const failOnce = failOnceWith(toDatabaseError)
    const storeExport = <E, R>(slices: Stream.Stream<ReadonlyArray<ExportEntry>, E, R>, exportDate: string, at: string, kind: AnyKind = movieKind) =>
      waitWhileLocked(
        commitFailures(sql.withTransaction(
          Stream.runFoldEffect(
            slices,
            0,
            (added, slice) => Effect.map(Effect.zipRight(toEventLoop, failOnce(storeExportSlice(sql, kind, slice, exportDate, at))), (n) => added + n)
          )
        )).pipe(Effect.mapError((e) => (e instanceof SqlError ? toDatabaseError(e) : e)))
      ).pipe(Effect.withSpan("MovieRepository.storeExport"))

    const recordChanges = Effect.fn("MovieRepository.recordChanges")(function*(ids: ReadonlyArray<number>, changedAt: string, kind: AnyKind = movieKind) {
      return yield* orFail(retryConflicts(sql.withTransaction(markChanged(sql, kind, ids, changedAt))))
    })

    const linkRecords = Effect.fn("MovieRepository.linkRecords")(function*(kind: AnyKind, at: string) {
      if (kind.linked === undefined) return 0
      const mark = `${kind.name}:linked`
      const last = yield* orFail(readMark(sql, mark))
      // A movie's details are stamped when its batch is written, and committed a moment later: a
      // margin before the last linking catches what another collector committed meanwhile.
      const since = last === undefined ? undefined : new Date(Date.parse(last) - LINK_MARGIN_MS).toISOString()
      const added = yield* orFail(retryConflicts(sql.withTransaction(Effect.zipLeft(kind.linked(sql, since), writeMark(sql, mark, at, at)))))
      return added.length
    })

    const getMark = (name: string) => orFail(readMark(sql, name))
    const setMark = (name: string, value: string, at: string) => orFail(writeMark(sql, name, value, at))

    return {
      ...runs(sql, orFail),
      ...reads(sql, orFail),
      /**
       * Stores discover results. A new movie gets a row; a known movie without details gets the
       * fresh title and date; a movie with stored details keeps them. Every movie takes the page's
       * votes and popularity, and one whose numbers moved gets a `movie_metrics_history` row, in
       * the same transaction. Returns how many were new.
       */
      upsertDiscovered,
      /**
       * Stores a batch of movies' details and failures in one short transaction. Stored details
       * clear the movie's failure row; a failure leaves stored details as they were. A 404 marks the
       * movie removed (`removed_at`), a fresh response clears that; returns how many of each. A
       * stored movie whose numbers moved gets a `movie_metrics_history` row.
       */
      saveOutcomes,
      /** `saveOutcomes` for records of any kind: `movieKind`, or a kind of your own. */
      saveRecords,
      /**
       * Stores a daily ID export, slice by slice, in one transaction: an export cut off halfway
       * leaves the store as it was. A stored movie whose popularity the export moved gets a
       * `movie_metrics_history` row. Returns how many kept movies were new.
       */
      storeExport,
      /** Marks the stored records among `ids` changed as of `changedAt`; returns which are stored. */
      recordChanges,
      /**
       * For a kind kept because stored movies name it (collections, companies, people): adds a row
       * for each record named by a movie stored since the last call, to be fetched. Returns how many.
       */
      linkRecords,
      /** A sync mark (`sync_marks`), undefined when never set. */
      getMark,
      /** Sets a sync mark (`sync_marks`). */
      setMark,
      /**
       * The ids that need details, in priority order: never fetched, then changed since fetched,
       * then failed with a transient kind, then missing from the export, then stale (permanent
       * failures included). A whole catalogue is chosen a `limit` at a time: a million ids at
       * once would not fit the CLI's heap.
       */
      selectForDetails,
      /** How many records `selectForDetails` would choose with no limit. */
      countForDetails,
      /**
       * Rebuilds every derived column and child table from the stored payloads (`--renormalize`),
       * with no request. A payload that no longer decodes leaves its rows as they were.
       */
      renormalize
    } as const
  })
}) {}
