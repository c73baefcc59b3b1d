import Database from "better-sqlite3"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { RenormalizeLive } from "../layers/Main.js"
import { PgLive } from "../layers/Pg.js"
import { SqlLive } from "../layers/Sql.js"
import { MovieRepository } from "../services/MovieRepository.js"
import type { CollectionSummary } from "../src/Collection.js"
import { databaseTarget } from "../src/Database.js"
import { ddl } from "../src/schema/Dialect.js"
import { sandboxes } from "./support/sandbox.js"
import { connect, databases, requireServer } from "./support/services.js"
import { toyKind, toyTables, toyWorld } from "./support/toy.js"
import { collect } from "./support/workflow.js"

// The core is generic over kinds of record (src/RecordKind.ts): a kind defined here alone, with
// its own sandbox routes and tables, runs through the real workflow (`Collector.run` over
// `MainLive`, as the CLI composes it) alone on SQLite and as two collectors on PostgreSQL.

const sandbox = sandboxes()
const database = databases()
const pgUp = await requireServer("PostgreSQL", "the toy kind on PostgreSQL")

// Toys 1-40 are in the export; 41-46 are new, known only from /toy/changes. Every 9th is gone
// (404), 20 and 44 answer a body that is not a toy.
const LISTED = Array.from({ length: 40 }, (_, i) => i + 1)
const FRESH = [41, 42, 43, 44, 45, 46]
const gone = (id: number) => id % 9 === 0
const BROKEN = new Set([20, 44])

const world = async () => {
  const names = new Map([...LISTED, ...FRESH].filter((id) => !gone(id)).map((id) => [id, `Toy ${id}`]))
  const toys = toyWorld(LISTED, names, BROKEN)
  for (const id of FRESH) toys.changed.add(id)
  return { ...toys, names, s: await sandbox({ routes: toys.routes }) }
}

type Row = Record<string, unknown>
const sqliteStore = () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "toy-")), "toys.sqlite")
  const read = (query: string) => {
    const db = new Database(file, { readonly: true })
    try {
      return db.prepare(query).all() as Array<Row>
    } finally {
      db.close()
    }
  }
  return { file, read }
}

/** `--renormalize` of the toys alone, over the store as the CLI opens it. */
const renormalizeKinds = (db: string) =>
  Effect.runPromise(
    Effect.flatMap(MovieRepository, (repo) => repo.renormalize(undefined, [toyKind])).pipe(
      Effect.provide(RenormalizeLive(Either.getOrThrow(databaseTarget(db))))
    )
  )

/** The store's own schema (migrated as a run would), and the toy tables beside it, in its dialect's types. */
const createTables = (db: string) => {
  const target = Either.getOrThrow(databaseTarget(db))
  const store = target._tag === "sqlite" ? SqlLive(target.path) : PgLive(target.url, target.display)
  return Effect.runPromise(ddl(...toyTables).pipe(Effect.provide(store)))
}

const expectTruth = (toys: ReadonlyArray<Row>, failures: ReadonlyArray<Row>, names: ReadonlyMap<number, string>) => {
  const stored = new Map(toys.map((t) => [Number(t["toy_id"]), t]))
  // Every toy TMDB serves is stored under the name its details give, fetched, not removed.
  for (const [id, name] of names) {
    if (BROKEN.has(id)) continue
    expect(stored.get(id)).toEqual(expect.objectContaining({ name, removed_at: null }))
    expect(stored.get(id)?.["details_fetched_at"]).not.toBeNull()
  }
  // Gone from TMDB: an exported toy keeps its row, marked removed; a fresh one has only its failure.
  for (const id of LISTED.filter(gone)) expect(stored.get(id)?.["removed_at"]).not.toBeNull()
  for (const id of FRESH.filter(gone)) expect(stored.has(id)).toBe(false)
  expect(failures.map((f) => [Number(f["toy_id"]), f["kind"]])).toEqual(
    [...LISTED, ...FRESH].filter((id) => gone(id) || BROKEN.has(id)).map((id) => [id, gone(id) ? "not_found" : "decode"])
  )
  expect(stored.size).toBe(LISTED.length + FRESH.filter((id) => !gone(id) && !BROKEN.has(id)).length)
}

