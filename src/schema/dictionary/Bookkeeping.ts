import { COLLECTOR } from "./Common.js"
import type { Codes, ColumnDoc, TableDoc } from "./Types.js"

// The collector's own tables: the bodies it stored, what failed, its runs, its marks and, among
// collectors sharing PostgreSQL, their claims (src/schema/Tables.ts, src/schema/Linked.ts).

/** A kind of record and the names of its tables (src/MovieKind.ts and src/kinds/Linked.ts name them). */
interface Kind {
  readonly record: string
  readonly key: string
  readonly records: string
  readonly request: string
  readonly payloads: string
  readonly failures: string
  readonly leases: string
}

const KINDS: ReadonlyArray<Kind> = [
  {
    record: "movie",
    key: "tmdb_id",
    records: "movies",
    request: "/movie/{id}",
    payloads: "movie_payloads",
    failures: "fetch_failures",
    leases: "detail_leases"
  },
  ...([["collection", "collection_id", "collections"], ["company", "company_id", "companies"], ["person", "person_id", "people"]] as const).map((
    [record, key, records]
  ): Kind => ({ record, key, records, request: `/${record}/{id}`, payloads: `${record}_payloads`, failures: `${record}_failures`, leases: `${record}_leases` }))
]

const key = (kind: Kind): ColumnDoc => ({ name: kind.key, type: "int32", meaning: `The ${kind.record}, a \`${kind.records}\` key`, source: COLLECTOR })

/** How a failed request is recorded (src/Errors.ts). */
const FAILURE_KINDS: Codes = [
  ["not_found", "404 (TMDB's codes 34 and 6): TMDB does not serve it"],
  ["unauthorized", "401: TMDB refused the key"],
  ["rate_limited", "429 after the retries were spent"],
  ["server", "5xx after the retries were spent"],
  ["transport", "no answer: the connection failed or the body was cut off"],
  ["timeout", "no complete response within the request timeout"],
  ["decode", "a JSON body of the wrong shape"],
  ["invalid_request", "another 4xx"]
]

const payloads = (kind: Kind): TableDoc => ({
  name: kind.payloads,
  about: `Each ${kind.record}'s latest \`${kind.request}\` response, byte for byte as received, compressed. Every column of \`${kind.records}\`` +
    `${kind.record === "movie" ? " and its child tables" : ""} derives from it, so \`--renormalize\` rebuilds them with no request.`,
  columns: [
    key(kind),
    { name: "fetched_at", type: "timestamp", meaning: "When the response was received", source: COLLECTOR },
    { name: "body", type: "bytes", meaning: "The response body (JSON), compressed as `encoding` says", source: `TMDB \`${kind.request}\`, the whole response` },
    {
      name: "encoding",
      type: "string",
      meaning: "How `body` is compressed; in Node, `zlib.brotliDecompressSync(body).toString()` gives the JSON back",
      codes: [["br", "brotli"]],
      source: COLLECTOR
    },
    {
      name: "append",
      type: "string",
      meaning: kind.record === "movie"
        ? "The sub-resources the request appended (`append_to_response`), comma-separated"
        : "Always `\"\"`: the request appends nothing",
      source: COLLECTOR
    }
  ]
})

const failures = (kind: Kind): TableDoc => ({
  name: kind.failures,
  about: `One row per ${kind.record} whose latest \`${kind.request}\` request failed; removed when a later one succeeds.`,
  columns: [
    key(kind),
    { name: "kind", type: "string", meaning: "Why it failed", codes: FAILURE_KINDS, source: COLLECTOR },
    { name: "message", type: "string", meaning: "What failed, in one line (never the key)", source: COLLECTOR },
    { name: "attempts", type: "int32", meaning: "Failed attempts, one per run that tried, since it last succeeded", source: COLLECTOR },
    { name: "last_attempt_at", type: "timestamp", meaning: "When the latest failed attempt was made", source: COLLECTOR }
  ]
})

const runId: ColumnDoc = { name: "run_id", type: "int64", meaning: "The holder's run, a `collection_runs` id", source: COLLECTOR }

const expiresAt = (what: string): ColumnDoc => ({
  name: "expires_at",
  type: "timestamp",
  meaning: `When the ${what} lapses, unless its holder's heartbeat (every third of \`--lease-seconds\`) moves it on first`,
  source: COLLECTOR
})

