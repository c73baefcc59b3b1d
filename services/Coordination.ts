import { SqlClient, type Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Context, Effect, Layer, type ParseResult, Schema } from "effect"
import { type DatabaseError, DatabaseErrorMapping } from "../src/Database.js"
import { DEFAULT_LEASE_SECONDS } from "../src/Defaults.js"
import { movieKind } from "../src/MovieKind.js"
import { deadHere } from "../src/Process.js"
import type { AnyKind } from "../src/RecordKind.js"
import type { SelectionPolicy } from "../src/Storage.js"
import { reconnecting, retryConflicts } from "./movieRepository/Failures.js"
import { pendingPriority } from "./movieRepository/Pending.js"
import { abandonRuns } from "./movieRepository/Runs.js"

// Many collectors on one PostgreSQL database (README "Many collectors"), on the database's own
// engine: row locks taken with FOR UPDATE SKIP LOCKED, unique keys, transactions and an advisory
// lock. No coordinator process: every collector runs the same code against the same tables.
//
// - A generation is the set of collectors running at the same time. The first to start one is
//   its id; a collector that starts while another is alive joins that one's generation.
// - Shared units of a generation (a year's discovery, the changes) are claimed in `work_claims`
//   and done once; details are claimed a few records at a time in their kind's leases table
//   (`detail_leases` for movies).
// - Every claim carries an expiry that its holder's heartbeat moves on. A killed collector stops
//   beating; once its claims expire the others take them over.

/** How long a claim outlives its holder's last heartbeat. */
export { DEFAULT_LEASE_SECONDS }

const JOIN_LOCK = 0x746d6463

const Runs = Schema.Array(Schema.Struct({
  id: Schema.Number,
  collector: Schema.NullOr(Schema.String),
  generation: Schema.NullOr(Schema.Number),
  silent: Schema.optional(Schema.Number)
}))
const Ids = Schema.Array(Schema.Struct({ id: Schema.Number }))
const Claimed = Schema.Array(Schema.Struct({ run_id: Schema.Number }))
const Units = Schema.Array(Schema.Struct({ unit: Schema.String, done_at: Schema.NullOr(Schema.String) }))
const Flag = Schema.Array(Schema.Struct({ busy: Schema.Number }))
const Started = Schema.Array(Schema.Struct({ started_at: Schema.String }))

export type UnitState = "claimed" | "done" | "held"

export interface Membership {
  readonly generation: number
  /** When the generation's first collector started: what any member tried since is this run's. */
  readonly startedAt: string
}

/**
 * Claims and leases of many collectors on one database. Provided only over PostgreSQL (see
 * `CoordinationLive`); without it the Collector runs alone, as on SQLite, whose file lock lets
 * one collector in.
 */
export class Coordination extends Context.Tag("tmdb/Coordination")<Coordination, {
  /** How long a claim outlives its holder's last heartbeat, in ms (`--lease-seconds`). */
  readonly leaseMs: number
  /** Joins the live generation, or starts one; runs of dead collectors are given up first (their leases of `kinds` too). */
  readonly join: (runId: number, kinds?: ReadonlyArray<AnyKind>) => Effect.Effect<Membership, DatabaseError>
  /** Moves on the expiry of everything `runId` holds (of `kinds`: movies unless given). */
  readonly heartbeat: (runId: number, kinds?: ReadonlyArray<AnyKind>) => Effect.Effect<void, DatabaseError>
  /** Claims a unit of the generation's shared work; `done` or `held` when another has it. */
  readonly claimUnit: (m: Membership, runId: number, unit: string) => Effect.Effect<UnitState, DatabaseError>
  /** Marks a claimed unit done: no collector of the generation does it again. */
  readonly finishUnit: (m: Membership, runId: number, unit: string) => Effect.Effect<void, DatabaseError>
  /**
   * Up to `n` records of `kind` (movies unless given) that need details, leased to `runId`; no
   * other collector gets them. Records never fetched come `n` at a time; the others are ranked
   * over the whole table, so they come `ranked` at a time (default `n`), the ranking paid once per
   * many records.
   */
  readonly claimDetails: (
    runId: number,
    policy: SelectionPolicy,
    n: number,
    ranked?: number,
    kind?: AnyKind
  ) => Effect.Effect<ReadonlyArray<number>, DatabaseError>
  /** Whether another live collector holds a lease (of `kinds`) or an unfinished unit: work that may come back. */
  readonly othersBusy: (m: Membership, runId: number, kinds?: ReadonlyArray<AnyKind>) => Effect.Effect<boolean, DatabaseError>
  /** Gives back everything `runId` holds (a finished or interrupted run). */
  readonly release: (runId: number, kinds?: ReadonlyArray<AnyKind>) => Effect.Effect<void, DatabaseError>
}>() {}

