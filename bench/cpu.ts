import Database from "better-sqlite3"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { SqlLive } from "../layers/Sql.js"
import { jitFigures, jitText, type TracedRun, traceJit } from "./cpuJit.js"
import { countedArgs, countOperations } from "./cpuOps.js"
import { whereTable } from "./cpuWhere.js"
import { type Ctx, type Figure, figure, fmtNum, root, round } from "./helpers.js"
import { collectCommand } from "./memoryRuns.js"
import { cliFailure, collectArgs, procThreadsCpuMs, runCli, type SandboxProcess, startSandboxProcess, tmpDir } from "./processes.js"

// 13. CPU per rich movie: `npm run collect` against the sandbox (30 ms of latency, no limit of
// its own), at --rps 40 and flat out, beside a raw baseline in the same run (bench/cpuRaw.ts: no
// Effect). CPU is the whole process's (every thread, from /proc), counted between the 10th and
// the 90th percent of the detail requests the sandbox received, so start-up, discovery and the
// last commits are left out. Beside it, the fiber operations per request of the same command run
// in this process (bench/cpuOps.ts): a count the machine's load does not move.

const LATENCY_MS = 30
const CONCURRENCY = 10
const FLAT = 100_000
// Movies whose details the counted in-process runs fetch.
const COUNTED = 300

interface Mode {
  readonly name: string
  readonly rps: number
  readonly year: number
  readonly movies: number
}

interface Measured {
  readonly cpuPerMovie: number
  /** The same CPU split: the main thread, the other threads (V8's GC and compiler helpers), the kernel's part. */
  readonly split: { main: number; others: number; sys: number }
  readonly moviesPerSecond: number
  readonly loop?: { p50: number; p99: number; max: number }
}

/** Runs one process against the sandbox and measures its CPU per detail request in the window. */
const measure = async (
  sandbox: SandboxProcess,
  run: (onPoll: (cpuMs: number, pid: number) => Promise<void>) => Promise<void>
): Promise<Measured> => {
  const base = (await sandbox.counters()).received["movie"]?.count ?? 0
  const samples: Array<{ at: number; cpuMs: number; count: number; split: { main: number; others: number; sys: number } }> = []
  await run(async (cpuMs, pid) => {
    const split = procThreadsCpuMs(pid)
    const count = ((await sandbox.counters()).received["movie"]?.count ?? 0) - base
    if (split !== undefined) samples.push({ at: performance.now(), cpuMs, count, split })
  })
  const total = samples.at(-1)?.count ?? 0
  const from = samples.find((s) => s.count >= total * 0.1)
  const to = samples.find((s) => s.count >= total * 0.9)
  if (from === undefined || to === undefined || to.count <= from.count) throw new Error(`too few samples (${samples.length}) to measure`)
  const movies = to.count - from.count
  return {
    cpuPerMovie: (to.cpuMs - from.cpuMs) / movies,
    split: {
      main: (to.split.main - from.split.main) / movies,
      others: (to.split.others - from.split.others) / movies,
      sys: (to.split.sys - from.split.sys) / movies
    },
    moviesPerSecond: (movies * 1000) / (to.at - from.at)
  }
}

const rps = (mode: Mode) => mode.rps === 0 ? FLAT : mode.rps
const burst = (mode: Mode) => mode.rps === 0 ? FLAT : 5

const runCollector = async (sandbox: SandboxProcess, dir: string, mode: Mode) => {
  const cmd = collectCommand()
  const db = path.join(dir, `cli-${mode.name}.sqlite`)
  const loopOut = `${db}.loop.json`
  const m = await measure(sandbox, async (onPoll) => {
    const r = await runCli(collectArgs({ startYear: mode.year, endYear: mode.year, db, rps: rps(mode), burst: burst(mode), concurrency: CONCURRENCY }), {
      baseUrl: sandbox.baseUrl,
      script: cmd.script,
      nodeArgs: [...cmd.nodeArgs, "--import", path.join(root, "bench/loopProbe.mjs")],
      env: { BENCH_LOOP_OUT: loopOut },
      timeoutMs: 300_000,
      onPoll
    })
    if (r.code !== 0) throw cliFailure(`collect (${mode.name})`, r)
  })
  const loop = JSON.parse(fs.readFileSync(loopOut, "utf8")) as { p50: number; p99: number; max: number }
  return { ...m, loop, db }
}

