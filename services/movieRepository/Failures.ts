import { SqlError } from "@effect/sql/SqlError"
import { type Cause, Duration, Effect, type ParseResult, Schedule } from "effect"
import type { DatabaseError } from "../../src/Database.js"
import { findErrorCode } from "../../src/Wire.js"

/**
 * The repository's error funnel: a database's failure becomes its one-line DatabaseError; our own
 * rows failing their schemas, or a RETURNING without a row, is a bug, not a database problem.
 */
export type OrFail = <A, R>(effect: Effect.Effect<A, SqlError | ParseResult.ParseError | Cause.NoSuchElementException, R>) => Effect.Effect<A, DatabaseError, R>

export const orFailWith = (toDatabaseError: (error: SqlError) => DatabaseError): OrFail => (effect) =>
  effect.pipe(
    Effect.catchTags({ ParseError: Effect.die, NoSuchElementException: Effect.die }),
    Effect.mapError(toDatabaseError)
  )

/**
 * PostgreSQL, many collectors: two transactions that lock the same movies in different orders
 * deadlock, and PostgreSQL aborts one (40P01; 40001 for a serialization failure). The writes this
 * wraps are whole and idempotent, so the aborted one is simply run again.
 */
export const retryConflicts = <A, E, R>(transaction: Effect.Effect<A, E, R>) =>
  transaction.pipe(Effect.retry({
    times: 5,
    schedule: Schedule.exponential(Duration.millis(20)),
    while: (e) => e instanceof SqlError && ["40P01", "40001"].includes(findErrorCode(e) ?? "")
  }))
