import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { API_KEY, root } from "./helpers.js"

// Child processes of the benchmark suite (the sandbox and the real CLI), sampled from /proc,
// and temp dirs: everything is cleaned up at exit, by our own ids only.

const tempDirs: Array<string> = []
const children = new Set<ChildProcess>()

export const tmpDir = (prefix: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tmdb-bench-${prefix}-`))
  tempDirs.push(dir)
  return dir
}

export const cleanup = (): void => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  children.clear()
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export const withTimeout = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms)
  })
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer))
}

/** utime+stime of a live process in ms, from /proc/<pid>/stat (undefined once it is gone). */
export const procCpuMs = (pid: number): number | undefined => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // USER_HZ is 100 on Linux
  } catch {
    return undefined
  }
}

/**
 * A live process's CPU in ms by where it ran: its main thread (the event loop), its other threads
 * (V8's garbage-collection and compiler helpers, libuv's pool), and the kernel's share of both.
 */
export const procThreadsCpuMs = (pid: number): { main: number; others: number; sys: number } | undefined => {
  try {
    const out = { main: 0, others: 0, sys: 0 }
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      const [user, sys] = [Number(fields[11]) * 10, Number(fields[12]) * 10]
      if (Number(tid) === pid) out.main += user + sys
      else out.others += user + sys
      out.sys += sys
    }
    return out
  } catch {
    return undefined
  }
}

/** VmHWM (peak resident set, monotonic) of a live process in MB. */
const procPeakRssMB = (pid: number): number | undefined => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return m?.[1] !== undefined ? Number(m[1]) / 1024 : undefined
  } catch {
    return undefined
  }
}

export interface SandboxProcess {
  readonly baseUrl: string
  readonly origin: string
  readonly pid: number
  counters(): Promise<SandboxCountersJson>
  close(): Promise<void>
}

/** What /__sandbox/counters answers (sandbox/Counters.ts countersJson), in the parts read here. */
interface SandboxCountersJson {
  requests: number
  byEndpoint: Record<string, number>
  byStatus: Record<string, number>
  rateLimited: number
  maxInFlight: number
  received: Record<string, { count: number; firstMs: number; lastMs: number }>
  detailsServed: Record<string, number>
  discoverPages: ReadonlyArray<{ gte: string | null; lte: string | null; page: number }>
}

/** `scripts/sandbox.ts` in its own process, so its CPU is not ours. */
export const startSandboxProcess = async (config: unknown): Promise<SandboxProcess> => {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/sandbox.ts"), "--config", JSON.stringify(config)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"]
  })
  children.add(child)
  let stderr = ""
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
  const baseUrl = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let out = ""
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString()
        const line = out.split("\n")[0]
        if (out.includes("\n") && line !== undefined) resolve(line.trim())
      })
      child.once("exit", (code) => reject(new Error(`sandbox exited with ${code}: ${stderr.trim()}`)))
    }),
    120_000,
    "sandbox start"
  )
  const origin = new URL(baseUrl).origin
  return {
    baseUrl,
    origin,
    pid: child.pid!,
    counters: async () => (await (await fetch(`${origin}/__sandbox/counters`)).json()) as SandboxCountersJson,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        const hard = setTimeout(() => child.kill("SIGKILL"), 5_000)
        child.once("exit", () => {
          clearTimeout(hard)
          children.delete(child)
          resolve()
        })
        child.kill("SIGTERM")
      })
  }
}

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly wallMs: number
  /** Last VmHWM seen (polled every 100 ms). */
  readonly peakRssMB: number
  /** Last utime+stime seen in /proc (misses at most the last poll interval). */
  readonly procCpuMs: number
}

interface CliOptions {
  readonly baseUrl: string
  /** Extra node flags before the script, e.g. an --import probe. */
  readonly nodeArgs?: ReadonlyArray<string>
  /** Script to run instead of scripts/collect.ts (e.g. a bundled copy). */
  readonly script?: string
  readonly env?: Record<string, string>
  readonly timeoutMs: number
  /** Called every poll (100 ms); return true to SIGKILL the CLI. */
  readonly killWhen?: () => boolean | Promise<boolean>
  /** Called every poll (100 ms) with the CLI's CPU time so far (utime + stime, all threads) and its pid. */
  readonly onPoll?: (cpuMs: number, pid: number) => void | Promise<void>
}

/** The real CLI, `node --import tsx scripts/collect.ts ...`, as its own process, sampled from /proc. */
export const runCli = (args: ReadonlyArray<string>, o: CliOptions): Promise<CliResult> => {
  const started = performance.now()
  const script = o.script ?? path.join(root, "scripts/collect.ts")
  const loader = o.script === undefined ? ["--import", "tsx"] : []
  const child = spawn(process.execPath, [...loader, ...(o.nodeArgs ?? []), script, ...args], {
    cwd: root,
    env: { ...process.env, TMDB_READ_ACCESS_TOKEN: "", TMDB_API_KEY: API_KEY, TMDB_BASE_URL: o.baseUrl, ...o.env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  children.add(child)
  const pid = child.pid!
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
  let peakRssMB = 0
  let cpuMs = 0
  let polling = false
  const poll = async () => {
    if (polling) return
    polling = true
    try {
      peakRssMB = Math.max(peakRssMB, procPeakRssMB(pid) ?? 0)
      cpuMs = Math.max(cpuMs, procCpuMs(pid) ?? 0)
      await o.onPoll?.(cpuMs, pid)
      if (o.killWhen !== undefined && child.exitCode === null && (await o.killWhen())) child.kill("SIGKILL")
    } finally {
      polling = false
    }
  }
  const timer = setInterval(() => void poll(), 100)
  const hard = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs)
  return new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => {
      clearInterval(timer)
      clearTimeout(hard)
      children.delete(child)
      resolve({ code, signal, stdout, stderr, wallMs: performance.now() - started, peakRssMB, procCpuMs: cpuMs })
    })
  })
}

export const collectArgs = (o: {
  startYear: number
  endYear: number
  db: string
  rps: number
  burst: number
  concurrency: number
  minVoteCount?: number
}): Array<string> => [
  "--start-year",
  String(o.startYear),
  "--end-year",
  String(o.endYear),
  "--min-vote-count",
  String(o.minVoteCount ?? 0),
  "--rps",
  String(o.rps),
  "--burst",
  String(o.burst),
  "--concurrency",
  String(o.concurrency),
  "--db",
  o.db,
  "--json"
]

/** The `--json` summary line printed by the CLI on stdout. */
export const parseSummary = (stdout: string): Record<string, unknown> | undefined => {
  const line = stdout.trim().split("\n").reverse().find((l) => l.startsWith("{"))
  try {
    return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>)
  } catch {
    return undefined
  }
}

export const cliFailure = (what: string, r: CliResult): Error =>
  new Error(`${what}: exit ${r.code ?? r.signal}; stderr: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`)