const runRaw = async (sandbox: SandboxProcess, dir: string, mode: Mode, ids: ReadonlyArray<number>) => {
  const db = path.join(dir, `raw-${mode.name}.sqlite`)
  await Effect.runPromise(Effect.scoped(Layer.build(SqlLive(db))))
  const idsFile = `${db}.ids`
  fs.writeFileSync(idsFile, ids.join("\n"))
  return measure(sandbox, async (onPoll) => {
    const r = await runCli([], {
      baseUrl: sandbox.baseUrl,
      script: path.join(root, "bench/cpuRaw.ts"),
      nodeArgs: ["--import", "tsx"],
      env: { RAW_IDS: idsFile, RAW_DB: db, RAW_RPS: String(mode.rps), RAW_CONCURRENCY: String(CONCURRENCY) },
      timeoutMs: 300_000,
      onPoll
    })
    if (r.code !== 0) throw cliFailure(`raw baseline (${mode.name})`, r)
  })
}

/** The spans with the most fiber operations per request at R=40, beside flat out's. */
const spanTable = (paced: ReadonlyMap<string, number>, flat: ReadonlyMap<string, number>) =>
  "Fiber operations per request by the innermost span they ran under, R=40 / flat out: " +
  [...paced].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([name, n]) => `\`${name}\` ${Math.round(n)} / ${Math.round(flat.get(name) ?? 0)}`).join(", ") +
  "."

const split = (m: Measured) => `${fmtNum(round(m.split.main))} / ${fmtNum(round(m.split.others))} (${fmtNum(round(m.split.sys))}) ms`

const storedIds = (db: string): Array<number> => {
  const conn = new Database(db, { readonly: true })
  try {
    return (conn.prepare("SELECT tmdb_id FROM movies WHERE details_fetched_at IS NOT NULL").pluck().all() as Array<number>)
  } finally {
    conn.close()
  }
}

