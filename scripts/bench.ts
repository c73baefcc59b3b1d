import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { budgetBench } from "../bench/budget.js"
import { catalogueBench } from "../bench/catalogue.js"
import { collectorsBench } from "../bench/collectors.js"
import { cpuBench } from "../bench/cpu.js"
import { economyBench } from "../bench/economy.js"
import { exportBench } from "../bench/export.js"
import { type BenchOutcome, codeState, type Ctx, figure, machine, root, runtimeChanges } from "../bench/helpers.js"
import { historyBench } from "../bench/history.js"
import { linkedBench } from "../bench/linked.js"
import { memoryBench } from "../bench/memory.js"
import { overheadBench } from "../bench/overhead.js"
import { cleanup, withTimeout } from "../bench/processes.js"
import { rateBench } from "../bench/rate.js"
import { printTable, readPrevious, type Results, type StoredBench, writeOutputs } from "../bench/report.js"
import { storageBench } from "../bench/storage.js"
import { watchBench } from "../bench/watch.js"

// npm run bench -- [--only rate,economy,overhead,storage,memory,scaling,catalogue,collectors,budget,linked,history,export,cpu,watch] [--quick]
// Prints every figure with its goal, writes bench/results.json and BENCHMARKS.md.

type Runner = (ctx: Ctx) => Promise<Omit<BenchOutcome, "name" | "seconds">>

/** In run order. `scaling` reuses the memory runs, so both names select the same runner. */
const BENCHES: ReadonlyArray<{ name: string; aliases: ReadonlyArray<string>; run: Runner; limitMs: number }> = [
  { name: "rate", aliases: ["rate"], run: rateBench, limitMs: 330_000 },
  { name: "economy", aliases: ["economy"], run: economyBench, limitMs: 180_000 },
  { name: "overhead", aliases: ["overhead"], run: overheadBench, limitMs: 180_000 },
  { name: "storage", aliases: ["storage"], run: storageBench, limitMs: 150_000 },
  { name: "memory", aliases: ["memory", "scaling"], run: memoryBench, limitMs: 720_000 },
  { name: "catalogue", aliases: ["catalogue"], run: catalogueBench, limitMs: 600_000 },
  { name: "collectors", aliases: ["collectors"], run: collectorsBench, limitMs: 600_000 },
  { name: "budget", aliases: ["budget"], run: budgetBench, limitMs: 300_000 },
  { name: "linked", aliases: ["linked"], run: linkedBench, limitMs: 300_000 },
  { name: "history", aliases: ["history"], run: historyBench, limitMs: 600_000 },
  { name: "export", aliases: ["export"], run: exportBench, limitMs: 1_200_000 },
  { name: "cpu", aliases: ["cpu"], run: cpuBench, limitMs: 300_000 },
  { name: "watch", aliases: ["watch"], run: watchBench, limitMs: 780_000 }
]

/**
 * The whole run stays under 60 minutes: a benchmark gets at most what is left of this. The export
 * at 1.2 million movies alone takes about 13 (section 12).
 */
const BUDGET_MS = 3_600_000

const USAGE = `Usage: npm run bench -- [--only ${BENCHES.flatMap((b) => b.aliases).join(",")}] [--quick]`

const main = async () => {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { only: { type: "string" }, quick: { type: "boolean" }, help: { type: "boolean", short: "h" } }
  })
  if (values.help === true) return void console.log(USAGE)
  const wanted = values.only?.split(",").map((s) => s.trim()).filter((s) => s !== "")
  const unknown = (wanted ?? []).filter((w) => !BENCHES.some((b) => b.aliases.includes(w)))
  if (unknown.length > 0) {
    console.error(`bench: unknown benchmark ${unknown.join(", ")}\n${USAGE}`)
    process.exit(2)
  }
  const selected = BENCHES.filter((b) => wanted === undefined || b.aliases.some((a) => wanted.includes(a)))
  const quick = values.quick === true
  const started = performance.now()
  const info = machine()
  const codeAtStart = codeState()
  const log = (message: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`)
  log(`machine: ${info.cpuModel}, ${info.cores} cores, ${info.ramGB} GB RAM, node ${info.node}${quick ? "; --quick" : ""}`)

  const outcomes: Array<StoredBench> = []
  for (const b of selected) {
    const t0 = performance.now()
    log(`${b.name}: start`)
    let outcome: BenchOutcome
    try {
      const left = BUDGET_MS - (performance.now() - started)
      if (left < 15_000) throw new Error(`skipped: the 50-minute budget was used up by the benchmarks before it`)
      const r = await withTimeout(b.run({ quick, log }), Math.min(b.limitMs, left), b.name)
      outcome = { ...r, name: b.name, seconds: (performance.now() - t0) / 1000 }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      log(`${b.name}: FAILED: ${message}`)
      outcome = {
        name: b.name,
        title: b.name,
        method: [],
        figures: [figure(b.name, `${b.name}.error`, `${b.name}: benchmark failed`, null, "", undefined, message)],
        details: [],
        diagnosis: {},
        error: message,
        seconds: (performance.now() - t0) / 1000
      }
    }
    outcomes.push({ ...outcome, ranAt: new Date().toISOString() })
    log(`${b.name}: done in ${outcome.seconds.toFixed(0)} s`)
  }

  // A full run rewrites everything; --only keeps the other benchmarks of the previous full run.
  const outDir = quick ? path.join(os.tmpdir(), "tmdb-bench-quick") : path.join(root, "bench")
  const mdFile = quick ? path.join(outDir, "BENCHMARKS.md") : path.join(root, "BENCHMARKS.md")
  const previous = quick || wanted === undefined ? undefined : readPrevious(path.join(outDir, "results.json"))
  const benches = BENCHES.flatMap((b) => {
    const now = outcomes.find((o) => o.name === b.name)
    const before = previous?.benches.find((o) => o.name === b.name)
    return now !== undefined ? [now] : before !== undefined ? [before] : []
  })
  const codeAtEnd = codeState()
  const results: Results = {
    generatedAt: new Date().toISOString(),
    durationSec: Math.round((performance.now() - started) / 100) / 10,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    quick,
    machine: info,
    code: { atStart: codeAtStart, atEnd: codeAtEnd, changedDuringRun: runtimeChanges(codeAtStart, codeAtEnd) },
    loadAvgAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    benches,
    figures: benches.flatMap((b) => b.figures)
  }
  console.log(
    `\nMachine: ${info.cpuModel}, ${info.cores} cores, ${info.ramGB} GB RAM, node ${info.node}, ${info.os}; ` +
      `load average ${info.loadAvgAtStart.join("/")} at the start, ${results.loadAvgAtEnd.join("/")} at the end\n`
  )
  printTable(outcomes.flatMap((o) => o.figures), console.log)
  writeOutputs(outDir, results, new Set(outcomes.map((o) => o.name)), mdFile)
  console.log(
    `\n${results.durationSec} s in all. Wrote ${path.relative(process.cwd(), path.join(outDir, "results.json"))} and ${path.relative(process.cwd(), mdFile)}.`
  )
  return outcomes.some((o) => o.error !== undefined) ? 1 : 0
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  process.once(signal, () => {
    console.error(`bench: stopped by ${signal}; nothing written`)
    cleanup()
    process.exit(code)
  })
}

main().then(
  (code) => {
    cleanup()
    process.exit(code ?? 0)
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
    cleanup()
    process.exit(1)
  }
)
