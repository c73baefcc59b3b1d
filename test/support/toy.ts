import type { SqlClient } from "@effect/sql"
import { Effect, Either } from "effect"
import * as zlib from "node:zlib"
import { json, notFound } from "../../sandbox/Bodies.js"
import type { SandboxRoutes } from "../../sandbox/index.js"
import { datedExportFile } from "../../src/Catalogue.js"
import { compressBody, writePayloads } from "../../src/Payloads.js"
import { recordKind } from "../../src/RecordKind.js"
import { table } from "../../src/schema/Dialect.js"

// A second kind of record, made up for the test of the generic core: toys, with a daily ID export
// (`toy_ids_MM_DD_YYYY.json.gz`), a changes feed (/toy/changes) and a details request (/toy/{id}),
// served by routes mounted on the sandbox, stored in tables of their own. Nothing in the workflow
// knows of toys: this file is all there is of them.

interface Toy {
  readonly id: number
  readonly name: string
  /** The body as TMDB sent it, kept in `toy_payloads`. */
  readonly body?: string
}

const PAYLOADS = { table: "toy_payloads", key: "toy_id" }

const writeToys = (sql: SqlClient.SqlClient, toys: ReadonlyArray<Toy>, at: string) =>
  sql`INSERT INTO toys ${sql.insert(toys.map((t) => ({ toy_id: t.id, name: t.name, details_fetched_at: at })))}
    ON CONFLICT (toy_id) DO UPDATE SET name = excluded.name, details_fetched_at = excluded.details_fetched_at`

/** The kind's tables, in both dialects' types, with the columns every kind's records table has. */
export const toyTables = [
  table("toys", "line", [
    "toy_id int PRIMARY KEY",
    "name text NOT NULL",
    "details_fetched_at instant",
    "removed_at instant",
    "exported_on date",
    "changed_at instant"
  ]),
  table("toy_failures", "line", [
    "toy_id int PRIMARY KEY",
    "kind text NOT NULL",
    "message text NOT NULL",
    "attempts int NOT NULL",
    "last_attempt_at instant NOT NULL"
  ]),
  table("toy_leases", "line", ["toy_id int PRIMARY KEY", "run_id bigint NOT NULL", "expires_at instant NOT NULL"]),
  table("toy_payloads", "line", [
    "toy_id int PRIMARY KEY",
    "fetched_at instant NOT NULL",
    "body bytes NOT NULL",
    "encoding text NOT NULL",
    "append text NOT NULL"
  ])
]

const decodeToy = (value: unknown): Either.Either<Toy, string> => {
  const o = value as { id?: unknown; name?: unknown } | null
  return typeof o?.id === "number" && Number.isInteger(o.id) && o.id > 0 && typeof o.name === "string"
    ? Either.right({ id: o.id, name: o.name })
    : Either.left(`not a toy: ${JSON.stringify(value)}`)
}

export const toyKind = recordKind({
  name: "toy",
  tables: { records: "toys", key: "toy_id", failures: "toy_failures", leases: "toy_leases" },
  exports: {
    files: () => ["toy_ids"],
    parse: (text) => {
      try {
        return decodeToy(JSON.parse(text))
      } catch {
        return Either.left("not JSON")
      }
    },
    keeps: () => true,
    // Named by the export until details arrive.
    row: (line) => ({ name: line.name })
  },
  changes: "/toy/changes",
  details: {
    path: (id) => `/toy/${id}`,
    // Toys have no sub-resources: the movies' appends are not theirs to send.
    append: () => Either.right([]),
    decode: (json, body) => Either.map(decodeToy(json), (toy) => ({ ...toy, body }))
  },
  idOf: (toy: Toy) => toy.id,
  write: (sql, toys, at) =>
    Effect.zipRight(
      writeToys(sql, toys, at),
      writePayloads(sql, PAYLOADS, toys.map((t) => ({ id: t.id, body: compressBody(t.body ?? ""), fetchedAt: at, append: [] })))
    ),
  payloads: {
    table: PAYLOADS.table,
    rebuild: (sql, decoded) => Effect.forEach(decoded, ({ fetchedAt, record }) => writeToys(sql, [record], fetchedAt), { discard: true })
  }
})

/**
 * TMDB's toys, as the sandbox serves them: `listed` in today's export, `names` what /toy/{id}
 * answers (an id with none answers 404; `broken` ids answer a body that is no toy), `changed`
 * what /toy/changes lists for today. Counts every details request by id.
 */
export const toyWorld = (listed: ReadonlyArray<number>, names: Map<number, string>, broken: ReadonlySet<number>) => {
  const changed = new Set<number>()
  const served = new Map<number, number>()
  const today = () => new Date().toISOString().slice(0, 10)
  const routes: SandboxRoutes = {
    api: (path, params) => {
      if (path === "/3/toy/changes") {
        // Every change is today's: an earlier window lists none.
        const listsToday = (params.get("start_date") ?? today()) <= today() && today() <= (params.get("end_date") ?? today())
        const results = listsToday ? [...changed].map((id) => ({ id, adult: false })) : []
        return json(200, { results, page: 1, total_pages: 1, total_results: results.length })
      }
      const id = /^\/3\/toy\/(\d+)$/.exec(path)?.[1]
      if (id === undefined) return undefined
      served.set(Number(id), (served.get(Number(id)) ?? 0) + 1)
      if (broken.has(Number(id))) return json(200, { id: Number(id), title: "a movie, not a toy" })
      const name = names.get(Number(id))
      return name === undefined ? notFound(true) : json(200, { id: Number(id), name })
    },
    file: (name) =>
      name === datedExportFile("toy_ids", today())
        ? zlib.gzipSync(listed.map((id) => JSON.stringify({ id, name: `listed ${id}` })).join("\n") + "\n")
        : undefined
  }
  return { routes, changed, served }
}
