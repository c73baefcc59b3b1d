import * as fs from "node:fs"
import * as path from "node:path"
import { root } from "./helpers.js"
import { cliFailure, type CliResult, collectArgs, parseSummary, runCli, type SandboxProcess } from "./processes.js"

// One CLI collection for the memory and scaling benchmarks: the real CLI, rate limit off, on a
// fresh database, with bench/childProbe.ts preloaded to report heap figures and CPU time.

interface Size {
  readonly label: string
  readonly startYear: number
  readonly endYear: number
  readonly perYear: number
  readonly timeoutMs: number
}

interface ProbeOut {
  first: NodeJS.MemoryUsage
  atPeak: NodeJS.MemoryUsage
  heapUsedMax: number
  heapTotalMax: number
  cpuMs: number
  snapshot?: { atMs: number; before: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage }
}

export interface Run {
  readonly size: Size
  readonly movies: number
  readonly cli: CliResult
  readonly probe: ProbeOut | undefined
  readonly cpuMs: number
}

/**
 * What `npm run <name>` runs, read from package.json, so a benchmark measures the command the
 * README gives without npm's own start-up: `node <flags> dist/collect.js`, `node dist/export.cjs`.
 */
export const npmScriptCommand = (name: string): { readonly script: string; readonly nodeArgs: ReadonlyArray<string> } => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }
  const words = (pkg.scripts[name] ?? "").split(/\s+/).filter((w) => w !== "")
  if (words[0] !== "node" || words.length < 2) throw new Error(`package.json's ${name} script is not "node [flags] <script>": ${pkg.scripts[name]}`)
  return { script: path.join(root, words[words.length - 1]!), nodeArgs: words.slice(1, -1) }
}

export const collectCommand = () => npmScriptCommand("collect")
const PROBE = path.join(root, "bench/childProbe.ts")

// About 95% of generated movies are listed (not adult, not video, dated): 10,500 per year give
// ~9,975, i.e. 499 discover pages, under the 500-page cap, so no year needs a split.
export const FULL: ReadonlyArray<Size> = [
  { label: "1k", startYear: 2008, endYear: 2008, perYear: 1_050, timeoutMs: 60_000 },
  { label: "10k", startYear: 2009, endYear: 2009, perYear: 10_500, timeoutMs: 90_000 },
  { label: "100k", startYear: 2010, endYear: 2019, perYear: 10_500, timeoutMs: 600_000 }
]
export const QUICK: ReadonlyArray<Size> = [
  { label: "1k", startYear: 2008, endYear: 2008, perYear: 1_050, timeoutMs: 60_000 },
  { label: "2k", startYear: 2009, endYear: 2009, perYear: 2_100, timeoutMs: 60_000 },
  { label: "10k", startYear: 2010, endYear: 2013, perYear: 2_625, timeoutMs: 90_000 }
]

interface CollectOptions {
  /** Run this script with plain node instead of scripts/collect.ts under tsx (no probe then). */
  readonly script?: string
  /** Node flags before the probe, e.g. --max-old-space-size. */
  readonly nodeArgs?: ReadonlyArray<string>
  readonly env?: Record<string, string>
}

export const collect = async (sandbox: SandboxProcess, dir: string, size: Size, o: CollectOptions = {}): Promise<Run> => {
  const db = path.join(dir, `${size.label}-${Math.random().toString(36).slice(2)}.sqlite`)
  const probeOut = `${db}.probe.json`
  const cli = await runCli(
    collectArgs({ startYear: size.startYear, endYear: size.endYear, db, rps: 100_000, burst: 100_000, concurrency: 16 }),
    {
      baseUrl: sandbox.baseUrl,
      timeoutMs: size.timeoutMs,
      nodeArgs: [...(o.nodeArgs ?? []), ...(o.script === undefined ? ["--import", PROBE] : [])],
      ...(o.script !== undefined ? { script: o.script } : {}),
      env: { BENCH_PROBE_OUT: probeOut, ...o.env }
    }
  )
  if (cli.code !== 0) {
    throw cliFailure(`collection of ${size.label}${cli.signal === "SIGKILL" ? ` (killed at the ${size.timeoutMs / 1000} s limit)` : ""}`, cli)
  }
  const summary = parseSummary(cli.stdout)
  const probe = fs.existsSync(probeOut) ? (JSON.parse(fs.readFileSync(probeOut, "utf8")) as ProbeOut) : undefined
  return { size, movies: Number(summary?.["detailsFetched"] ?? Number.NaN), cli, probe, cpuMs: probe?.cpuMs ?? cli.procCpuMs }
}
