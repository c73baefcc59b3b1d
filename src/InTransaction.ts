import { SqlClient, type Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Option } from "effect"

// A statement run through @effect/sql opens a span, a scope and a connection acquisition of its
// own: dozens of fiber operations each inside a transaction (bench/cpuOps.ts counts a run's by
// span). A batch of details writes two dozen statements, and at 40 req/s the writer commits a
// batch every five answers or so, so those operations were the largest part of the Effect work
// per movie (BENCHMARKS.md §13, fiber operations per request). Inside a transaction the
// connection is already held: the statement's compiled text runs on it directly. The
// transaction's own span (`MovieRepository.saveRecords`) still covers the statements, which have
// none of their own.

/** Runs `statement` on the current transaction's connection; outside a transaction, as usual. */
export const onTransaction = <A extends object>(statement: Statement.Statement<A>): Effect.Effect<ReadonlyArray<A>, SqlError> =>
  Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (held) => {
    if (Option.isNone(held)) return statement
    const [text, params] = statement.compile()
    return held.value[0].execute(text, params, undefined) as Effect.Effect<ReadonlyArray<A>, SqlError>
  })
