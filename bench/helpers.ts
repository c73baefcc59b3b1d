import { execFileSync } from "node:child_process"
import * as os from "node:os"
import * as path from "node:path"

// Shared plumbing of the benchmark suite: figures and goals, the machine, a little statistics.
// Child processes and temp files are in processes.ts.

export const root = path.resolve(import.meta.dirname, "..")
export const API_KEY = "sandbox-api-key"

type Op = ">=" | "<=" | "<" | ">" | "="
export interface Goal {
  readonly op: Op
  readonly target: number
}
type Status = "PASS" | "MISS" | "INFO" | "ERROR"

export interface Figure {
  readonly bench: string
  readonly id: string
  readonly label: string
  readonly value: number | null
  readonly unit: string
  readonly goal: Goal | null
  readonly status: Status
  readonly note?: string
}

export interface BenchOutcome {
  readonly name: string
  readonly title: string
  /** How the figures were measured, one paragraph each (BENCHMARKS.md). */
  readonly method: ReadonlyArray<string>
  readonly figures: ReadonlyArray<Figure>
  /** Extra material for BENCHMARKS.md: profile tables, breakdowns. Markdown lines. */
  readonly details: ReadonlyArray<string>
  /** What the profile says about each missed goal, keyed by figure id. */
  readonly diagnosis: Readonly<Record<string, string>>
  readonly error?: string
  readonly seconds: number
}

export interface Ctx {
  readonly quick: boolean
  readonly log: (message: string) => void
}

const meets = (value: number, g: Goal): boolean => {
  switch (g.op) {
    case ">=":
      return value >= g.target
    case "<=":
      return value <= g.target
    case "<":
      return value < g.target
    case ">":
      return value > g.target
    case "=":
      return value === g.target
  }
}

export const figure = (
  bench: string,
  id: string,
  label: string,
  value: number | null,
  unit: string,
  goal?: Goal,
  note?: string
): Figure => {
  const status: Status = value === null || !Number.isFinite(value)
    ? "ERROR"
    : goal === undefined
    ? "INFO"
    : meets(value, goal)
    ? "PASS"
    : "MISS"
  return { bench, id, label, value, unit, goal: goal ?? null, status, ...(note !== undefined ? { note } : {}) }
}

export const goalText = (g: Goal | null, unit: string): string =>
  g === null ? "" : `${g.op} ${fmtNum(g.target)}${unit === "" || unit === "×" ? "" : ` ${unit}`}`

export const fmtNum = (n: number | null): string => {
  if (n === null || !Number.isFinite(n)) return "n/a"
  const a = Math.abs(n)
  if (Number.isInteger(n)) return n.toLocaleString("en-US")
  if (a >= 1000) return Math.round(n).toLocaleString("en-US")
  return String(Number(n.toPrecision(a >= 10 ? 3 : 4)))
}

export const machine = () => {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    ramGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100)
  }
}

/**
 * The code measured: HEAD and the tracked files changed on top of it that the benchmarks run
 * (tests and Markdown left out), from read-only git commands.
 */
const git = (...args: Array<string>) => {
  try {
    return execFileSync("git", ["--no-optional-locks", ...args], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trimEnd()
  } catch {
    return ""
  }
}
const isRuntime = (f: string) => f !== "" && !f.startsWith("test/") && !f.startsWith("bench/") && !f.endsWith(".md")

export const codeState = () => {
  const changed = git("status", "--porcelain", "--untracked-files=no").split("\n").filter((l) => l.trim() !== "").map((l) => l.slice(3)).filter(isRuntime)
  return { commit: git("rev-parse", "--short", "HEAD") || "unknown", changed }
}

/** Files the benchmarks run that differ between two code states (commits and uncommitted changes). */
export const runtimeChanges = (a: ReturnType<typeof codeState>, b: ReturnType<typeof codeState>): Array<string> => {
  const committed = a.commit === b.commit ? [] : git("diff", "--name-only", a.commit, b.commit).split("\n").filter(isRuntime)
  const uncommitted = [...a.changed.filter((f) => !b.changed.includes(f)), ...b.changed.filter((f) => !a.changed.includes(f))]
  return [...new Set([...committed, ...uncommitted])].sort()
}

/**
 * The requests a sandbox served for the movies themselves: discover, details and changes. The
 * collections and companies the movies name are records of their own, each fetched once (section
 * 10 holds that), so the economy figures leave them out and show them apart.
 */
export const movieRequests = (byEndpoint: Readonly<Record<string, number>>): number =>
  (byEndpoint["discover"] ?? 0) + (byEndpoint["movie"] ?? 0) + (byEndpoint["changes"] ?? 0)

// ---------------------------------------------------------------------------------------------
// Statistics

export const sum = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0)

/** 0, 1, ..., n - 1. */
export const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** Least-squares slope of log(y) against log(x). */
export const logLogSlope = (points: ReadonlyArray<readonly [number, number]>): number => {
  const xs = points.map(([x]) => Math.log(x))
  const ys = points.map(([, y]) => Math.log(y))
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length
  const my = ys.reduce((a, b) => a + b, 0) / ys.length
  let num = 0
  let den = 0
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my)
    den += (x - mx) ** 2
  })
  return den === 0 ? Number.NaN : num / den
}

export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits

export const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start)
  return (d.user + d.system) / 1000
}
