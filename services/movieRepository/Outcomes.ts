import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { breathe } from "../../src/Breathe.js"
import type { FailureKind } from "../../src/Errors.js"
import { onTransaction } from "../../src/InTransaction.js"
import { chunks } from "../../src/MovieWrites.js"
import type { AnyKind } from "../../src/RecordKind.js"
import { recordPresence } from "./CatalogueWrites.js"

// The outcomes of details requests, for any kind of record, written in the caller's transaction.

/** Why a record's request failed. `tmdbId`: TMDB's id of the record, whatever its kind. */
export interface FailureRecord {
  readonly tmdbId: number
  readonly kind: FailureKind
  readonly message: string
}

// Records are written this many at a time: a statement per table for each slice. The loop is
// handed back between statements (`breathe`), so a slice bounds the statements' size, not how
// long the loop waits.
const SLICE = 50

/**
 * Stored records clear their failure row; a failure leaves stored details as they were. A 404
 * marks the record removed, a fresh response clears that. `leasedBy`: among collectors, what is
 * stored is no longer held, in the same transaction. Returns how many were removed and restored.
 */
export const writeOutcomes = <A>(
  sql: SqlClient.SqlClient,
  kind: AnyKind,
  records: ReadonlyArray<A>,
  failures: ReadonlyArray<FailureRecord>,
  at: string,
  leasedBy: number | undefined
) =>
  Effect.gen(function*() {
    const { key, leases } = kind.tables
    const table = sql(kind.tables.failures)
    const ids = records.map((r) => kind.idOf(r) as number)
    for (const slice of chunks(records, SLICE)) {
      yield* kind.write(sql, slice, at)
      yield* breathe
      yield* onTransaction(sql`DELETE FROM ${table} WHERE ${sql.in(key, slice.map((r) => kind.idOf(r) as number))}`)
    }
    for (const chunk of chunks(failures)) {
      const rows = chunk.map((f) => ({ [key]: f.tmdbId, kind: f.kind, message: f.message, attempts: 1, last_attempt_at: at }))
      yield* sql`INSERT INTO ${table} ${sql.insert(rows)} ON CONFLICT (${sql(key)}) DO UPDATE SET
          kind = excluded.kind, message = excluded.message,
          attempts = ${table}.attempts + 1, last_attempt_at = excluded.last_attempt_at`
    }
    if (leasedBy !== undefined) {
      for (const chunk of chunks([...ids, ...failures.map((f) => f.tmdbId)])) {
        yield* onTransaction(sql`DELETE FROM ${sql(leases)} WHERE ${sql.in(key, chunk)} AND run_id = ${leasedBy}`)
      }
    }
    const gone = failures.filter((f) => f.kind === "not_found").map((f) => f.tmdbId)
    if (gone.length > 0 && kind.removes !== undefined) yield* kind.removes(sql, gone, at)
    const presence = yield* recordPresence(sql, kind, ids, gone, at)
    // The COMMIT follows at once and writes the whole transaction's pages: it starts a hold of its own.
    yield* breathe
    return presence
  })
