import type { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { decodeMovieDetails } from "../../src/Decode.js"
import { decompress, detailsWrite, toEventLoop, writeDetails } from "../../src/MovieWrites.js"

// Rebuilds every derived column and table from the stored payloads, with no request: a new
// column or a fixed normalization rule never needs a refetch.

const PAGE = 250

const PayloadPage = Schema.Array(Schema.Struct({
  tmdb_id: Schema.Number,
  fetched_at: Schema.String,
  body: Schema.Uint8ArrayFromSelf,
  encoding: Schema.String,
  append: Schema.String,
  votes_at: Schema.NullOr(Schema.String),
  vote_average: Schema.NullOr(Schema.Number),
  vote_count: Schema.NullOr(Schema.Number),
  popularity: Schema.NullOr(Schema.Number)
}))
const decodePage = Schema.decodeUnknown(PayloadPage)

export interface RenormalizeSummary {
  /** Movies rebuilt from their payload. */
  readonly movies: number
  /** Payloads that no longer decode under today's rules: their rows are left as they were. */
  readonly failed: ReadonlyArray<{ readonly tmdbId: number; readonly message: string }>
}

/**
 * Reads the payloads in pages of 250 by id and rewrites each page's rows in one transaction.
 * Votes and popularity newer than a payload (a later discover page) are kept.
 */
export const renormalizeAll = (sql: SqlClient.SqlClient, onProgress: (done: number) => void = () => {}) =>
  Effect.gen(function*() {
    let last = 0
    let movies = 0
    const failed: Array<{ tmdbId: number; message: string }> = []
    while (true) {
      const page = yield* decodePage(
        yield* sql`SELECT p.tmdb_id, p.fetched_at, p.body, p.encoding, p.append,
          m.votes_at, m.vote_average, m.vote_count, m.popularity
          FROM movie_payloads p LEFT JOIN movies m ON m.tmdb_id = p.tmdb_id
          WHERE p.tmdb_id > ${last} ORDER BY p.tmdb_id LIMIT ${PAGE}`
      )
      if (page.length === 0) break
      last = page[page.length - 1]!.tmdb_id
      const writes = []
      for (const p of page) {
        const append = p.append === "" ? [] : p.append.split(",")
        const decoded = Either.flatMap(
          Either.try(() => JSON.parse(decompress(p.body, p.encoding)) as unknown),
          (json) => decodeMovieDetails(json, append)
        )
        if (Either.isLeft(decoded)) {
          failed.push({ tmdbId: p.tmdb_id, message: decoded.left instanceof Error ? decoded.left.message : String(decoded.left) })
          continue
        }
        const write = detailsWrite(decoded.right, p.fetched_at, true)
        // A discover page after the fetch refreshed the votes: they stay.
        const newer = p.votes_at !== null && p.votes_at > p.fetched_at
        writes.push(
          newer
            ? { ...write, row: { ...write.row, vote_average: p.vote_average, vote_count: p.vote_count, popularity: p.popularity, votes_at: p.votes_at } }
            : write
        )
      }
      yield* sql.withTransaction(writeDetails(sql, writes))
      movies += writes.length
      onProgress(movies)
      yield* toEventLoop
    }
    return { movies, failed } satisfies RenormalizeSummary
  })
