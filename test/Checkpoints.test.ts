import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Layer, Logger, LogLevel } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { CheckpointsLive } from "../layers/Checkpoints.js"
import { SqlLive } from "../layers/Sql.js"
import { tmpDir } from "./support/cli.js"

// The write-ahead log is copied back into the database by a worker thread's connection, so the
// collector's COMMITs never carry a checkpoint (layers/Checkpoints.ts).

const PAGE = 4096
/** The write-ahead log's size once it restarts (layers/Sql.ts, journal_size_limit). */
const LIMIT = 16 * 1024 * 1024
const blob = Buffer.alloc(PAGE, 7)

/** `rows` rows from id `from`, a page of blob each, in transactions of 100: 1.3 pages of log a row. */
const fill = (from: number, rows: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body BLOB)`
    for (let i = from; i < from + rows; i += 100) {
      yield* sql.withTransaction(
        Effect.forEach(Array.from({ length: 100 }, (_, j) => i + j), (id) => sql`INSERT INTO filler ${sql.insert({ id, body: blob })}`, { discard: true })
      )
    }
  })

const autocheckpoint = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`)

/** Waits, in real time, until `test` holds; the worker runs on its own thread and clock. */
const eventuallyEffect = <E, R>(test: Effect.Effect<boolean, E, R>, what: string) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 20_000
    while (!(yield* test)) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`never: ${what}`))
      yield* Effect.sleep("50 millis")
    }
  })

const eventually = (test: () => boolean, what: string) => eventuallyEffect(Effect.sync(test), what)

describe("checkpoints off the event loop", () => {
  it.live("a worker copies the log into the database, and closing leaves no log behind", () =>
    Effect.gen(function*() {
      const file = path.join(tmpDir("ckpt-"), "movies.sqlite")
      const before = yield* Effect.scoped(Effect.gen(function*() {
        const layer = yield* Layer.build(SqlLive(file))
        const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => Effect.provide(effect, layer)
        expect((yield* run(autocheckpoint))[0]!.wal_autocheckpoint).toBe(1000)
        // 1,000 rows, about 1,300 pages of log with their overflow pages: SQLite checkpoints once at
        // 1,000 pages, and the log, now past 4 MB, starts the worker.
        yield* run(fill(0, 1000))
        yield* eventuallyEffect(Effect.map(run(autocheckpoint), (rows) => rows[0]!.wal_autocheckpoint === 4000), "the worker started")
        // 400 rows more, about 520 pages: the collector's connection now waits for 4,000 pages, so
        // only the worker can copy them into the database file.
        const size = fs.statSync(file).size
        yield* run(fill(1000, 400))
        yield* eventually(() => fs.statSync(file).size >= size + 400 * PAGE, "the database file grew by the 400 pages")
        return size
      }))
      expect(fs.existsSync(`${file}-wal`)).toBe(false)
      const db = new Database(file, { readonly: true })
      try {
        expect(db.pragma("integrity_check", { simple: true })).toBe("ok")
        expect((db.prepare("SELECT count(*) AS n FROM filler").get() as { n: number }).n).toBe(1400)
      } finally {
        db.close()
      }
      expect(fs.statSync(file).size).toBeGreaterThan(before)
    }), 60_000)

  it.live("a worker that fails is reported in one warning, and the collector checkpoints again", () =>
    Effect.gen(function*() {
      const dir = tmpDir("ckpt-")
      // A log past 4 MB beside a database that is not there: the worker starts, cannot open it, ends.
      const missing = path.join(dir, "gone.sqlite")
      fs.writeFileSync(`${missing}-wal`, Buffer.alloc(5 * 1024 * 1024))
      const warnings: Array<string> = []
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ logLevel, message }) => logLevel === LogLevel.Warning && warnings.push(String(message)))
      )
      yield* Effect.scoped(Effect.gen(function*() {
        const layer = yield* Layer.build(Layer.provideMerge(CheckpointsLive(missing), SqlLive(path.join(dir, "movies.sqlite"))))
        yield* eventually(() => warnings.length > 0, "a warning")
        expect(warnings).toEqual([
          expect.stringMatching(new RegExp(`^the thread checkpointing ${missing} stopped \\(.+\\); the collector checkpoints it itself`))
        ])
        expect((yield* Effect.provide(autocheckpoint, layer))[0]!.wal_autocheckpoint).toBe(1000)
      })).pipe(Effect.provide(logger))
    }), 30_000)

  it.live("a database that writes little never starts the thread", () =>
    Effect.gen(function*() {
      const file = path.join(tmpDir("ckpt-"), "movies.sqlite")
      yield* Effect.scoped(Effect.gen(function*() {
        const layer = yield* Layer.build(SqlLive(file))
        yield* Effect.provide(fill(0, 100), layer)
        yield* Effect.sleep("1200 millis")
        expect((yield* Effect.provide(autocheckpoint, layer))[0]!.wal_autocheckpoint).toBe(1000)
      }))
      expect(fs.existsSync(`${file}-wal`)).toBe(false)
    }), 30_000)

  it.live(
    "a reader that keeps a transaction open: the log grows while it does, and is cut back to 16 MiB once it is done",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const file = path.join(tmpDir("ckpt-"), "movies.sqlite")
        const layer = yield* Layer.build(SqlLive(file))
        const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => Effect.provide(effect, layer)
        const wal = () => fs.statSync(`${file}-wal`).size
        yield* run(fill(0, 100))
        // An analyst's shell in the middle of a long read: no checkpoint may go past its snapshot.
        const reader = new Database(file)
        reader.prepare("BEGIN").run()
        reader.prepare("SELECT count(*) FROM filler").get()
        // About 5,200 pages, 21 MiB of log, all written while the reader holds it.
        yield* run(fill(100, 4000))
        expect(wal()).toBeGreaterThan(LIMIT)
        reader.prepare("COMMIT").run()
        reader.close()
        // Once the log is copied back, the next write starts it over and truncates the file.
        let next = 4100
        const write = Effect.suspend(() => run(fill((next += 100) - 100, 100)))
        yield* eventuallyEffect(Effect.map(write, () => wal() <= LIMIT), "the log was truncated")
      })),
    60_000
  )
})