const expectToySummary = (summary: CollectionSummary) => {
  const toy = summary.kinds["toy"]!
  expect(toy.export).toEqual(expect.objectContaining({ files: [expect.stringMatching(/^toy_ids_\d\d_\d\d_\d{4}\.json\.gz$/)], lines: 40, kept: 40, new: 40 }))
  expect(toy.changes).toEqual(expect.objectContaining({ status: "read", new: FRESH.length }))
  expect(toy.detailsFetched).toBe(LISTED.length + FRESH.length - 7)
  expect(toy.failed).toEqual({ not_found: 5, decode: 2 })
  expect(toy.removed).toBe(4)
  expect(Object.keys(summary.kinds)).toEqual(["toy"])
}

describe("a kind of record defined outside the core", () => {
  it("alone on SQLite: its export, changes and details are stored in its tables; a rerun fetches only what changed today", async () => {
    const { changed, names, s, served } = await world()
    const store = sqliteStore()
    await createTables(store.file)
    const first = await collect(s, store.file, { all: true, kinds: [toyKind] })
    expectToySummary(first)
    expectTruth(store.read("SELECT * FROM toys"), store.read("SELECT * FROM toy_failures ORDER BY toy_id"), names)
    expect([...served.values()].every((n) => n === 1)).toBe(true)
    expect(s.counters.byEndpoint["movie"] ?? 0).toBe(0)
    expect(store.read("SELECT count(*) AS n FROM movies")).toEqual([{ n: 0 }])
    expect(store.read("SELECT name FROM sync_marks ORDER BY name").map((r) => r["name"])).toEqual(["toy:changes", "toy:exports_since"])

    // Changes carry dates: what today's feed lists is asked for again (a gone one too: it may be
    // back), nothing else; toy 5, renamed, is stored anew.
    served.clear()
    names.set(5, "Toy five")
    changed.add(5)
    const second = await collect(s, store.file, { all: true, kinds: [toyKind] })
    const today = [...changed].sort((a, b) => a - b)
    expect([...served.keys()].sort((a, b) => a - b)).toEqual(today)
    expect(second.kinds["toy"]?.detailsFetched).toBe(today.filter((id) => names.has(id) && !BROKEN.has(id)).length)
    expect(store.read("SELECT name FROM toys WHERE toy_id = 5")).toEqual([{ name: "Toy five" }])

    // --renormalize over the kind: its rows rebuilt from the bodies it kept, with no request.
    served.clear()
    const scribbled = new Database(store.file)
    scribbled.exec("UPDATE toys SET name = 'scribbled'")
    scribbled.close()
    const rebuilt = await renormalizeKinds(store.file)
    expect(rebuilt).toEqual({ movies: 0, kinds: { toy: LISTED.length + FRESH.length - 7 }, failed: [] })
    expect(served.size).toBe(0)
    const names5 = store.read("SELECT toy_id, name FROM toys WHERE details_fetched_at IS NOT NULL ORDER BY toy_id")
    expect(names5.every((t) => t["name"] === names.get(Number(t["toy_id"])))).toBe(true)
  })

  it.runIf(pgUp)("two collectors on PostgreSQL share it through its own leases: every toy fetched once, the tables equal the truth", async () => {
    const { names, s, served } = await world()
    const db = await database("toy")
    await createTables(db.url)
    const client = await connect(db.url)
    try {
      const runs = await Promise.all([1, 2].map(() => collect(s, db.url, { all: true, kinds: [toyKind] }, { client: { maxConcurrent: 3 } })))
      expect([...served.values()].every((n) => n === 1)).toBe(true)
      expect(runs.reduce((n, r) => n + (r.kinds["toy"]?.detailsChosen ?? 0), 0)).toBe(LISTED.length + FRESH.length)
      expectTruth(
        (await client.query("SELECT * FROM toys")).rows,
        (await client.query("SELECT * FROM toy_failures ORDER BY toy_id")).rows,
        names
      )
      expect((await client.query("SELECT count(*) AS n FROM toy_leases")).rows).toEqual([{ n: 0 }])
    } finally {
      await client.end()
    }
  })
})
