import { SqlError } from "@effect/sql/SqlError"
import { type Cause, Duration, Effect, Option, type ParseResult, Schedule } from "effect"
import { DatabaseError } from "../../src/Database.js"
import { findErrorCode } from "../../src/Wire.js"

// The repository's answers to a database that fails for a while: another writer's lock on a
// SQLite file, a deadlock between collectors, a PostgreSQL connection that drops. The writes these
// wrap are whole (one statement or one transaction, rolled back when it fails), so the answer is
// to run them again; what cannot wait ends as one DatabaseError line. One case repeats a write:
// a COMMIT that succeeded but whose answer was lost with the connection. Then a run is recorded
// twice (the extra row is marked abandoned) or a failure's attempts counted twice; the stored
// records themselves are upserts, the same whichever time they land.

/** How long a write waits for another connection's lock on a SQLite file before the run gives up, in minutes. */
const LOCK_PATIENCE_MINUTES = 5
const LOCK_PATIENCE = Duration.minutes(LOCK_PATIENCE_MINUTES)

// SQLite's own busy timeout (layers/Sql.ts) waits a short while inside each statement, blocking
// the event loop as it sleeps; the rest of the wait is here, on the Effect clock, between tries.
const lockedSchedule = Schedule.exponential(Duration.millis(50)).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(1))),
  Schedule.upTo(LOCK_PATIENCE)
)

/**
 * @effect/sql dies when a COMMIT or a ROLLBACK fails (its transaction runs them with orDie): a
 * full disk in WAL mode first fails at COMMIT, a dropped PostgreSQL connection at either. They
 * are the database's failures like any statement's.
 */
export const commitFailures = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
  Effect.catchSomeDefect(effect, (defect) => (defect instanceof SqlError ? Option.some(Effect.fail(defect)) : Option.none()))

const isLocked = (e: unknown): e is DatabaseError => e instanceof DatabaseError && e.problem === "locked"

/**
 * Runs `write` again while another connection holds the SQLite file's write lock (an analyst's
 * `sqlite3` shell, say), for up to LOCK_PATIENCE, saying once that it waits. A locked write is
 * rolled back whole, so the runs between lose nothing.
 */
export const waitWhileLocked = <A, E, R>(write: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.catchIf(
    write,
    (e): e is E & DatabaseError => isLocked(e),
    (first) =>
      Effect.logWarning(`${first.message}: waiting for it (up to ${LOCK_PATIENCE_MINUTES} min)`).pipe(
        Effect.zipRight(Effect.retry(write, { schedule: lockedSchedule, while: isLocked })),
        Effect.mapError((e): E => (isLocked(e) ? new DatabaseError({ ...e, message: `${e.message}: gave up after ${LOCK_PATIENCE_MINUTES} min` }) as E : e))
      )
  )

const codeOf = (e: unknown) => findErrorCode(e) ?? ""
const messagesOf = (e: unknown, depth = 0): string =>
  depth > 4 || typeof e !== "object" || e === null
    ? ""
    : `${"message" in e ? String(e.message) : ""} ${"cause" in e ? messagesOf(e.cause, depth + 1) : ""}`

/**
 * PostgreSQL, many collectors: two transactions that lock the same movies in different orders
 * deadlock, and PostgreSQL aborts one (40P01; 40001 for a serialization failure).
 */
const isConflict = (e: unknown) => e instanceof SqlError && ["40P01", "40001"].includes(codeOf(e))

/**
 * PostgreSQL dropped the connection: an administrator's pg_terminate_backend or a shutdown
 * (57P01-57P03), a failover or a reset socket (class 08, node-postgres's own words), or, while it
 * restarts, refuses or does not answer a new one. The pool opens a new connection for the next
 * try; what the dropped one had not committed was rolled back.
 */
const isConnectionLost = (e: unknown) =>
  e instanceof SqlError
  && (/^(57P0[123]|08\d\d\d|ECONNRESET|EPIPE|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENOTFOUND)$/.test(codeOf(e))
    || /Connection terminated|connection error and is not queryable|terminating connection|timeout exceeded when trying to connect/i.test(messagesOf(e)))

// A failover takes seconds to tens of seconds: a minute of tries, a few seconds apart at most.
const reconnectSchedule = Schedule.exponential(Duration.millis(200)).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(5))),
  Schedule.upTo(Duration.minutes(1))
)

/** Runs `effect` again, on a new connection, when PostgreSQL dropped the one it ran on. */
export const reconnecting = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
  Effect.retry(
    commitFailures(effect).pipe(
      Effect.tapError((
        e
      ) => (isConnectionLost(e) ? Effect.logWarning("PostgreSQL dropped the connection: trying again on a new one, for up to a minute") : Effect.void))
    ),
    { schedule: reconnectSchedule, while: isConnectionLost }
  )

/** Runs a whole, idempotent transaction again when it deadlocked with another collector's. */
export const retryConflicts = <A, E, R>(transaction: Effect.Effect<A, E, R>) =>
  Effect.retry(commitFailures(transaction), { times: 5, schedule: Schedule.exponential(Duration.millis(20)), while: isConflict })

/**
 * The repository's error funnel: a database's failure becomes its one-line DatabaseError, after
 * waiting out another writer's lock or a dropped connection; our own rows failing their schemas,
 * or a RETURNING without a row, is a bug, not a database problem.
 */
export type OrFail = <A, R>(effect: Effect.Effect<A, SqlError | ParseResult.ParseError | Cause.NoSuchElementException, R>) => Effect.Effect<A, DatabaseError, R>

export const orFailWith = (toDatabaseError: (error: SqlError) => DatabaseError): OrFail => (effect) =>
  waitWhileLocked(failOnceWith(toDatabaseError)(reconnecting(effect)))

/**
 * The same funnel without waiting: for a statement inside a transaction, where running it again
 * alone cannot help (the transaction as a whole is what waits).
 */
export const failOnceWith = (toDatabaseError: (error: SqlError) => DatabaseError): OrFail => (effect) =>
  effect.pipe(Effect.catchTags({ ParseError: Effect.die, NoSuchElementException: Effect.die }), Effect.mapError(toDatabaseError))
