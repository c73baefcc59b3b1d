import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import { DatabaseError } from "../src/Database.js"

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * One collector per database file. SQLite would keep two writers from corrupting the file, but
 * two collectors would fetch the same movies twice; the second refuses at once, with the first
 * one's pid. A lock left by a killed collector (its pid is gone) is taken over.
 */
export const acquireCollectorLock = (db: string) => {
  const lockFile = `${db}.lock`
  const take = Effect.try({
    try: () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" })
          return undefined
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
          const text = fs.readFileSync(lockFile, "utf8").trim()
          // Empty: another collector created it an instant ago and has not written its pid yet.
          if (text === "") return "starting"
          const owner = Number(text)
          if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) return owner
          fs.rmSync(lockFile, { force: true }) // stale: its collector was killed
        }
      }
      throw new Error("could not take the lock")
    },
    catch: (cause) =>
      new DatabaseError({ problem: "cannot_open", path: db, message: `cannot lock ${lockFile}: ${String(cause)}` })
  }).pipe(
    Effect.flatMap((owner) =>
      owner === undefined
        ? Effect.void
        : Effect.fail(
          new DatabaseError({
            problem: "locked",
            path: db,
            message: `database ${db} is in use by another collector${owner === "starting" ? "" : ` (pid ${owner})`}; wait for it to finish`
          })
        )
    )
  )
  const release = Effect.sync(() => {
    try {
      if (fs.readFileSync(lockFile, "utf8").trim() === String(process.pid)) fs.rmSync(lockFile, { force: true })
    } catch {
      // already gone
    }
  })
  return Effect.acquireRelease(take, () => release)
}

export const CollectorLock = (db: string) => Layer.scopedDiscard(acquireCollectorLock(db))
