import type { SqlClient, Statement } from "@effect/sql"
import { Effect, Schema } from "effect"
import { breathe } from "./Breathe.js"
import { onTransaction } from "./InTransaction.js"
import type { MovieDetails } from "./Movie.js"
import { compressBody, dropPayloads, writePayloads } from "./Payloads.js"
import { CHILD_TABLES, childRows, type DetailsRow, movieRow } from "./Rows.js"
import { now } from "./Time.js"

// The details write path of MovieRepository: a movie's row, its child rows and its payload, in
// the caller's transaction. The SQL is what SQLite and PostgreSQL both accept.

// SQLite allows 32,766 bound parameters per statement (PostgreSQL 65,535): 30 columns x 500
// movies, and 256 child rows of at most 8 columns, stay under.
const CHUNK = 500
const CHILD_CHUNK = 256

/**
 * Child rows in statements of 256, 128, ... or 1 rows: a few statement shapes per table that the
 * client's prepared-statement cache keeps, where a statement per row count would be prepared
 * anew each time (SQLite parses every distinct text).
 */
export const binaryChunks = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  let i = 0
  for (let size = CHILD_CHUNK; size >= 1; size /= 2) {
    while (items.length - i >= size) {
      out.push(items.slice(i, i + size))
      i += size
    }
  }
  return out
}

export const chunks = <A>(items: ReadonlyArray<A>, size = CHUNK): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const PAYLOADS = { table: "movie_payloads", key: "tmdb_id" }

/**
 * What to store of one movie: its details, its `movies` row, and its payload: the compressed
 * body, `"keep"` (a rebuild from the stored payload), or `"drop"` (no body: an older payload
 * would no longer be what the rows derive from).
 */
export interface DetailsWrite {
  readonly details: MovieDetails
  readonly row: DetailsRow
  readonly payload: { readonly body: Buffer; readonly fetchedAt: string } | "keep" | "drop"
}

/** A movie to store; its body, if any, is compressed here. `rebuild`: from its stored payload. */
const detailsWrite = (details: MovieDetails, at: string, rebuild = false): DetailsWrite => ({
  details,
  row: movieRow(details, at),
  payload: rebuild ? "keep" : details.body !== undefined ? { body: compressBody(details.body), fetchedAt: at } : "drop"
})

/** `detailsWrite` for each movie, handing the loop back between them: a compression takes 0.1 ms or more. */
export const detailsWrites = (movies: ReadonlyArray<MovieDetails>, at: string) =>
  Effect.forEach(movies, (movie) => Effect.zipLeft(Effect.sync(() => detailsWrite(movie, at)), breathe))

/** The columns an upsert refreshes: all but the key and the first sighting. */
export const refreshed = (columns: ReadonlyArray<string>): Array<string> => columns.filter((c) => c !== "tmdb_id" && c !== "discovered_at")

const Grouped = Schema.Array(Schema.Struct({ tmdb_id: Schema.Number, collection_id: Schema.NullOr(Schema.Number) }))

/**
 * A collection a movie joins or leaves lists its parts anew, and TMDB keeps no changes feed for
 * collections (https://developer.themoviedb.org/docs/tracking-content-changes): each collection a
 * written movie starts or stops naming is marked changed, to be read again.
 */
const markRegrouped = (sql: SqlClient.SqlClient, writes: ReadonlyArray<DetailsWrite>, at: string) =>
  Effect.gen(function*() {
    const before = new Map<number, number | null>()
    for (const chunk of chunks(writes.map((w) => w.details.tmdbId))) {
      const rows = yield* Effect.orDie(
        Schema.decodeUnknown(Grouped)(yield* onTransaction(sql`SELECT tmdb_id, collection_id FROM movies WHERE ${sql.in("tmdb_id", chunk)}`))
      )
      for (const row of rows) before.set(row.tmdb_id, row.collection_id)
    }
    const moved = new Set<number>()
    for (const { details } of writes) {
      const was = before.get(details.tmdbId) ?? null
      const is = details.collection?.id ?? null
      if (was === is) continue
      if (was !== null) moved.add(was)
      if (is !== null) moved.add(is)
    }
    if (moved.size === 0 || at === "") return
    yield* markChangedCollections(sql, sql.in("collection_id", [...moved]), at)
  })

/** Collections to read again: `which` picks them, `at` is when they changed. */
const markChangedCollections = (sql: SqlClient.SqlClient, which: Statement.Fragment, at: string) =>
  Effect.asVoid(
    sql`UPDATE collections SET changed_at = ${at} WHERE ${which} AND (changed_at IS NULL OR changed_at < ${at})`
  )

