import type { SqlError } from "@effect/sql/SqlError"
import { type Cause, Effect, type ParseResult } from "effect"
import type { DatabaseError } from "../../src/Database.js"

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
