import * as fs from "node:fs"
import * as nodePath from "node:path"
import { DatabaseError } from "../src/Database.js"

// SQLite says SQLITE_FULL when the disk is full, when the database reached its max_page_count
// (a setting of the connection, which nothing outside it can read) and when the disk of its
// temporary files is full. The person who has to free space needs to know which disk: the free
// space left on the database's tells the first from the others.

// A write that fails for want of space leaves little behind: more free than this, and the limit
// was the database's own.
const SPACE_LEFT = 16 * 1024 * 1024

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/** The mount that holds `dir`, as `/dev/sda1 at /work` (from /proc/self/mounts; Linux), or undefined. */
const mountOf = (dir: string): string | undefined => {
  try {
    const real = fs.realpathSync(dir)
    // Fields are space-separated, with spaces in paths written as \040.
    const unescape = (field: string) => field.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    const mounts = fs.readFileSync("/proc/self/mounts", "utf8").split("\n").map((line) => line.split(" ").map(unescape))
    const holding = mounts
      .filter(([, point]) => point !== undefined && (real === point || real.startsWith(point === "/" ? "/" : `${point}/`)))
      .sort((a, b) => b[1]!.length - a[1]!.length)[0]
    return holding === undefined ? undefined : `${holding[0]} at ${holding[1]}`
  } catch {
    return undefined
  }
}

/** A `full` error about `filename`, saying whether its disk is full (and which) or its max_page_count was reached. */
export const explainFull = (filename: string, error: DatabaseError): DatabaseError => {
  if (error.problem !== "full") return error
  const dir = nodePath.dirname(nodePath.resolve(filename))
  let free: number | undefined
  try {
    const stats = fs.statfsSync(dir)
    free = stats.bavail * stats.bsize
  } catch {
    free = undefined
  }
  if (free !== undefined && free > SPACE_LEFT) {
    return new DatabaseError({
      ...error,
      message: `database ${filename} is full: SQLite could not grow it, with ${
        mib(free)
      } free on its disk (its max_page_count, or the disk of its temporary files)`
    })
  }
  const disk = mountOf(dir) ?? dir
  const left = free === undefined ? "" : `, ${mib(free)} free`
  return new DatabaseError({ ...error, message: `database ${filename} is full: the disk it is on is full (${disk}${left}); free some space and run again` })
}
