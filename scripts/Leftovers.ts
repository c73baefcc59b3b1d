import { Effect } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { acquireCollectorLock } from "../layers/Lock.js"

// What a run creates beside the database: SQLite's WAL, shared memory and rollback journal, and
// the collector lock with its owner note (layers/Lock.ts).
const filesOf = (db: string) => [db, `${db}-wal`, `${db}-shm`, `${db}-journal`, `${db}.lock`, `${db}.lock.owner`]

export interface BeforeRun {
  readonly db: string
  readonly existed: ReadonlySet<string>
  /** Folders the run may create for the database, deepest first. */
  readonly missingFolders: ReadonlyArray<string>
}

/** What is on disk for `db` before a run. */
export const beforeRun = (db: string): BeforeRun => {
  const missingFolders: Array<string> = []
  for (let dir = nodePath.dirname(nodePath.resolve(db)); !fs.existsSync(dir); dir = nodePath.dirname(dir)) missingFolders.push(dir)
  return { db, existed: new Set(filesOf(db).filter((f) => fs.existsSync(f))), missingFolders }
}

/**
 * Takes back what a run that reached nothing created: the database (which holds only a failed
 * run), its WAL and lock files, and the folders made for it. Never a database that existed
 * before. Done under the collector lock, so a collector that has started on the same path since
 * keeps its files: while it holds the lock, nothing is removed.
 */
export const removeWhatTheRunCreated = (before: BeforeRun): Effect.Effect<void> => {
  if (before.existed.has(before.db)) return Effect.void
  const created = () => filesOf(before.db).filter((f) => !before.existed.has(f) && fs.existsSync(f))
  if (created().length === 0) return Effect.void
  return Effect.scoped(
    Effect.flatMap(acquireCollectorLock(before.db), () =>
      Effect.sync(() => {
        for (const file of created()) {
          try {
            fs.rmSync(file, { force: true })
          } catch {
            // Best effort: a file that cannot go stays, as it would have without this.
          }
        }
        for (const dir of before.missingFolders) {
          try {
            fs.rmdirSync(dir)
          } catch {
            return // not empty, or not made by this run
          }
        }
      }))
  ).pipe(Effect.ignore)
}