const leases = (kind: Kind): TableDoc => ({
  name: kind.leases,
  about: `A ${kind.record} claimed by one of the collectors sharing a PostgreSQL database: no other fetches it until the lease expires. ` +
    "Empty on SQLite, where one collector runs at a time.",
  columns: [key(kind), runId, expiresAt("lease")]
})

/** The tables every kind has beside its records. */
export const perKind: ReadonlyArray<TableDoc> = KINDS.flatMap((kind) => [payloads(kind), failures(kind), leases(kind)])

export const runs: TableDoc = {
  name: "collection_runs",
  about: "One row per run of the collector, from its start.",
  columns: [
    { name: "id", type: "int64", meaning: "The run's number, never reused", source: COLLECTOR },
    { name: "started_at", type: "timestamp", meaning: "When the run started", source: COLLECTOR },
    { name: "finished_at", type: "timestamp", meaning: "When the run ended; NULL while it runs, or when it was killed", source: COLLECTOR },
    {
      name: "status",
      type: "string",
      meaning: "How the run stands or ended",
      codes: [
        ["running", "not finished (or killed and not yet found by a later run)"],
        ["complete", "nothing was missed: every chosen record was attempted (exit code 0)"],
        ["incomplete", "a discover page or window or a changes page was missed: run again (exit code 3)"],
        ["failed", "stopped by a fatal problem"],
        ["interrupted", "stopped by Ctrl-C or SIGTERM (exit code 130)"],
        ["abandoned", "killed: a later run found it still marked running"]
      ],
      source: COLLECTOR
    },
    { name: "options", type: "json", meaning: "The run's options, as given and as they applied, for a person to read", source: COLLECTOR },
    {
      name: "summary",
      type: "json",
      meaning: "What the run did, as the CLI's summary says it (requests, details fetched, failures by kind, per kind of record); " +
        "NULL while it runs, JSON `null` for a failed or interrupted run",
      source: COLLECTOR
    },
    {
      name: "heartbeat_at",
      type: "timestamp",
      meaning: "The run's last sign of life: its start, then among collectors sharing PostgreSQL its latest heartbeat",
      source: COLLECTOR
    },
    { name: "collector", type: "string", meaning: "The process that ran it: `host pid boot-id/pid-namespace`", source: COLLECTOR },
    {
      name: "generation",
      type: "int64",
      meaning: "Among collectors sharing PostgreSQL: the id of the first run of the collectors started together, shared by them all; NULL on SQLite",
      source: COLLECTOR
    }
  ]
}

export const marks: TableDoc = {
  name: "sync_marks",
  about: "One row per mark: where the collector resumes reading TMDB's feeds and exports.",
  columns: [
    {
      name: "name",
      type: "string",
      meaning: "The mark; the key",
      codes: [
        ["changes", "the first day `/movie/changes` is read from next run"],
        ["exports_since", "the day of the first daily movie export this store read"],
        ["<kind>:changes", "the same for a kind's own feed (`person:changes` for `/person/changes`)"],
        ["<kind>:exports_since", "the same for a kind's own daily export (e.g. `person:exports_since`)"],
        ["<kind>:linked", "when the records stored movies name were last linked"]
      ],
      source: COLLECTOR
    },
    { name: "value", type: "string", meaning: "The mark's value: a day (`YYYY-MM-DD`) or an instant (ISO-8601), as its name says", source: COLLECTOR },
    { name: "updated_at", type: "timestamp", meaning: "When the mark was last set", source: COLLECTOR }
  ]
}

export const claims: TableDoc = {
  name: "work_claims",
  about: "A unit of work shared by the collectors started together on one PostgreSQL database, done once by whoever claims it. Empty on SQLite.",
  columns: [
    {
      name: "unit",
      type: "string",
      meaning: "`g<generation>:` and the unit: `discover:<year>:<flags>` (a year's discovery), `changes` or `catalogue` (the movies' " +
        "changes or daily export), `<kind>:changes` or `<kind>:catalogue`; the key",
      source: COLLECTOR
    },
    runId,
    expiresAt("claim"),
    { name: "done_at", type: "timestamp", meaning: "When the unit was done; NULL while it is not", source: COLLECTOR }
  ]
}
