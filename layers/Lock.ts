import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import { DatabaseError } from "../src/Database.js"
import { alive } from "../src/Process.js"
import { findErrorCode } from "../src/Wire.js"

const sqliteCode = (cause: unknown) => findErrorCode(cause, (c) => c.startsWith("SQLITE_")) ?? ""

/**
 * SQLite's own exclusive lock (fcntl on unix, LockFileEx on Windows) on `lockFile`, held until
 * the connection closes or the process dies. Timeout 0: a second opener gets SQLITE_BUSY at once,
 * also from the same process, since SQLite tracks its locks per file within a process.
 */
const lockDatabase = (lockFile: string): Database.Database => {
  const db = new Database(lockFile, { timeout: 0 })
  try {
    // Nothing in the file matters, so no journal: a kill mid-write at worst leaves it unreadable,
    // which `lockOrRepair` repairs.
    db.pragma("journal_mode = OFF")
    db.pragma("locking_mode = EXCLUSIVE")
    // In EXCLUSIVE locking mode the lock taken by BEGIN EXCLUSIVE outlives the COMMIT.
    db.exec("BEGIN EXCLUSIVE")
    db.exec("COMMIT")
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/** The held lock, or undefined when another collector holds it. */
const lockOrRepair = (lockFile: string): Database.Database | undefined => {
  for (let attempt = 0;; attempt++) {
    try {
      return lockDatabase(lockFile)
    } catch (error) {
      const code = sqliteCode(error)
      if (code.startsWith("SQLITE_BUSY")) return undefined
      const unreadable = code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")
      if (!unreadable || attempt > 0) throw error
      // A pid file from an earlier version, or a lock database torn by a kill. Nobody holds it
      // (a holder would have made us BUSY first), so empty it in place: a truncated file keeps
      // its inode, so a collector that has locked it meanwhile keeps its lock, where deleting
      // and recreating it would let two collectors lock two different files. This process holds
      // no lock on it either, which matters: closing any descriptor of a file drops all of the
      // process's fcntl locks on it, so nothing else here may open `<db>.lock` while holding it.
      fs.truncateSync(lockFile, 0)
    }
  }
}

const describeSelf = () => `pid ${process.pid}, started ${new Date(performance.timeOrigin).toISOString()} on ${os.hostname()}`

/** The owner's own description, if the sidecar names a live process; never used to decide. */
const readOwner = (ownerFile: string): string | undefined => {
  try {
    const text = fs.readFileSync(ownerFile, "utf8").trim()
    const pid = Number(/^pid (\d+),/.exec(text)?.[1])
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? text : undefined
  } catch {
    return undefined
  }
}

/**
 * One collector per database file. SQLite would keep two writers from corrupting the file, but
 * two collectors would fetch the same movies twice; the second refuses at once, naming the first.
 *
 * The lock is SQLite's exclusive lock on a separate database `<db>.lock`, so the operating
 * system drops it when the collector dies, however it dies. `<db>.lock.owner` says who holds it,
 * for the refusal message only.
 */
export const acquireCollectorLock = (db: string) => {
  const lockFile = `${db}.lock`
  const ownerFile = `${lockFile}.owner`
  const take = Effect.try({
    try: () => {
      const held = lockOrRepair(lockFile)
      if (held === undefined) return undefined
      try {
        fs.writeFileSync(ownerFile, `${describeSelf()}\n`)
      } catch {
        // Informational only: the lock is held either way.
      }
      return held
    },
    catch: (cause) =>
      new DatabaseError({
        problem: "cannot_open",
        path: db,
        message: `cannot lock ${lockFile}: ${cause instanceof Error ? cause.message : String(cause)}`
      })
  }).pipe(
    Effect.flatMap((held) => {
      if (held !== undefined) return Effect.succeed(held)
      const owner = readOwner(ownerFile)
      return Effect.fail(
        new DatabaseError({
          problem: "locked",
          path: db,
          message: `database ${db} is in use by another collector${owner === undefined ? "" : ` (${owner})`}; wait for it to finish`
        })
      )
    })
  )
  const release = (held: Database.Database) =>
    Effect.sync(() => {
      // While the lock is still held, so a successor's sidecar is never the one removed. The lock
      // file itself stays: removing it would race with a collector that has just opened it.
      try {
        if (fs.readFileSync(ownerFile, "utf8").startsWith(`pid ${process.pid},`)) fs.rmSync(ownerFile, { force: true })
      } catch {
        // already gone
      }
      held.close()
    })
  return Effect.asVoid(Effect.acquireRelease(take, release))
}

export const CollectorLock = (db: string) => Layer.scopedDiscard(acquireCollectorLock(db))
