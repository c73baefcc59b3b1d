import { type SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { movieKind } from "../../src/MovieKind.js"
import type { AnyKind } from "../../src/RecordKind.js"
import { FailureRow, MovieRow } from "../../src/Storage.js"
import type { OrFail } from "./Failures.js"

const Counts = Schema.Struct({ movies: Schema.Number, with_details: Schema.Number, failures: Schema.Number })
const Count = Schema.Array(Schema.Struct({ n: Schema.Number }))
const At = Schema.Array(Schema.Struct({ at: Schema.String }))

/**
 * When the `n`-th least recently fetched details of `records` (from 0) were fetched; undefined past
 * the last. Through the index on details_fetched_at: no sort of the table.
 */
export const nthOldestDetails = (sql: SqlClient.SqlClient, records: string, n: number) =>
  Effect.flatMap(
    sql`SELECT details_fetched_at AS at FROM ${sql(records)} WHERE details_fetched_at IS NOT NULL
      ORDER BY details_fetched_at LIMIT 1 OFFSET ${n}`,
    Schema.decodeUnknown(At)
  ).pipe(Effect.map((rows) => rows[0]?.at))

/** What MovieRepository reads back for its callers: a movie, the counts, the failures, the oldest details. */
export const reads = (sql: SqlClient.SqlClient, orFail: OrFail) => {
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

  const oldestDetailsOf = (kind: AnyKind) =>
    orFail(
      SqlSchema.single({
        Request: Schema.Void,
        Result: Schema.Struct({ at: Schema.NullOr(Schema.String) }),
        execute: () => sql`SELECT min(details_fetched_at) AS at FROM ${sql(kind.tables.records)} WHERE details_fetched_at IS NOT NULL AND removed_at IS NULL`
      })(undefined)
    ).pipe(Effect.map((r) => r.at ?? undefined))

  const shareHorizon = Effect.fn("MovieRepository.shareHorizon")(function*(kind: AnyKind, share: number) {
    const [stored] = yield* orFail(
      Effect.flatMap(sql`SELECT CAST(count(details_fetched_at) AS INTEGER) AS n FROM ${sql(kind.tables.records)}`, Schema.decodeUnknown(Count))
    )
    const nth = Math.ceil((stored?.n ?? 0) * Math.min(1, share))
    const at = nth === 0 ? undefined : yield* orFail(nthOldestDetails(sql, kind.tables.records, nth - 1))
    return at === undefined ? undefined : new Date(Date.parse(at) + 1).toISOString()
  })

  return {
    /**
     * The instant before which the oldest `share` (0 to 1) of the kind's stored details were
     * fetched; undefined when that is none.
     */
    shareHorizon,
    /** One stored movie's row, undefined when the store does not hold it. */
    getMovie,
    /** How many movies are stored, with details, and with a failure recorded. */
    counts,
    /** Every failure recorded, by id: its kind, message and attempts. */
    failures,
    /** When the least recently fetched stored details were fetched; undefined when none are stored. */
    oldestDetails: oldestDetailsOf(movieKind),
    /** The same for a kind of record. */
    oldestDetailsOf
  } as const
}
