import * as fs from "node:fs"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import * as zlib from "node:zlib"
import { collectCommand } from "./memoryRuns.js"
import { cliFailure, type CliResult, parseSummary, runCli, type SandboxProcess, startSandboxProcess } from "./processes.js"

// The runs of the linked-records benchmark (bench/linked.ts): a sandbox process per person export,
// the bundled CLI as `npm run collect` runs it, what each run asked the sandbox, and the raw
// baseline of reading a person export with nothing but Node.

/** The sandbox's catalogue: one year, a few hundred movies, the same seed for every sandbox. */
export const catalogueOf = (quick: boolean) => ({ seed: 7, startYear: 2020, endYear: 2020, perYear: quick ? 150 : 350, includeFixtures: false })

export const startLinkedSandbox = (quick: boolean, extraPeople: number) => startSandboxProcess({ catalogue: catalogueOf(quick), exports: { extraPeople } })

/** A kind's part of the `--json` summary (`kinds.<name>`). */
interface KindReport {
  readonly detailsFetched: number
  readonly export?: { readonly lines: number; readonly files: ReadonlyArray<string> }
}

export interface LinkedRun {
  readonly cli: CliResult
  readonly kinds: Readonly<Record<string, KindReport>>
  /** API requests by endpoint (sandbox/Routes.ts `endpointOf`) during this run only. */
  readonly requests: Readonly<Record<string, number>>
  /** Export files fetched during this run. */
  readonly files: number
}

type Counters = Awaited<ReturnType<SandboxProcess["counters"]>> & { exportRequests: ReadonlyArray<unknown> }

/** The bundled CLI against `sandbox`, its API and files hosts, on `db`; what it asked is counted. */
export const runBundled = async (what: string, sandbox: SandboxProcess, db: string, args: ReadonlyArray<string>): Promise<LinkedRun> => {
  const cmd = collectCommand()
  const before = (await sandbox.counters()) as Counters
  const cli = await runCli([...args, "--rps", "2000", "--burst", "200", "--db", db, "--json"], {
    baseUrl: sandbox.baseUrl,
    script: cmd.script,
    nodeArgs: cmd.nodeArgs,
    env: { TMDB_FILES_URL: sandbox.origin },
    timeoutMs: 300_000
  })
  if (cli.code !== 0) throw cliFailure(what, cli)
  const after = (await sandbox.counters()) as Counters
  const requests: Record<string, number> = {}
  for (const [k, n] of Object.entries(after.byEndpoint)) requests[k] = n - (before.byEndpoint[k] ?? 0)
  const kinds = (parseSummary(cli.stdout)?.["kinds"] ?? {}) as Record<string, KindReport>
  return { cli, kinds, requests, files: after.exportRequests.length - before.exportRequests.length }
}

/** Movies whose details a run fetched: the movies it stored. */
export const moviesOf = (r: LinkedRun) => r.kinds["movie"]?.detailsFetched ?? 0

/** Lines of the person export that a run read. */
export const personLinesOf = (r: LinkedRun) => r.kinds["person"]?.export?.lines ?? 0

/**
 * How long the CLI spent in the person export, from its last progress line on stderr
 * (`people    3,500,000 lines read, 0 kept  80,962 lines/s`: the rate since the phase began).
 */
export const exportPhaseMs = (r: LinkedRun): number | null => {
  const last = r.cli.stderr.split("\n").filter((l) => l.startsWith("people ") && l.includes("lines read")).pop()
  const m = last === undefined ? null : /^people\s+([\d,]+) lines read.*\s([\d,]+) lines\/s/.exec(last)
  if (m === null) return null
  const n = (s: string) => Number(s.replaceAll(",", ""))
  return (n(m[1]!) / n(m[2]!)) * 1000
}

/** Downloads the sandbox's person export of the CLI's date (so it is built before a timed run). */
export const downloadExport = async (sandbox: SandboxProcess, file: string, to: string): Promise<void> => {
  const response = await fetch(`${sandbox.origin}/p/exports/${file}`)
  if (!response.ok || response.body === null) throw new Error(`${file}: HTTP ${response.status}`)
  await pipeline(Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]), fs.createWriteStream(to))
}

/** The raw baseline: plain Node gunzip, line split and JSON.parse of the file, no database. */
export const rawRead = async (file: string): Promise<{ lines: number; ms: number }> => {
  const t0 = performance.now()
  let lines = 0
  let ids = 0
  const rl = createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity })
  for await (const line of rl) {
    if (line === "") continue
    ids += (JSON.parse(line) as { id: number }).id > 0 ? 1 : 0
    lines++
  }
  if (ids !== lines) throw new Error(`raw read: ${lines - ids} lines without a positive id`)
  return { lines, ms: performance.now() - t0 }
}

export const copyDb = (from: string, dir: string, name: string): string => {
  const to = path.join(dir, name)
  fs.copyFileSync(from, to)
  return to
}
