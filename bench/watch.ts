import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import { type Ctx, type Figure, figure, fmtNum, round } from "./helpers.js"
import { collectCommand } from "./memoryRuns.js"
import { collectArgs, runCli, startSandboxProcess, tmpDir } from "./processes.js"

// 14. `npm run collect -- --watch --every 5s` for 10 minutes against the sandbox in its own
// process, which moves on every 5 s (movies edited, added and deleted, listed in its changes):
// the process's resident memory over time, and what the runs did.

const SOAK_MS = 10 * 60_000
const QUICK_SOAK_MS = 60_000
// The first cycles: the baseline the rest is compared with.
const WARM_MS = 60_000

const statusKB = (pid: number, field: "VmRSS" | "VmHWM"): number | undefined => {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return m?.[1] !== undefined ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}

export const watchBench = async (ctx: Ctx) => {
  const soakMs = ctx.quick ? QUICK_SOAK_MS : SOAK_MS
  const warmMs = ctx.quick ? 20_000 : WARM_MS
  const sandbox = await startSandboxProcess({ catalogue: { seed: 61, startYear: 2024, endYear: 2024, perYear: 600, includeFixtures: false }, latencyMs: 20 })
  const dir = tmpDir("watch-")
  const db = path.join(dir, "watch.sqlite")
  const cmd = collectCommand()
  const samples: Array<{ at: number; rssMB: number; peakMB: number }> = []
  let started: number | undefined
  let lastAdvance = 0
  let advances = 0
  let stopped = false
  try {
    ctx.log(`watch: --every 5s for ${soakMs / 60_000} min, the sandbox moving on every 5 s`)
    const args = [...collectArgs({ startYear: 2024, endYear: 2024, db, rps: 40, burst: 5, concurrency: 10 }), "--watch", "--every", "5s"]
    const r = await runCli(args.filter((a) => a !== "--json"), {
      baseUrl: sandbox.baseUrl,
      script: cmd.script,
      nodeArgs: cmd.nodeArgs,
      timeoutMs: soakMs + 120_000,
      onPoll: async (_cpu, pid) => {
        const now = performance.now()
        started ??= now
        const rss = statusKB(pid, "VmRSS")
        const peak = statusKB(pid, "VmHWM")
        if (rss !== undefined && peak !== undefined && (samples.length === 0 || now - started - samples.at(-1)!.at >= 1_000)) {
          samples.push({ at: now - started, rssMB: rss / 1024, peakMB: peak / 1024 })
        }
        if (now - lastAdvance >= 5_000) {
          lastAdvance = now
          await fetch(`${sandbox.origin}/__sandbox/advance?edit=10&add=3&delete=1`, { method: "POST" })
          advances++
        }
        if (!stopped && now - started >= soakMs) {
          stopped = true
          process.kill(pid, "SIGTERM")
        }
      }
    })
    if (r.code !== 0 && r.code !== 130) throw new Error(`the watch ended with ${r.code}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`)
    const conn = new Database(db, { readonly: true })
    const runs = conn.prepare("SELECT status, count(*) AS n FROM collection_runs GROUP BY status").all() as Array<{ status: string; n: number }>
    const removed = conn.prepare("SELECT count(*) FROM movies WHERE removed_at IS NOT NULL").pluck().get() as number
    conn.close()
    const warm = samples.filter((s) => s.at <= warmMs).at(-1)?.peakMB ?? Number.NaN
    const end = samples.at(-1)?.peakMB ?? Number.NaN
    const figures: Array<Figure> = [
      figure("watch", "rss.warm", `peak RSS after the first ${warmMs / 1000} s`, round(warm, 1), "MB"),
      figure("watch", "rss.end", `peak RSS after ${soakMs / 60_000} min`, round(end, 1), "MB"),
      figure("watch", "rss.growth", "peak RSS at the end ÷ after the first cycles", round(end / warm, 3), "×", { op: "<=", target: 1.1 }),
      figure("watch", "runs", "runs recorded", runs.reduce((n, r) => n + r.n, 0), "runs"),
      figure(
        "watch",
        "runs.failed",
        "runs failed, incomplete or abandoned (one stopped by the SIGTERM is interrupted)",
        runs.filter((r) => r.status !== "complete" && r.status !== "interrupted").reduce((n, r) => n + r.n, 0),
        "runs",
        { op: "=", target: 0 }
      )
    ]
    const minutes = samples.filter((s, i) => i === 0 || Math.floor(s.at / 60_000) !== Math.floor(samples[i - 1]!.at / 60_000))
    return {
      title: "14. A watch over time",
      method: [
        `\`npm run collect\` (as package.json runs it) \`--start-year 2024 --rps 40 --burst 5 --watch --every 5s\` on a fresh SQLite database, ` +
        `against the sandbox in its own process (600 movies, 20 ms of latency). Every 5 s the sandbox moves on (10 movies edited, 3 added, ` +
        `1 deleted, each listed in /movie/changes); the watch fetches the edited and deleted ones in its next run, and the added ones with the ` +
        `next day's discovery (years mode). Resident memory from /proc every second; the watch ` +
        `is stopped with SIGTERM after ${soakMs / 60_000} min.`
      ],
      figures,
      details: [
        "| minute | RSS | peak RSS so far |",
        "|---|---|---|",
        ...minutes.map((s) => `| ${Math.floor(s.at / 60_000)} | ${fmtNum(round(s.rssMB, 1))} MB | ${fmtNum(round(s.peakMB, 1))} MB |`),
        "",
        `Runs by status: ${runs.map((r) => `${r.status} ${r.n}`).join(", ")}; the sandbox moved on ${advances} times; ${removed} movies marked removed.`
      ],
      diagnosis: {}
    }
  } finally {
    await sandbox.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
