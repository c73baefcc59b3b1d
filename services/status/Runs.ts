import type { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { DEFAULT_STALE_AFTER_DAYS } from "../../src/Defaults.js"
import { deadHere } from "../../src/Process.js"
import type { AnyKind } from "../../src/RecordKind.js"

// The runs `npm run status` lists (`collection_runs`), and on PostgreSQL the collectors alive, the
// claims they hold and their generation (services/Coordination.ts keeps them).

export interface RunLine {
  readonly id: number
  /** running, complete, incomplete, failed, interrupted or abandoned; `running` whose process is gone on this host reads `abandoned`. */
  readonly status: string
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly durationMs: number | null
  readonly requests: number | null
  readonly rateLimited: number | null
  readonly collector: string | null
}

export interface CollectorLine {
  readonly runId: number
  readonly collector: string | null
  readonly startedAt: string
  readonly heartbeatAt: string | null
  /** Shared units it holds (a year's discovery, a kind's changes). */
  readonly units: ReadonlyArray<string>
  /** Records it has leased for details, by kind. */
  readonly leases: Record<string, number>
}

export interface CollectorsStatus {
  /** The generation the live collectors share; the last one when none is alive. */
  readonly generation: number | null
  readonly alive: ReadonlyArray<CollectorLine>
}

const RunRows = Schema.Array(Schema.Struct({
  id: Schema.Number,
  started_at: Schema.String,
  finished_at: Schema.NullOr(Schema.String),
  status: Schema.String,
  collector: Schema.NullOr(Schema.String),
  options: Schema.NullOr(Schema.String),
  summary: Schema.NullOr(Schema.String)
}))
const Summary = Schema.parseJson(Schema.Struct({
  requests: Schema.optional(Schema.Number),
  rateLimited: Schema.optional(Schema.Number),
  durationMs: Schema.optional(Schema.Number)
}))
const Options = Schema.parseJson(Schema.Struct({ staleAfterDays: Schema.optional(Schema.Number) }))
const Alive = Schema.Array(Schema.Struct({
  id: Schema.Number,
  collector: Schema.NullOr(Schema.String),
  started_at: Schema.String,
  heartbeat_at: Schema.NullOr(Schema.String),
  generation: Schema.NullOr(Schema.Number)
}))
const Units = Schema.Array(Schema.Struct({ run_id: Schema.Number, unit: Schema.String }))
const Leased = Schema.Array(Schema.Struct({ run_id: Schema.Number, n: Schema.Number }))
const Generation = Schema.Array(Schema.Struct({ generation: Schema.NullOr(Schema.Number) }))

// A summary or options written by another version may lack a field or not parse: it shows as unknown.
const parsed = <A, I>(schema: Schema.Schema<A, I>, text: string | null) => text === null ? Option.none() : Schema.decodeUnknownOption(schema)(text)

/** The last `n` runs, newest first, and the stale rule of the newest (its `--stale-after-days`). */
export const lastRuns = (sql: SqlClient.SqlClient, n: number) =>
  Effect.gen(function*() {
    const rows = yield* Schema.decodeUnknown(RunRows)(
      yield* sql`SELECT id, started_at, finished_at, status, collector, options, summary FROM collection_runs ORDER BY id DESC LIMIT ${n}`
    )
    const runs = rows.map((row): RunLine => {
      const summary = Option.getOrUndefined(parsed(Summary, row.summary))
      const ended = row.finished_at === null ? undefined : Date.parse(row.finished_at) - Date.parse(row.started_at)
      return {
        id: row.id,
        // SQLite's lock lets one collector in, so a run left `running` by a killed process stays so until the next run starts.
        status: row.status === "running" && deadHere(row.collector ?? "") ? "abandoned" : row.status,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        durationMs: summary?.durationMs ?? ended ?? null,
        requests: summary?.requests ?? null,
        rateLimited: summary?.rateLimited ?? null,
        collector: row.collector
      }
    })
    const options = Option.getOrUndefined(parsed(Options, rows[0]?.options ?? null))
    return { runs, staleAfterDays: options?.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS }
  })

/**
 * PostgreSQL: the collectors whose heartbeat is younger than `leaseSeconds` (the rule
 * Coordination gives up the dead by), with what they hold, by the database's clock.
 */
export const collectors = (sql: SqlClient.SqlClient, kinds: ReadonlyArray<AnyKind>, leaseSeconds: number) =>
  Effect.gen(function*() {
    const alive = yield* Schema.decodeUnknown(Alive)(
      yield* sql`SELECT id, collector, started_at, heartbeat_at, generation FROM collection_runs
        WHERE status = 'running' AND heartbeat_at >= now() - make_interval(secs => CAST(${leaseSeconds} AS double precision))
        ORDER BY id`
    )
    const units = yield* Schema.decodeUnknown(Units)(
      yield* sql`SELECT run_id, unit FROM work_claims WHERE done_at IS NULL AND expires_at > now() ORDER BY unit`
    )
    const leases: Array<{ readonly kind: string; readonly rows: typeof Leased.Type }> = []
    for (const kind of kinds) {
      const rows = yield* Schema.decodeUnknown(Leased)(
        yield* sql`SELECT run_id, count(*) AS n FROM ${sql(kind.tables.leases)} WHERE expires_at > now() GROUP BY run_id`
      )
      leases.push({ kind: kind.name, rows })
    }
    const [last] = yield* Schema.decodeUnknown(Generation)(yield* sql`SELECT max(generation) AS generation FROM collection_runs`)
    return {
      generation: alive.find((run) => run.generation !== null)?.generation ?? last?.generation ?? null,
      alive: alive.map((run): CollectorLine => ({
        runId: run.id,
        collector: run.collector,
        startedAt: run.started_at,
        heartbeatAt: run.heartbeat_at,
        // A unit's key is `g<generation>:<unit>`: the unit is what a person reads.
        units: units.filter((u) => u.run_id === run.id).map((u) => u.unit.replace(/^g\d+:/, "")),
        leases: Object.fromEntries(leases.flatMap(({ kind, rows }) => rows.filter((r) => r.run_id === run.id).map((r) => [kind, r.n])))
      }))
    } satisfies CollectorsStatus
  })