export const cpuBench = async (ctx: Ctx) => {
  const modes: ReadonlyArray<Mode> = [
    { name: "R=40", rps: 40, year: 2008, movies: ctx.quick ? 400 : 1_200 },
    { name: "flat out", rps: 0, year: 2009, movies: ctx.quick ? 1_000 : 4_000 }
  ]
  // About 95% of generated movies are listed.
  const perYear = Object.fromEntries(modes.map((m) => [m.year, Math.ceil(m.movies / 0.95)]))
  const sandbox = await startSandboxProcess({ catalogue: { seed: 7, startYear: 2008, endYear: 2009, perYear, includeFixtures: false }, latencyMs: LATENCY_MS })
  const dir = tmpDir("cpu-")
  const figures: Array<Figure> = []
  const details = [
    "| mode | process | CPU per movie | main thread / other threads (of which kernel) | movies/s (in the window) | event loop lateness p50 / p99 / max |",
    "|---|---|---|---|---|---|"
  ]
  const cli: Record<string, Measured> = {}
  const raw: Record<string, Measured> = {}
  const operations: Record<string, { readonly perRequest: number; readonly bySpan: ReadonlyMap<string, number> }> = {}
  const jit: Record<string, TracedRun> = {}
  try {
    for (const mode of modes) {
      ctx.log(`cpu: ${mode.name}, npm run collect, ${mode.movies} movies`)
      const c = await runCollector(sandbox, dir, mode)
      ctx.log(`cpu: ${mode.name}, raw baseline`)
      const r = await runRaw(sandbox, dir, mode, storedIds(c.db))
      cli[mode.name] = c
      raw[mode.name] = r
      const id = mode.rps === 0 ? "flat" : `r${mode.rps}`
      const goal = mode.rps === 0 ? 1.5 : 2
      figures.push(
        figure("cpu", `${id}.cli`, `${mode.name}: npm run collect, CPU per rich movie`, round(c.cpuPerMovie), "ms", { op: "<=", target: goal }),
        figure("cpu", `${id}.raw`, `${mode.name}: raw baseline, CPU per rich movie`, round(r.cpuPerMovie), "ms"),
        figure("cpu", `${id}.ratio`, `${mode.name}: npm run collect ÷ raw baseline, CPU per movie`, round(c.cpuPerMovie / r.cpuPerMovie), "×", {
          op: "<=",
          target: 2
        })
      )
      ctx.log(`cpu: ${mode.name}, fiber operations of ${COUNTED} movies in process`)
      const ops = await countOperations(
        sandbox.baseUrl,
        [...countedArgs(dir, id, mode.year, rps(mode), burst(mode), CONCURRENCY), "--refresh-limit", String(COUNTED)]
      )
      operations[mode.name] = ops
      figures.push(
        figure(
          "cpu",
          `${id}.ops`,
          `${mode.name}: fiber operations per request of a run (in process, ${fmtNum(ops.requests)} requests)`,
          Math.round(ops.perRequest),
          ""
        )
      )
      ctx.log(`cpu: ${mode.name}, npm run collect with V8's traces`)
      jit[mode.name] = await traceJit(sandbox, dir, { name: mode.name, year: mode.year, rps: rps(mode), burst: burst(mode) }, CONCURRENCY)
      figures.push(...jitFigures(id, mode.name, jit[mode.name]!))
      details.push(
        `| ${mode.name} | npm run collect | ${fmtNum(round(c.cpuPerMovie))} ms | ${split(c)} | ${fmtNum(round(c.moviesPerSecond, 1))} | ${
          fmtNum(round(c.loop.p50))
        } / ${fmtNum(round(c.loop.p99))} / ${fmtNum(round(c.loop.max))} ms |`,
        `| ${mode.name} | raw baseline | ${fmtNum(round(r.cpuPerMovie))} ms | ${split(r)} | ${fmtNum(round(r.moviesPerSecond, 1))} | |`
      )
    }
  } finally {
    await sandbox.close()
  }
  const [pacedOps, flatOps] = [operations["R=40"], operations["flat out"]]
  if (pacedOps !== undefined && flatOps !== undefined) details.push("", spanTable(pacedOps.bySpan, flatOps.bySpan))
  const profiled = Object.entries(jit).map(([name, j]) => ({ name, ms: j.where }))
  if (profiled.length > 0) details.push("", ...whereTable(profiled))
  const [paced, flat] = [cli["R=40"], cli["flat out"]]
  const diagnosis: Record<string, string> = {}
  if (paced !== undefined && flat !== undefined) {
    const [rawPaced, rawFlat] = [raw["R=40"], raw["flat out"]]
    const text = `Where the CPU per movie went in this run: at R=40 ${split(paced)}, flat out ${split(flat)} ` +
      "(the main thread / the other threads, the kernel's part of both in brackets). The other threads are V8's garbage-collection and compiler " +
      "helpers. " + jitText(jit["R=40"], jit["flat out"]) + (rawPaced !== undefined && rawFlat !== undefined
        ? `The raw baseline pays for waiting too (${fmtNum(round(rawPaced.cpuPerMovie))} ms per movie paced, ${
          fmtNum(round(rawFlat.cpuPerMovie))
        } flat out) with the same batching, so part of that cost is a process woken 40 times a second rather than work it does.`
        : "") +
      ` The collector's Effect work shows in its fiber operations per request: ${fmtNum(Math.round(pacedOps?.perRequest ?? Number.NaN))} at R=40, ${
        fmtNum(Math.round(flatOps?.perRequest ?? Number.NaN))
      } flat out (by span in §13).`
    for (const id of ["r40.cli", "r40.ratio", "flat.cli", "flat.ratio", "waiting"]) diagnosis[id] = text
  }
  if (paced !== undefined && flat !== undefined) {
    figures.push(
      figure("cpu", "waiting", "CPU per movie at R=40 ÷ flat out (waiting on the budget costs nothing)", round(paced.cpuPerMovie / flat.cpuPerMovie), "×", {
        op: "<=",
        target: 1
      }),
      figure("cpu", "loop.p99", "event-loop delay p99 of npm run collect, flat out (committing all the time)", round(flat.loop?.p99 ?? Number.NaN), "ms", {
        op: "<",
        target: 20
      })
    )
  }
  return {
    title: "13. CPU per rich movie",
    method: [
      "`npm run collect` (as package.json runs it) `--rps 40 --burst 5` and flat out (`--rps 100000`), `--concurrency 10`, each on a fresh " +
      `SQLite database, against the sandbox in its own process with ${LATENCY_MS} ms of latency and no limit of its own; every movie is rich ` +
      "(credits, keywords, release dates, external ids appended). The raw baseline (`bench/cpuRaw.ts`) fetches the same movies with an " +
      "undici `Pool`, `JSON.parse`s them, and writes the same rows (the movie, its eight child tables, its payload compressed with the " +
      "collector's Brotli settings, one history row) through better-sqlite3 prepared statements, its commits batched as the collector batches them, " +
      "paced the same way. CPU is the whole process's, every thread included (utime + stime from /proc, polled every 100 ms), between " +
      "the moments the sandbox had received 10% and 90% of the run's detail requests. The event-loop delay is how late `monitorEventLoopDelay` saw its timer " +
      "(10 ms resolution) over the whole run, preloaded with `--import bench/loopProbe.mjs`. One more run of each mode, with V8's " +
      "`--trace-opt --trace-gc --cpu-prof` and unmeasured, counts TurboFan's compile jobs and the full collections (`bench/cpuJit.ts`), and " +
      "its main thread's profile says where that thread's CPU went, by the package each function came from (`bench/cpuWhere.ts`)."
    ],
    figures,
    details,
    diagnosis
  }
}
