import type { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { toEventLoop } from "../../src/Breathe.js"
import { decompress } from "../../src/Payloads.js"
import type { AnyKind } from "../../src/RecordKind.js"

// Rebuilds every derived column and table from the stored payloads, with no request, for every
// kind that keeps its bodies: a new column or a fixed normalization rule never needs a refetch.

const PAGE = 250

const PayloadPage = Schema.Array(Schema.Struct({
  id: Schema.Number,
  fetched_at: Schema.String,
  body: Schema.Uint8ArrayFromSelf,
  encoding: Schema.String,
  append: Schema.String
}))
const decodePage = Schema.decodeUnknown(PayloadPage)

export interface RenormalizeSummary {
  /** Movies rebuilt from their payload. */
  readonly movies: number
  /** Records rebuilt, by kind (`movie`, `collection`, `company`, `person`). */
  readonly kinds: Readonly<Record<string, number>>
  /** Payloads that no longer decode under today's rules: their rows are left as they were. `tmdbId`: TMDB's id, of `kind`. */
  readonly failed: ReadonlyArray<{ readonly kind: string; readonly tmdbId: number; readonly message: string }>
}

/** Reads a kind's payloads in pages of 250 by id and rewrites each page's rows in one transaction. */
const renormalizeKind = (sql: SqlClient.SqlClient, kind: AnyKind, onPage: (rebuilt: number) => void) =>
  Effect.gen(function*() {
    const payloads = kind.payloads
    if (payloads === undefined) return []
    const key = sql(kind.tables.key)
    let last = 0
    const failed: Array<{ kind: string; tmdbId: number; message: string }> = []
    while (true) {
      const page = yield* decodePage(
        yield* sql`SELECT ${key} AS id, fetched_at, body, encoding, append FROM ${sql(payloads.table)}
          WHERE ${key} > ${last} ORDER BY ${key} LIMIT ${PAGE}`
      )
      if (page.length === 0) break
      last = page[page.length - 1]!.id
      const decoded = []
      for (const p of page) {
        const text = Either.try(() => decompress(p.body, p.encoding))
        const record = Either.flatMap(text, (body) =>
          Either.flatMap(
            Either.try(() => JSON.parse(body) as unknown),
            (json) => kind.details.decode(json, body, p.append === "" ? [] : p.append.split(","))
          ))
        if (Either.isLeft(record)) {
          failed.push({ kind: kind.name, tmdbId: p.id, message: record.left instanceof Error ? record.left.message : String(record.left) })
        } else decoded.push({ record: record.right, fetchedAt: p.fetched_at })
      }
      yield* sql.withTransaction(payloads.rebuild(sql, decoded))
      onPage(decoded.length)
      yield* toEventLoop
    }
    return failed
  })

/** Every kind of `kinds` rebuilt in turn; `onProgress` counts the records rebuilt so far. */
export const renormalizeAll = (sql: SqlClient.SqlClient, kinds: ReadonlyArray<AnyKind>, onProgress: (done: number) => void = () => {}) =>
  Effect.gen(function*() {
    let rebuilt = 0
    const byKind: Record<string, number> = {}
    const failed: Array<{ kind: string; tmdbId: number; message: string }> = []
    for (const kind of kinds) {
      byKind[kind.name] = 0
      failed.push(
        ...(yield* renormalizeKind(sql, kind, (n) => {
          byKind[kind.name]! += n
          onProgress(rebuilt += n)
        }))
      )
    }
    return { movies: byKind["movie"] ?? 0, kinds: byKind, failed } satisfies RenormalizeSummary
  })