/** A movie TMDB no longer serves leaves its collection's parts: the collection is read again. */
export const movieRemoved = (sql: SqlClient.SqlClient, ids: ReadonlyArray<number>, at: string) =>
  Effect.forEach(
    chunks(ids),
    (chunk) => markChangedCollections(sql, sql`collection_id IN (SELECT collection_id FROM movies WHERE ${sql.in("tmdb_id", chunk)})`, at),
    { discard: true }
  )

/**
 * Writes movies and rewrites all their child rows from the response being stored, in the
 * caller's transaction: the rows of a movie are always those of one response, its payload. A
 * sub-resource that response did not ask for has no rows. A movie given twice: the last wins.
 * A collection a movie joins or leaves changed at `regroupedAt`: by default when the latest of
 * them was fetched; a rebuild from old payloads regroups when it runs.
 */
export const writeDetails = (sql: SqlClient.SqlClient, given: ReadonlyArray<DetailsWrite>, regroupedAt?: string) =>
  Effect.gen(function*() {
    if (given.length === 0) return
    const writes = Array.from(new Map(given.map((w) => [w.details.tmdbId, w])).values())
    const ids = writes.map((w) => w.details.tmdbId)
    const rows = writes.map((w) => w.row)
    const latest = rows.reduce<string>((at, r) => (r.details_fetched_at !== null && r.details_fetched_at > at ? r.details_fetched_at : at), "")
    yield* markRegrouped(sql, writes, regroupedAt ?? latest)
    const columns = refreshed(Object.keys(rows[0]!))
    yield* onTransaction(sql`INSERT INTO movies ${sql.insert(rows)} ON CONFLICT (tmdb_id) DO UPDATE SET ${
      sql.join(", ", false)(columns.map((c) => sql`${sql(c)} = excluded.${sql(c)}`))
    }`)
    const children = writes.map((w) =>
      childRows(w.details)
    )
    for (const table of CHILD_TABLES) {
      yield* breathe
      yield* onTransaction(sql`DELETE FROM ${sql(table)} WHERE ${sql.in("tmdb_id", ids)}`)
      for (const part of binaryChunks(children.flatMap((c) => c[table]))) {
        yield* onTransaction(sql`INSERT INTO ${sql(table)} ${sql.insert(part)}`)
      }
    }
    yield* breathe
    yield* writePayloads(
      sql,
      PAYLOADS,
      writes.flatMap((w) => typeof w.payload === "string" ? [] : [{ id: w.details.tmdbId, ...w.payload, append: w.details.append ?? [] }])
    )
    yield* dropPayloads(sql, PAYLOADS, writes.filter((w) => w.payload === "drop").map((w) => w.details.tmdbId))
  })

const Votes = Schema.Array(Schema.Struct({
  tmdb_id: Schema.Number,
  votes_at: Schema.NullOr(Schema.String),
  vote_average: Schema.NullOr(Schema.Number),
  vote_count: Schema.NullOr(Schema.Number),
  popularity: Schema.NullOr(Schema.Number)
}))

/**
 * Rewrites movies' rows and child rows from their stored payloads (`--renormalize`), the payloads
 * left as they are. Votes and popularity newer than a payload (a later discover page) are kept.
 */
export const rebuildMovies = (sql: SqlClient.SqlClient, decoded: ReadonlyArray<{ readonly record: MovieDetails; readonly fetchedAt: string }>) =>
  Effect.gen(function*() {
    const ids = decoded.map((d) => d.record.tmdbId)
    const votes = new Map<number, typeof Votes.Type[number]>()
    for (const chunk of chunks(ids)) {
      const rows = yield* Effect.orDie(
        Schema.decodeUnknown(Votes)(
          yield* sql`SELECT tmdb_id, votes_at, vote_average, vote_count, popularity FROM movies WHERE ${sql.in("tmdb_id", chunk)}`
        )
      )
      for (const row of rows) votes.set(row.tmdb_id, row)
    }
    yield* writeDetails(
      sql,
      decoded.map(({ fetchedAt, record }) => {
        const write = detailsWrite(record, fetchedAt, true)
        const v = votes.get(record.tmdbId)
        // A discover page after the fetch refreshed the votes: they stay.
        return v !== undefined && v.votes_at !== null && v.votes_at > fetchedAt
          ? { ...write, row: { ...write.row, vote_average: v.vote_average, vote_count: v.vote_count, popularity: v.popularity, votes_at: v.votes_at } }
          : write
      }),
      yield* now
    )
  })
