import * as path from "node:path"
import { whereItWent } from "./cpuWhere.js"
import { type Figure, figure, fmtNum, round } from "./helpers.js"
import { collectCommand } from "./memoryRuns.js"
import { cliFailure, collectArgs, runCli, type SandboxProcess } from "./processes.js"

// Where the CPU of the threads other than the main one goes: a run of `npm run collect` like the
// measured one, with V8's own traces on (`--trace-opt`, `--trace-gc`), kept apart from the
// measured runs so that writing the traces costs them nothing. With `--v8-pool-size=1` (package.json)
// V8 has one helper thread, which runs both TurboFan's concurrent compiles and parts of the
// collector's garbage collection; the compile times are the ones TurboFan reports itself.

/** What V8 reported of one run, per movie whose details it fetched. */
export interface JitTrace {
  readonly movies: number
  /** TurboFan's compile jobs, and their time on the helper thread (the "execute" phase). */
  readonly compiles: number
  readonly compileMs: number
  /** Functions compiled more than once, and the most times one was. */
  readonly recompiled: number
  readonly mostCompiles: number
  /** Full (mark-compact) collections of the main isolate's heap. */
  readonly markCompacts: number
}

/** A traced run: V8's traces, and the main thread's CPU profile by where it ran (bench/cpuWhere.ts). */
export interface TracedRun extends JitTrace {
  readonly where: ReturnType<typeof whereItWent>
}

// "[completed compiling 0x… <JSFunction name (sfi = 0x…)> (target TURBOFAN) - took 0.012, 2.533, 0.020 ms]"
const COMPILED = /^\[completed compiling .*\(sfi = (0x[0-9a-f]+)\)>.* took [\d.]+, ([\d.]+), [\d.]+ ms\]/
// "[4711:0x5a1b2c0]     2227 ms: Mark-Compact 28.9 (33.0) -> 21.4 (33.0) MB, …"
const COLLECTED = /^\[\d+:(0x[0-9a-f]+)\]\s+[\d.]+ ms: (Scavenge|Mark-Compact)/

/** Reads V8's traces from a run's stdout. The main isolate is the one that scavenged most. */
export const parseJit = (stdout: string, movies: number): JitTrace => {
  const bySfi = new Map<string, number>()
  let compileMs = 0
  const isolates = new Map<string, { scavenges: number; markCompacts: number }>()
  for (const line of stdout.split("\n")) {
    const compiled = COMPILED.exec(line)
    if (compiled !== null) {
      bySfi.set(compiled[1]!, (bySfi.get(compiled[1]!) ?? 0) + 1)
      compileMs += Number(compiled[2])
      continue
    }
    const collected = COLLECTED.exec(line)
    if (collected === null) continue
    const isolate = isolates.get(collected[1]!) ?? { scavenges: 0, markCompacts: 0 }
    if (collected[2] === "Scavenge") isolate.scavenges++
    else isolate.markCompacts++
    isolates.set(collected[1]!, isolate)
  }
  const counts = [...bySfi.values()]
  const main = [...isolates.values()].sort((a, b) => b.scavenges - a.scavenges)[0]
  return {
    movies,
    compiles: counts.reduce((a, b) => a + b, 0),
    compileMs,
    recompiled: counts.filter((n) => n > 1).length,
    mostCompiles: Math.max(0, ...counts),
    markCompacts: main?.markCompacts ?? 0
  }
}

/** Runs the collector once more with V8's traces and its CPU profile on, on a database of its own. */
export const traceJit = async (
  sandbox: SandboxProcess,
  dir: string,
  o: { readonly name: string; readonly year: number; readonly rps: number; readonly burst: number },
  concurrency: number
): Promise<TracedRun> => {
  const cmd = collectCommand()
  const base = (await sandbox.counters()).received["movie"]?.count ?? 0
  const db = path.join(dir, `jit-${o.name.replace(/\W/g, "")}.sqlite`)
  const profiles = `${db}.profiles`
  const r = await runCli(collectArgs({ startYear: o.year, endYear: o.year, db, rps: o.rps, burst: o.burst, concurrency }), {
    baseUrl: sandbox.baseUrl,
    script: cmd.script,
    nodeArgs: [...cmd.nodeArgs, "--trace-opt", "--trace-gc", "--cpu-prof", "--cpu-prof-dir", profiles],
    timeoutMs: 300_000
  })
  if (r.code !== 0) throw cliFailure(`collect with V8's traces (${o.name})`, r)
  return { ...parseJit(r.stdout, ((await sandbox.counters()).received["movie"]?.count ?? 0) - base), where: whereItWent(profiles) }
}

/** The traced run's figures, per movie (INFO: they explain the CPU figures). */
export const jitFigures = (id: string, name: string, j: JitTrace): Array<Figure> => {
  const perThousand = (n: number) => Math.round((n * 1000) / j.movies)
  return [
    figure("cpu", `${id}.jit`, `${name}: TurboFan's compile jobs per movie, as it times them (a run with --trace-opt)`, round(j.compileMs / j.movies), "ms"),
    figure("cpu", `${id}.compiles`, `${name}: TurboFan compiles per 1,000 movies`, perThousand(j.compiles), ""),
    figure("cpu", `${id}.fullgc`, `${name}: full (mark-compact) collections per 1,000 movies`, perThousand(j.markCompacts), "")
  ]
}

/** What the traced runs say of the helper thread's time. */
export const jitText = (paced: JitTrace | undefined, flat: JitTrace | undefined) =>
  paced === undefined || flat === undefined ?
    "" :
    `Much of theirs is TurboFan compiling: its jobs took up to ${fmtNum(round(paced.compileMs / paced.movies))} ms per movie at R=40, ${
      fmtNum(round(flat.compileMs / flat.movies))
    } flat out (its own timing, which counts a job's waits for the core too; runs with --trace-opt), and not only while warming up: in the flat-out run ${
      fmtNum(flat.recompiled)
    } functions were compiled more than once, one ${
      fmtNum(flat.mostCompiles)
    } times, as the closures Effect makes anew for every operation are optimized again after each full collection (${
      fmtNum(Math.round((flat.markCompacts * 1000) / flat.movies))
    } per 1,000 movies flat out, ${fmtNum(Math.round((paced.markCompacts * 1000) / paced.movies))} at R=40). `
