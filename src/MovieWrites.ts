import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as zlib from "node:zlib"
import type { MovieDetails } from "./Movie.js"
import { CHILD_TABLES, childRows, type DetailsRow, movieRow } from "./Rows.js"

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

/** Back to the event loop: `setImmediate` runs after pending I/O, unlike a fiber yield. */
export const toEventLoop = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

export const chunks = <A>(items: ReadonlyArray<A>, size = CHUNK): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

// Brotli in text mode, quality 5, a 256 KB window: about 8% smaller than gzip on TMDB's JSON.
// The default 4 MB window costs more to set up than a 2 KB body costs to compress; bodies over
// 256 KB (rare: the largest credits lists) compress a little less. Synchronous: zlib's async
// form starts a stream with its own state per body, many times slower for bodies this small.
export const BROTLI: zlib.BrotliOptions = {
  params: {
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
    [zlib.constants.BROTLI_PARAM_LGWIN]: 18
  }
}
const PAYLOAD_ENCODING = "br"

const compress = (body: string): Buffer => zlib.brotliCompressSync(body, BROTLI)

/** A stored payload back to the text TMDB sent. */
export const decompress = (body: Uint8Array, encoding: string): string => {
  if (encoding !== PAYLOAD_ENCODING) throw new Error(`payload encoding ${encoding} is not known`)
  return zlib.brotliDecompressSync(body).toString("utf8")
}

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
export const detailsWrite = (details: MovieDetails, at: string, rebuild = false): DetailsWrite => ({
  details,
  row: movieRow(details, at),
  payload: rebuild ? "keep" : details.body !== undefined ? { body: compress(details.body), fetchedAt: at } : "drop"
})

/** The columns an upsert refreshes: all but the key and the first sighting. */
export const refreshed = (columns: ReadonlyArray<string>): Array<string> => columns.filter((c) => c !== "tmdb_id" && c !== "discovered_at")

/**
 * Writes movies and rewrites all their child rows from the response being stored, in the
 * caller's transaction: the rows of a movie are always those of one response, its payload. A
 * sub-resource that response did not ask for has no rows. A movie given twice: the last wins.
 */
export const writeDetails = (sql: SqlClient.SqlClient, given: ReadonlyArray<DetailsWrite>) =>
  Effect.gen(function*() {
    if (given.length === 0) return
    const writes = Array.from(new Map(given.map((w) => [w.details.tmdbId, w])).values())
    const ids = writes.map((w) => w.details.tmdbId)
    const rows = writes.map((w) => w.row)
    const columns = refreshed(Object.keys(rows[0]!))
    yield* sql`INSERT INTO movies ${sql.insert(rows)} ON CONFLICT (tmdb_id) DO UPDATE SET ${
      sql.join(", ", false)(columns.map((c) => sql`${sql(c)} = excluded.${sql(c)}`))
    }`
    const children = writes.map((w) => childRows(w.details))
    for (const table of CHILD_TABLES) {
      yield* sql`DELETE FROM ${sql(table)} WHERE ${sql.in("tmdb_id", ids)}`
      for (const part of binaryChunks(children.flatMap((c) => c[table]))) {
        yield* sql`INSERT INTO ${sql(table)} ${sql.insert(part)}`
      }
    }
    const payloads = writes.flatMap((w) =>
      typeof w.payload === "string" ? [] : [{
        tmdb_id: w.details.tmdbId,
        fetched_at: w.payload.fetchedAt,
        body: w.payload.body,
        encoding: PAYLOAD_ENCODING,
        append: (w.details.append ?? []).join(",")
      }]
    )
    if (payloads.length > 0) {
      yield* sql`INSERT INTO movie_payloads ${sql.insert(payloads)} ON CONFLICT (tmdb_id) DO UPDATE SET
        fetched_at = excluded.fetched_at, body = excluded.body, encoding = excluded.encoding, append = excluded.append`
    }
    const dropped = writes.filter((w) => w.payload === "drop").map((w) => w.details.tmdbId)
    if (dropped.length > 0) yield* sql`DELETE FROM movie_payloads WHERE ${sql.in("tmdb_id", dropped)}`
  })
