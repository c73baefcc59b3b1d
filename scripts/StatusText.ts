import type { KindStatus, Status } from "../services/StoreStatus.js"
import { pluralOf } from "../src/kinds/Kinds.js"

// `npm run status` for a person: one short table a question (how much, how fresh, what is due,
// what failed, what ran), each row a kind of record.

const n = (x: number) => x.toLocaleString("en-US")
const percent = (part: number, whole: number) => (whole === 0 ? "" : ` (${((100 * part) / whole).toFixed(1)}%)`)
const minute = (at: string) => `${at.slice(0, 10)} ${at.slice(11, 16)}`

/** An age for a person: minutes, hours, then days. */
const age = (days: number): string => {
  if (days < 1 / 24) return `${Math.round(days * 24 * 60)} min`
  if (days < 1) return `${(days * 24).toFixed(1)} h`
  return `${days < 10 ? days.toFixed(1) : Math.round(days)} d`
}

const seconds = (
  ms: number
) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 3_600_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 3_600_000).toFixed(1)} h`)

// Columns padded to their widest cell: figures to the right, words to the left.
const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): Array<string> => {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)))
  const figure = (cell: string, i: number) => i > 0 && /^[\d#]/.test(cell)
  return all.map((row) => row.map((cell, i) => (figure(cell, i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd())
}

const named = (counts: Record<string, number>) => Object.entries(counts).map(([kind, count]) => `${kind} ${n(count)}`).join(", ")
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)

const exportCell = (k: KindStatus) =>
  k.export === null
    ? ["none read", "", ""]
    : [k.export.date, n(k.export.listed), `${n(k.export.withDetails)}${percent(k.export.withDetails, k.export.listed)}`]

const changesCell = (k: KindStatus) => {
  if (k.changes === null) return ["never read", "", ""]
  const left = k.changes.daysLeft >= 0 ? `${k.changes.daysLeft} d` : `overrun by ${-k.changes.daysLeft} d: the stale rule catches up`
  return [k.changes.mark, `${k.changes.lagDays} d`, left]
}

/** The status as the lines a person reads. */
export const statusText = (s: Status, database: string): string => {
  const rows = (cells: (k: KindStatus) => ReadonlyArray<string>) => s.kinds.map((k) => [pluralOf(k.kind), ...cells(k)])
  const lines = [
    `${database}, read ${minute(s.at)} UTC`,
    "",
    ...table(
      ["records", "stored", "with details", "removed"],
      rows((k) => [n(k.stored), `${n(k.withDetails)}${percent(k.withDetails, k.stored)}`, n(k.removed)])
    ),
    "",
    ...table(
      ["due next run", "in all", "never fetched", "changed", "failed, retried", `stale (${s.staleAfterDays}-day rule)`],
      rows((k) => [n(k.due.total), n(k.due.neverFetched), n(k.due.changed), n(k.due.failedRetried), n(k.due.stale)])
    ),
    "",
    ...(s.kinds.every((k) => k.export === null)
      ? ["latest export: none read (`npm run collect -- --all` reads TMDB's daily exports)"]
      : table(["latest export", "date", "listed", "with details"], rows(exportCell))),
    "",
    ...table(["changes", "read from", "behind", "left of TMDB's 14 days"], rows(changesCell)),
    "",
    ...table(
      ["age of details", "median", "90th percentile", "oldest"],
      rows((
        k
      ) => (k.detailsAge === null
        ? ["", "", "none yet"]
        : [age(k.detailsAge.medianDays), age(k.detailsAge.p90Days), `${age(k.detailsAge.oldestDays)} (${minute(k.detailsAge.oldest)})`])
      )
    ),
    "",
    ...table(
      ["failures", "retried next run", "permanent"],
      rows((k) => [
        total(k.failures.retriedNextRun) === 0 ? "0" : `${n(total(k.failures.retriedNextRun))}: ${named(k.failures.retriedNextRun)}`,
        total(k.failures.permanent) === 0 ? "0" : `${n(total(k.failures.permanent))}: ${named(k.failures.permanent)}`
      ])
    ),
    "",
    ...(s.runs.length === 0 ? ["runs: none yet"] : table(
      ["runs", "status", "started (UTC)", "took", "requests", "429s"],
      s.runs.map((
        r
      ) => [
        `#${r.id}`,
        r.status,
        minute(r.startedAt),
        r.durationMs === null ? "" : seconds(r.durationMs),
        r.requests === null ? "" : n(r.requests),
        r.rateLimited === null ? "" : n(r.rateLimited)
      ])
    ))
  ]
  if (s.collectors !== null) {
    const c = s.collectors
    lines.push(
      "",
      c.alive.length === 0
        ? `collectors: none alive (last generation: ${c.generation ?? "none"})`
        : `collectors alive: ${c.alive.length}, generation ${c.generation ?? "?"}`
    )
    for (const a of c.alive) {
      const leases = Object.entries(a.leases).map(([kind, count]) => `${n(count)} ${pluralOf(kind)}`)
      const held = [...leases, ...(a.units.length === 0 ? [] : [`units ${a.units.join(", ")}`])]
      lines.push(`  #${a.runId} ${a.collector ?? "?"}: since ${minute(a.startedAt)}, holds ${held.length === 0 ? "nothing" : held.join("; ")}`)
    }
  }
  return lines.join("\n")
}
