import { SqlClient } from "@effect/sql"
import { Duration, Effect, Layer, Schedule } from "effect"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"

// In WAL mode SQLite copies the log back into the database (a checkpoint) inside the COMMIT that
// takes the log past 1,000 pages, in the committing connection (https://www.sqlite.org/wal.html,
// "Automatic Checkpoint"): megabytes copied and two fsyncs under `synchronous = NORMAL`, tens of
// milliseconds with the event loop held, the longest blocks of a write. Here a worker thread with
// a connection of its own checkpoints instead, PASSIVE: it neither waits for nor blocks a writer
// (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html). Checkpointing a few times a second keeps
// the log small; the collector's own connection checkpoints only past SPARE_PAGES, which it
// reaches only if the worker falls behind. If the worker stops, that connection goes back to
// SQLite's 1,000 pages: only the delay changes. BENCHMARKS.md (storage) has the loop's delay.

const EVERY = Duration.millis(250)
const SPARE_PAGES = 4000
const SQLITE_PAGES = 1000
// SQLite's first checkpoint comes when the log reaches 1,000 pages, about 4 MB: a run that writes
// less has nothing to gain from the thread (its start-up, and 4-7 MB of peak memory in the CLI:
// BENCHMARKS.md). A run that writes more pays for that first checkpoint in its COMMIT, once.
const START_AT_BYTES = 4 * 1024 * 1024
const LOOK_EVERY = Duration.millis(250)
const STOP_WITHIN = Duration.seconds(5)

// A failed checkpoint is left to the next one: the collector's own connection meets the same
// fault (a full disk, a lock) in its next statement and reports it.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads")
const Database = require(workerData.driver)
const db = new Database(workerData.filename, { fileMustExist: true })
const checkpoint = () => { try { db.pragma("wal_checkpoint(PASSIVE)") } catch {} }
const timer = setInterval(checkpoint, workerData.everyMs)
parentPort.once("message", () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

const walBytes = (filename: string) => Effect.promise(() => fs.promises.stat(`${filename}-wal`).then((s) => s.size, () => 0))

/** A running worker; `failure`: the error that ended it, if one did. */
interface Checkpointer {
  readonly worker: Worker
  failure?: unknown
  stopping?: boolean
}

const start = (filename: string) =>
  Effect.try({
    try: (): Checkpointer => {
      const worker = new Worker(SOURCE, {
        eval: true,
        workerData: { driver: createRequire(import.meta.url).resolve("better-sqlite3"), filename, everyMs: Duration.toMillis(EVERY) },
        resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 }
      })
      const running: Checkpointer = { worker }
      // An error (the driver would not load, the file went away) ends the worker, not the process.
      worker.on("error", (e) => running.failure = e)
      worker.unref()
      return running
    },
    catch: (e) => e
  })

const exited = (worker: Worker) =>
  Effect.async<void>((resume) => {
    if (worker.threadId === -1) return resume(Effect.void)
    const done = () => resume(Effect.void)
    worker.once("exit", done)
    return Effect.sync(() => worker.off("exit", done))
  })

// The worker closes its connection before the collector's own closes: the last connection to a
// database in WAL mode checkpoints the whole log and deletes it (https://www.sqlite.org/wal.html,
// "The WAL File"), which a connection left open in a thread would prevent. A finalizer runs
// uninterruptibly: the wait is made interruptible so that the timeout can end it.
const stop = (running: Checkpointer) =>
  Effect.sync(() => {
    running.stopping = true
    running.worker.postMessage("stop")
  }).pipe(
    Effect.zipRight(Effect.interruptible(exited(running.worker))),
    Effect.timeout(STOP_WITHIN),
    Effect.catchAll(() => Effect.promise(() => running.worker.terminate())),
    Effect.asVoid
  )

const messageOf = (e: unknown) => e instanceof Error ? e.message : String(e)

/**
 * Checkpoints `filename`'s write-ahead log from a worker thread, once the log first passes 4 MB,
 * until the layer is released. Nothing for a database in memory.
 */
export const CheckpointsLive = (filename: string): Layer.Layer<never, never, SqlClient.SqlClient> =>
  filename === ":memory:" || filename === "" ? Layer.empty : Layer.scopedDiscard(
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const threshold = (pages: number) => Effect.ignore(sql.unsafe(`PRAGMA wal_autocheckpoint = ${pages}`))
      yield* walBytes(filename).pipe(Effect.repeat({ schedule: Schedule.spaced(LOOK_EVERY), until: (bytes) => bytes >= START_AT_BYTES }))
      const running = yield* Effect.acquireRelease(start(filename), stop)
      yield* threshold(SPARE_PAGES)
      yield* exited(running.worker)
      if (running.stopping === true) return
      yield* threshold(SQLITE_PAGES)
      const why = running.failure === undefined ? "" : ` (${messageOf(running.failure)})`
      yield* Effect.logWarning(`the thread checkpointing ${filename} stopped${why}; the collector checkpoints it itself from now on`)
    }).pipe(
      Effect.catchAll((e) => Effect.logWarning(`could not start a thread to checkpoint ${filename} (${messageOf(e)}); the collector checkpoints it itself`)),
      Effect.forkScoped
    )
  )
