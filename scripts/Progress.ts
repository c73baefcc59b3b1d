import type { CollectionProgress as Progress, CollectionSummary, KindSummary } from "../src/Collection.js"
import { pluralOf } from "../src/kinds/Kinds.js"

const fmt = (n: number) => n.toLocaleString("en-US")
const duration = (ms: number) => {
  const s = Math.round(ms / 1000)
  return s >= 3600 ?
    `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
    : s >= 60
    ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
    : `${s}s`
}

/** `1 page`, `2 pages`. */
const count = (n: number, noun: string) => `${fmt(n)} ${noun}${n === 1 ? "" : "s"}`

/** `1 movie`, `2 companies`, `3 people`: records of a kind, by its name. */
export const records = (n: number, kind: string) => `${fmt(n)} ${n === 1 ? kind : pluralOf(kind)}`

/** The label of a kind's progress line: the phase's for movies, the kind's plural for the others. */
const labelOf = (phase: string, kind: string | undefined) => {
  const label = kind === undefined || kind === "movie" ? phase : pluralOf(kind)
  return label.length < 10 ? label.padEnd(10) : `${label} `
}

// Below a second a rate is noise: one page in the first millisecond reads 1000 pages/s.
const MIN_RATE_MS = 1_000

/**
 * Progress on stderr: on a TTY one live line (done/total, rate, ETA); otherwise a log line every
 * `intervalMs`. Discovery counts are the year's own; once a second year starts, the line adds
 * the totals so far. Returns the callback and a `stop` that ends the live line.
 */
export const progressReporter = (out: NodeJS.WriteStream = process.stderr, intervalMs = 5_000) => {
  const tty = out.isTTY === true
  let last: Progress | undefined
  let lastPrinted = 0
  let phaseStart = Date.now()
  let phase: string | undefined
  // The collector reports running totals over all years, and years come one after another.
  let year = { year: 0, pagesBefore: 0, moviesBefore: 0 }
  const line = (p: Progress): string => {
    const elapsed = Date.now() - phaseStart
    if (p.phase === "discover") {
      const own = `${count(p.pages - year.pagesBefore, "page")}, ${count(p.movies - year.moviesBefore, "movie")}`
      const total = year.pagesBefore > 0 ? ` (all years: ${count(p.pages, "page")}, ${count(p.movies, "movie")})` : ""
      const rate = elapsed >= MIN_RATE_MS ? `  ${(p.pages * 1000 / elapsed).toFixed(1)} pages/s` : ""
      return `discover  ${p.year}: ${own}${total}${rate}`
    }
    if (p.phase === "export") {
      const rate = elapsed >= MIN_RATE_MS ? `  ${fmt(Math.round(p.lines * 1000 / elapsed))} lines/s` : ""
      return `${labelOf("export", p.kind)}${count(p.lines, "line")} read, ${fmt(p.kept)} kept${rate}`
    }
    const pct = p.total > 0 ? ((100 * p.done) / p.total).toFixed(1) : "100.0"
    const head = `${labelOf("details", p.kind)}${fmt(p.done)}/${fmt(p.total)} (${pct}%)  ${fmt(p.failed)} failed`
    if (elapsed < MIN_RATE_MS) return head
    const rate = (p.done * 1000) / elapsed
    const eta = rate > 0 ? duration(((p.total - p.done) / rate) * 1000) : "?"
    return `${head}  ${rate.toFixed(1)}/s  ETA ${eta}`
  }
  let shown = ""
  /** Writes `p`'s line unless it is the line already shown; `final` ends a live line. */
  const show = (p: Progress, final: boolean) => {
    const text = line(p)
    if (text !== shown) out.write(tty ? `\r\x1b[2K${text}${final ? "\n" : ""}` : `${text}\n`)
    else if (tty && final) out.write("\n")
    shown = final ? "" : text
    lastPrinted = Date.now()
  }
  const onProgress = (p: Progress) => {
    const now = p.phase === "discover" ? p.phase : `${p.phase}:${p.kind ?? ""}`
    if (now !== phase) {
      // The previous phase's last figures stay on screen (or in the log).
      if (last !== undefined) show(last, true)
      phase = now
      phaseStart = Date.now()
    }
    if (p.phase === "discover" && p.year !== year.year) {
      // So does the previous year's.
      if (last?.phase === "discover") {
        show(last, true)
        year = { year: p.year, pagesBefore: last.pages, moviesBefore: last.movies }
      } else {
        year = { year: p.year, pagesBefore: 0, moviesBefore: 0 }
      }
    }
    last = p
    if (Date.now() - lastPrinted >= (tty ? 100 : intervalMs)) show(p, false)
  }
  const stop = () => {
    if (last !== undefined) show(last, true)
    last = undefined
  }
  return { onProgress, stop }
}

/** A kind other than the first (collections, companies, people): what its run did, on one line. */
const kindLine = (kind: string, k: KindSummary) => {
  const failed = Object.entries(k.failed).map(([reason, n]) => `${reason} ${fmt(n ?? 0)}`)
  const changes = k.changes?.status === "read"
    ? `; changes listed ${fmt(k.changes.listed)} stored`
    : k.changes?.status === "failed"
    ? "; changes FAILED: read again next run"
    : ""
  return `  ${pluralOf(kind).padEnd(15)}${fmt(k.detailsFetched)} of ${fmt(k.detailsChosen)} chosen, ${fmt(k.new)} new to the store${
    failed.length > 0 ? `, failed ${failed.join(", ")} (see ${kind}_failures)` : ""
  }${k.removed > 0 ? `, ${fmt(k.removed)} removed` : ""}${changes}`
}

/** The human summary printed at the end of a run. */
export const formatSummary = (s: CollectionSummary): string => {
  const e = s.export
  const c = s.changes
  const lines = [
    `${s.complete ? "Collection complete" : "Collection INCOMPLETE"} in ${duration(s.durationMs)} (run ${s.runId})`,
    e === undefined
      ? `  discovered     ${fmt(s.discovered)} movies (${fmt(s.new)} new) in ${fmt(s.discoverPages)} pages`
      : `  export         ${e.date}: ${count(e.lines, "line")} read, ${fmt(e.kept)} kept, ${fmt(e.filteredOut)} filtered out, ${fmt(e.malformed)} malformed; ${
        fmt(e.new)
      } movies new to the store`,
    c.status === "read"
      ? `  changes        ${c.from}..${c.to}: ${fmt(c.listed)} listed, ${fmt(c.stored)} stored${s.mode === "all" ? `, ${fmt(c.new)} new` : ""}`
      : c.status === "failed"
      ? `  changes        ${c.from}..${c.to}: a page FAILED (${c.failure?.from}..${c.failure?.to}: ${c.failure?.kind}: ${c.failure?.message}); read again next run`
      : c.status === "too-old"
      ? `  changes        not read: the mark (${c.from}) is older than 90 days; the age-based refresh covers the gap`
      : c.status === "elsewhere"
      ? `  changes        read by another collector of generation ${s.shared?.generation ?? "?"}`
      : `  changes        first run: the mark is set to today; the next run reads /movie/changes from it`,
    `  details        ${fmt(s.detailsFetched)} of ${fmt(s.detailsChosen)} chosen`,
    ...(s.shared === undefined ? [] : [
      `  shared         generation ${s.shared.generation}: this collector did ${
        s.shared.did.length === 0 ? "no shared unit" : s.shared.did.map((u) => u.replace(/^discover:(\d+):.*$/, "discover $1")).join(", ")
      }; ${count(s.shared.byOthers, "unit")} by others (see collection_runs)`
    ]),
    `  requests       ${fmt(s.requests)} (${fmt(s.retries)} retries, ${fmt(s.rateLimited)} answered 429; rate settled at ${s.settledRate}/s${
      s.budget === undefined || s.budget.kind === "local"
        ? ""
        : s.budget.kind === "shared"
        ? ` in a budget shared with ${count(s.budget.collectors - 1, "other collector")} in Redis`
        : `, its own share after Redis went away`
    })`
  ]
  if (s.removed + s.restored > 0) {
    lines.push(`  removed        ${fmt(s.removed)} movies TMDB no longer serves (kept, marked removed_at); ${fmt(s.restored)} back`)
  }
  if (e?.firstMalformed !== undefined) {
    lines.push(`  malformed      first at ${e.firstMalformed.file} line ${fmt(e.firstMalformed.line)}: ${e.firstMalformed.reason}`)
  }
  lines.push(...Object.entries(s.kinds).slice(1).map(([kind, k]) => kindLine(kind, k)))
  const failures = Object.entries(s.failed)
  if (failures.length > 0) {
    lines.push(`  failed         ${failures.map(([k, n]) => `${k} ${fmt(n ?? 0)}`).join(", ")} (see table fetch_failures)`)
  }
  for (const f of s.discoveryFailures) {
    lines.push(`  discovery page failed: ${f.year} ${f.from}..${f.to} page ${f.page}: ${f.kind}: ${f.message}`)
  }
  for (const i of s.incomplete) {
    lines.push(`  incomplete: ${i.year} ${i.from}..${i.to}: ${fmt(i.found)} of ${fmt(i.totalResults)} listed, ${fmt(i.missing)} missing`)
  }
  for (const t of s.truncated) {
    lines.push(`  truncated (${t.reason}): ${t.year} ${t.from}..${t.to}: ${t.pagesFetched} of ${t.totalPages} pages`)
  }
  return lines.join("\n")
}
