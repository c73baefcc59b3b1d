import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as zlib from "node:zlib"
import { onTransaction } from "./InTransaction.js"

// The bodies TMDB sent, kept compressed beside a kind's rows (`movie_payloads` for movies), so
// `--renormalize` rebuilds the rows with no request. One table per kind: the kind's key, when it
// was fetched, the body, its encoding, and the sub-resources it asked for (comma-separated).

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

/** A body as a payload stores it. */
export const compressBody = (body: string): Buffer => zlib.brotliCompressSync(body, BROTLI)

/** A stored payload back to the text TMDB sent. */
export const decompress = (body: Uint8Array, encoding: string): string => {
  if (encoding !== PAYLOAD_ENCODING) throw new Error(`payload encoding ${encoding} is not known`)
  return zlib.brotliDecompressSync(body).toString("utf8")
}

/** A table of payloads: its name and its key column. */
interface PayloadTable {
  readonly table: string
  readonly key: string
}

/** Stores bodies compressed by `compressBody`, replacing what each id had, in the caller's transaction. */
export const writePayloads = (
  sql: SqlClient.SqlClient,
  { key, table }: PayloadTable,
  payloads: ReadonlyArray<{ readonly id: number; readonly body: Buffer; readonly fetchedAt: string; readonly append: ReadonlyArray<string> }>
) =>
  payloads.length === 0 ? Effect.void : Effect.asVoid(onTransaction(
    sql`INSERT INTO ${sql(table)} ${
      sql.insert(payloads.map((p) => ({ [key]: p.id, fetched_at: p.fetchedAt, body: p.body, encoding: PAYLOAD_ENCODING, append: p.append.join(",") })))
    } ON CONFLICT (${sql(key)}) DO UPDATE SET
        fetched_at = excluded.fetched_at, body = excluded.body, encoding = excluded.encoding, append = excluded.append`
  ))

/** Removes the payloads of `ids`: rows stored without a body no longer derive from the old one. */
export const dropPayloads = (sql: SqlClient.SqlClient, { key, table }: PayloadTable, ids: ReadonlyArray<number>) =>
  ids.length === 0 ? Effect.void : Effect.asVoid(sql`DELETE FROM ${sql(table)} WHERE ${sql.in(key, ids)}`)
