import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import type { Sandbox } from "../sandbox/index.js"
import { readDb, runCli, startCli, tmpDir, waitFor } from "./support/cli.js"
import { cliEnv, expectExact, sandboxes } from "./support/sandbox.js"

// Issue 25 §4: the disk fills under a running collector. A real filesystem of its own (tmpfs,
// mounted here), filled to its last megabyte by another file while the collector fetches details,
// as a disk fills in life: SQLite then fails to grow its write-ahead log, first at a COMMIT.

const sandbox = sandboxes({ catalogue: { seed: 9, startYear: 2020, endYear: 2020, perYear: 600 } })
const YEAR = ["--start-year", "2020", "--end-year", "2020", "--min-vote-count", "0", "--rps", "500", "--burst", "50", "--concurrency", "10"]
const QUERY = { startYear: 2020, endYear: 2020, minVoteCount: 0 }

/** A 64 MiB tmpfs of this test's own; undefined where this process may not mount (not root). */
const mountTmpfs = (): string | undefined => {
  const dir = tmpDir("disk-")
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", dir], { stdio: "pipe" })
    return dir
  } catch (error) {
    if (process.env["CI"] === "true") throw new Error(`CI=true, and this machine cannot mount a tmpfs for the full-disk test: ${String(error)}`)
    console.warn("skipping the full-disk test: mounting a tmpfs needs root")
    return undefined
  }
}
const mounted: Array<string> = []
afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync("umount", ["-l", dir])
})

const freeBytes = (dir: string) => {
  const s = fs.statfsSync(dir)
  return s.bavail * s.bsize
}

/** Once the collector has fetched 100 details, another file takes all of `dir`'s disk but its last megabyte; its path. */
const fillWhileFetching = async (s: Sandbox, dir: string) => {
  await waitFor(() => s.counters.detailsServed.size >= 100)
  const filler = path.join(dir, "filler")
  fs.writeFileSync(filler, Buffer.alloc(freeBytes(dir) - 1024 * 1024))
  return filler
}

describe("a disk that fills", () => {
  it("stops the run in one line naming the disk and the database; once space is freed, the next completes with at most the concurrency's refetches", async () => {
    const dir = mountTmpfs()
    if (dir === undefined) return
    mounted.push(dir)
    const s = await sandbox()
    const db = path.join(dir, "movies.sqlite")
    // The disk fills while details are written.
    const run = startCli([...YEAR, "--db", db], cliEnv(s))
    const filler = await fillWhileFetching(s, dir)
    const full = await run.done
    expect(full.code).toBe(1)
    const lines = full.stderr.trim().split("\n")
    expect(lines.at(-1)).toMatch(
      new RegExp(`^database ${db} is full: the disk it is on is full \\(tmpfs at ${dir}, \\d+\\.\\d MiB free\\); free some space and run again$`)
    )
    expect(full.stderr).not.toMatch(/internal error|SqlError|\bat .+:\d+:\d+/)
    expect(readDb(db).integrity).toBe("ok")

    fs.rmSync(filler)
    const rerun = await runCli([...YEAR, "--db", db], cliEnv(s))
    expect(rerun.code).toBe(0)
    expectExact(db, s, QUERY)
    // Only what was fetched and not yet committed when the disk filled is fetched again.
    const refetched = [...s.counters.detailsServed.values()].filter((n) => n > 1).length
    expect(refetched).toBeLessThanOrEqual(10)
  })

  it("in --watch, costs a run, not the process: the next run after space is freed completes", async () => {
    const dir = mountTmpfs()
    if (dir === undefined) return
    mounted.push(dir)
    const s = await sandbox()
    const db = path.join(dir, "movies.sqlite")
    const run = startCli([...YEAR, "--db", db, "--watch", "--every", "1s"], cliEnv(s))
    let stderr = ""
    run.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
    const filler = await fillWhileFetching(s, dir)
    await waitFor(() => /Run failed: database .* is full: the disk it is on is full/.test(stderr))
    expect(run.child.exitCode).toBeNull()
    fs.rmSync(filler)
    await waitFor(() => /Next run at/.test(stderr.slice(stderr.indexOf("Run failed"))))
    // A run a second: the signal finds it asleep (0) or in the next run (130, finished work kept).
    run.child.kill("SIGTERM")
    expect([0, 130]).toContain((await run.done).code)
    expectExact(db, s, QUERY)
  })
})
