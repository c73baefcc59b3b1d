import * as fs from "node:fs"
import * as path from "node:path"
import { type BenchOutcome, type codeState, type Figure, fmtNum, goalText, type machine } from "./helpers.js"

// The printed table, bench/results.json and BENCHMARKS.md.

export interface StoredBench extends BenchOutcome {
  readonly ranAt: string
}

export interface Results {
  readonly generatedAt: string
  readonly durationSec: number
  readonly command: string
  readonly quick: boolean
  readonly machine: ReturnType<typeof machine>
  /** HEAD and uncommitted tracked changes when the run started and ended (others edit the repo too). */
  readonly code: {
    readonly atStart: ReturnType<typeof codeState>
    readonly atEnd: ReturnType<typeof codeState>
    /** Files the benchmarks run that changed while they ran (empty: the same code throughout). */
    readonly changedDuringRun: ReadonlyArray<string>
  }
  /** 1, 5 and 15 minute load averages when the run ended: the machine is shared. */
  readonly loadAvgAtEnd: ReadonlyArray<number>
  readonly benches: ReadonlyArray<StoredBench>
  /** Every figure of every bench, flat, with its goal and status. */
  readonly figures: ReadonlyArray<Figure>
}

const valueText = (f: Figure) => (f.value === null ? "n/a" : `${fmtNum(f.value)}${f.unit === "" ? "" : f.unit === "×" ? "×" : ` ${f.unit}`}`)

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

export const printTable = (figures: ReadonlyArray<Figure>, out: (line: string) => void): void => {
  const rows = figures.map((f) => [f.bench, f.label, valueText(f), goalText(f.goal, f.unit), f.status])
  const head = ["bench", "figure", "value", "goal", "status"]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => pad(c, widths[i]!)).join("  ")
  out(line(head))
  out(widths.map((w) => "-".repeat(w)).join("  "))
  for (const r of rows) out(line(r))
  for (const f of figures) if (f.status === "ERROR" && f.note !== undefined) out(`ERROR ${f.label}: ${f.note}`)
}

export const readPrevious = (file: string): Results | undefined => {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Results
  } catch {
    return undefined
  }
}

const md = (s: string) => s.replaceAll("|", "\\|")

const renderMarkdown = (r: Results, ranNow: ReadonlySet<string>): string => {
  const m = r.machine
  const missed = r.figures.filter((f) => f.status === "MISS" || f.status === "ERROR")
  const lines: Array<string> = [
    "# Benchmarks",
    "",
    "<!-- Written by `npm run bench` (scripts/bench.ts): edits here are overwritten on the next run. -->",
    "",
    `Latest run: **${r.generatedAt}**, ${fmtNum(r.durationSec)} s in all${r.quick ? " (**--quick**: reduced sizes)" : ""}.`,
    `Command: \`${r.command}\`. Raw figures: [bench/results.json](bench/results.json).`,
    "",
    `Code measured: commit \`${r.code.atStart.commit}\`` +
    (r.code.atStart.changed.length > 0 ? ` with uncommitted changes to ${r.code.atStart.changed.map((f) => `\`${f}\``).join(", ")}` : "") +
    (r.code.changedDuringRun.length > 0
      ? `; **code changed during the run** (${r.code.changedDuringRun.map((f) => `\`${f}\``).join(", ")}; at the end: \`${r.code.atEnd.commit}\`), ` +
        "so CLI runs spawned late may have run newer code."
      : r.code.atEnd.commit !== r.code.atStart.commit
      ? ` (HEAD moved to \`${r.code.atEnd.commit}\` during the run, with no change to the code measured).`
      : "."),
    "",
    "## Machine",
    "",
    `- CPU: ${m.cpuModel}, ${m.cores} cores (shared, noisy: every comparison is a ratio against a baseline measured in the same run)`,
    `- RAM: ${m.ramGB} GB`,
    `- Node ${m.node} on ${m.os}; load average ${m.loadAvgAtStart.join(", ")} at the start, ${r.loadAvgAtEnd.join(", ")} at the end (1, 5, 15 min)`,
    "",
    "## Reproduce",
    "",
    "```sh",
    "npm install                              # once, from a fresh clone",
    "npm run bench                            # the full suite (about 60 minutes on 2 cores), offline, 127.0.0.1 only",
    "npm run bench -- --only rate,economy     # some benchmarks: rate, economy, overhead, storage, memory, scaling, catalogue, collectors, budget, linked, history, export",
    "npm run bench -- --quick                 # reduced sizes, for development (written to the OS temp dir, not here)",
    "```",
    "",
    "Every benchmark starts its own TMDB sandbox (`sandbox/`) on 127.0.0.1; the CLI runs are the real",
    "`node --import tsx scripts/collect.ts` with `TMDB_API_KEY=sandbox-api-key` and `TMDB_BASE_URL` set to the sandbox.",
    "Databases and profiles go to the OS temp dir and are deleted at the end.",
    "",
    "## Results",
    "",
    "| Benchmark | Figure | Value | Goal | Status |",
    "|---|---|---|---|---|",
    ...r.figures.map((f) =>
      `| ${f.bench} | ${md(f.label)} | ${md(valueText(f))} | ${md(goalText(f.goal, f.unit))} | ${
        f.status === "MISS" || f.status === "ERROR" ? `**${f.status}**` : f.status
      } |`
    ),
    "",
    "## Goals not met",
    ""
  ]
  if (missed.length === 0) lines.push("None: every goal was met in this run.", "")
  // Figures that share a diagnosis are listed together, followed by it once.
  const groups = new Map<string, Array<Figure>>()
  for (const f of missed) {
    const bench = r.benches.find((b) => b.figures.some((x) => x.id === f.id))
    const why = bench?.diagnosis[f.id] ??
      (f.status === "ERROR" ? `Not measured: ${f.note ?? bench?.error ?? "unknown error"}` : "No profile finding recorded.")
    groups.set(why, [...(groups.get(why) ?? []), f])
  }
  for (const [why, figures] of groups) {
    lines.push(figures.map((f) => `- **${md(f.label)}**: ${md(valueText(f))}, goal ${md(goalText(f.goal, f.unit))}.`).join("\n"), "", why, "")
  }
  for (const b of r.benches) {
    lines.push(`## ${b.title}`, "")
    if (!ranNow.has(b.name)) lines.push(`_Carried over from the run of ${b.ranAt}; not re-run this time._`, "")
    lines.push(`Took ${fmtNum(b.seconds)} s.`, "")
    if (b.error !== undefined) lines.push(`**Error:** ${md(b.error)}`, "")
    for (const p of b.method) lines.push(p, "")
    if (b.details.length > 0) lines.push(...b.details, "")
  }
  return lines.join("\n")
}

export const writeOutputs = (dir: string, results: Results, ranNow: ReadonlySet<string>, mdFile: string): void => {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify(results, null, 2) + "\n")
  fs.writeFileSync(mdFile, renderMarkdown(results, ranNow))
}