/** Coordination over the SqlClient in context, which must be PostgreSQL's. */
export const CoordinationLive = (leaseSeconds: number = DEFAULT_LEASE_SECONDS): Layer.Layer<Coordination, never, SqlClient.SqlClient> =>
  Layer.effect(
    Coordination,
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const toDatabaseError = yield* DatabaseErrorMapping
      const leaseMs = leaseSeconds * 1000
      // Each claim is one statement or one transaction and may run again: after a deadlock, or on
      // a new connection when PostgreSQL dropped the last one.
      const orFail = <A, R>(effect: Effect.Effect<A, SqlError | ParseResult.ParseError, R>) =>
        reconnecting(retryConflicts(effect)).pipe(Effect.catchTag("ParseError", Effect.die), Effect.mapError(toDatabaseError))
      const key = (m: Membership, unit: string) => `g${m.generation}:${unit}`
      // Leases and heartbeats are timed by the database's clock, the one clock every collector
      // shares: a host whose clock runs ahead would otherwise take live leases.
      const expiry = (ms: number) => sql`now() + make_interval(secs => CAST(${ms / 1000} AS double precision))`

      // A collector is dead once its heartbeat is a lease old, or at once when it ran on this
      // host and its pid is gone. Its run is marked abandoned and what it held is given up.
      const leaseTables = (kinds: ReadonlyArray<AnyKind>) => Array.from(new Set(kinds.map((k) => k.tables.leases)), (t) => sql(t))
      const giveUpDead = (kinds: ReadonlyArray<AnyKind>) =>
        Effect.gen(function*() {
          const running = yield* Schema.decodeUnknown(Runs)(
            yield* sql`SELECT id, collector, generation,
              CASE WHEN heartbeat_at IS NULL OR heartbeat_at < ${expiry(-leaseMs)} THEN 1 ELSE 0 END AS silent
              FROM collection_runs WHERE status = 'running'`
          )
          const dead = running.filter((r) => r.silent === 1 || deadHere(r.collector ?? "")).map((r) => r.id)
          if (dead.length === 0) return
          yield* abandonRuns(sql, dead)
          for (const leases of leaseTables(kinds)) yield* sql`DELETE FROM ${leases} WHERE ${sql.in("run_id", dead)}`
          yield* sql`UPDATE work_claims SET expires_at = now() WHERE ${sql.in("run_id", dead)} AND done_at IS NULL`
        })

      const join = (runId: number, kinds: ReadonlyArray<AnyKind> = [movieKind]) =>
        orFail(Effect.gen(function*() {
          yield* giveUpDead(kinds)
          // One at a time: collectors started together must agree on one generation.
          return yield* sql.withTransaction(Effect.gen(function*() {
            yield* sql`SELECT pg_advisory_xact_lock(${JOIN_LOCK})`
            const live = yield* Schema.decodeUnknown(Runs)(
              yield* sql`SELECT id, collector, generation FROM collection_runs
                WHERE status = 'running' AND id <> ${runId} AND generation IS NOT NULL ORDER BY generation LIMIT 1`
            )
            const generation = live[0]?.generation ?? runId
            yield* sql`UPDATE collection_runs SET generation = ${generation}, heartbeat_at = now() WHERE id = ${runId}`
            // The units of generations no one belongs to any more.
            if (generation === runId) yield* sql`DELETE FROM work_claims WHERE expires_at < now() OR done_at IS NOT NULL`
            const started = yield* Schema.decodeUnknown(Started)(yield* sql`SELECT started_at FROM collection_runs WHERE id = ${generation}`)
            return { generation, startedAt: started[0]!.started_at }
          }))
        }))

      const heartbeat = (runId: number, kinds: ReadonlyArray<AnyKind> = [movieKind]) =>
        orFail(Effect.gen(function*() {
          const until = expiry(leaseMs)
          yield* sql`UPDATE collection_runs SET heartbeat_at = now() WHERE id = ${runId}`
          for (const leases of leaseTables(kinds)) yield* sql`UPDATE ${leases} SET expires_at = ${until} WHERE run_id = ${runId}`
          yield* sql`UPDATE work_claims SET expires_at = ${until} WHERE run_id = ${runId} AND done_at IS NULL`
        }))

      const claimUnit = (m: Membership, runId: number, unit: string) =>
        orFail(Effect.gen(function*() {
          // A unit whose holder stopped beating is taken over; a done one never is. Its own holder
          // claims it again: a claim whose commit was lost with its connection is tried again.
          const won = yield* Schema.decodeUnknown(Claimed)(
            yield* sql`INSERT INTO work_claims (unit, run_id, expires_at) VALUES (${key(m, unit)}, ${runId}, ${expiry(leaseMs)})
              ON CONFLICT (unit) DO UPDATE SET run_id = excluded.run_id, expires_at = excluded.expires_at
              WHERE work_claims.done_at IS NULL AND (work_claims.expires_at <= now() OR work_claims.run_id = excluded.run_id)
              RETURNING run_id`
          )
          if (won.length > 0) return "claimed" as const
          const row = yield* Schema.decodeUnknown(Units)(yield* sql`SELECT unit, done_at FROM work_claims WHERE unit = ${key(m, unit)}`)
          return row[0]?.done_at !== null && row[0] !== undefined ? ("done" as const) : ("held" as const)
        }))

      const finishUnit = (m: Membership, runId: number, unit: string) =>
        orFail(sql`UPDATE work_claims SET done_at = now() WHERE unit = ${key(m, unit)} AND run_id = ${runId}`)

      // One transaction, so that a claim run again after a deadlock or a dropped connection has
      // not left leases of its first try behind, held by this run and fetched by nobody.
      const claimDetails = (runId: number, policy: SelectionPolicy, n: number, rankedN: number = n, kind: AnyKind = movieKind) =>
        orFail(sql.withTransaction(Effect.gen(function*() {
          // The candidates' rows are locked, and rows another collector is claiming right now
          // skipped, so collectors claiming together take different movies instead of queueing
          // on the same ones. The lease's unique key settles the rest: a movie whose lease was
          // committed after this statement's snapshot conflicts, and is not returned.
          const { from, key, last, orphaned, priority } = pendingPriority(sql, kind, policy)
          const records = sql(kind.tables.records)
          const failures = sql(kind.tables.failures)
          const leases = sql(kind.tables.leases)
          const lease = expiry(leaseMs)
          const take = (picked: Statement.Statement<unknown>) =>
            Effect.flatMap(
              sql`WITH picked AS (${picked})
                INSERT INTO ${leases} (${key}, run_id, expires_at)
                SELECT id, ${runId}, ${lease} FROM picked
                ON CONFLICT (${key}) DO UPDATE SET run_id = excluded.run_id, expires_at = excluded.expires_at
                  WHERE ${leases}.expires_at <= now()
                RETURNING ${key} AS id`,
              (rows) => Effect.map(Schema.decodeUnknown(Ids)(rows), (ids) => ids.map((r) => r.id))
            )
          // Never fetched and never tried: the first priority, and nearly all of a first crawl of
          // the catalogue. Found through the details_fetched_at index and taken in any order,
          // without ranking a million rows at every claim.
          const fresh = yield* take(sql`
            SELECT m.${key} AS id FROM ${records} m
            WHERE m.details_fetched_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM ${failures} f WHERE f.${key} = m.${key})
              AND NOT EXISTS (SELECT 1 FROM ${leases} l WHERE l.${key} = m.${key} AND l.expires_at > now())
            LIMIT ${n}
            FOR UPDATE OF m SKIP LOCKED`)
          if (fresh.length >= n) return fresh
          // Not one more never-fetched movie: the rest is ranked, a table scan at every claim
          // (0.5 s over a million movies, measured by review), so it is claimed in larger rounds.
          const want = fresh.length === 0 ? Math.max(n, rankedN) : n
          const ranked = yield* take(sql`
            SELECT m.${key} AS id FROM ${from}
            WHERE ${priority} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ${leases} l WHERE l.${key} = m.${key} AND l.expires_at > now())
            ORDER BY ${priority}, ${last}, m.${key}
            LIMIT ${want - fresh.length}
            FOR UPDATE OF m SKIP LOCKED`)
          const ids = [...fresh, ...ranked]
          if (ids.length >= want) return ids
          // Ids /movie/changes listed that failed before they had a row: retried with priority 2.
          const orphans = yield* take(sql`
            SELECT f.${key} AS id FROM ${failures} f
            WHERE ${orphaned}
              AND NOT EXISTS (SELECT 1 FROM ${leases} l WHERE l.${key} = f.${key} AND l.expires_at > now())
            ORDER BY f.last_attempt_at, f.${key} LIMIT ${want - ids.length}`)
          return [...ids, ...orphans]
        })))

      const othersBusy = (m: Membership, runId: number, kinds: ReadonlyArray<AnyKind> = [movieKind]) =>
        orFail(Effect.gen(function*() {
          // A dead collector's work is free now rather than when its leases expire.
          yield* giveUpDead(kinds)
          const leased = leaseTables(kinds).map((leases) => sql`EXISTS (SELECT 1 FROM ${leases} WHERE run_id <> ${runId} AND expires_at > now())`)
          const rows = yield* Schema.decodeUnknown(Flag)(
            yield* sql`SELECT CASE WHEN
                ${sql.join(" OR ", false)(leased)}
                OR EXISTS (SELECT 1 FROM work_claims WHERE unit LIKE ${`g${m.generation}:%`} AND run_id <> ${runId}
                  AND done_at IS NULL AND expires_at > now())
              THEN 1 ELSE 0 END AS busy`
          )
          return rows[0]?.busy === 1
        }))

      const release = (runId: number, kinds: ReadonlyArray<AnyKind> = [movieKind]) =>
        orFail(Effect.gen(function*() {
          for (const leases of leaseTables(kinds)) yield* sql`DELETE FROM ${leases} WHERE run_id = ${runId}`
          yield* sql`UPDATE work_claims SET expires_at = now() WHERE run_id = ${runId} AND done_at IS NULL`
          // The last to finish leaves collection_runs saying which of the others died.
          yield* giveUpDead(kinds)
        }))

      return { leaseMs, join, heartbeat, claimUnit, finishUnit, claimDetails, othersBusy, release }
    })
  )
