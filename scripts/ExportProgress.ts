import * as nodePath from "node:path"
import type { ExportResult } from "../services/DatasetWriter.js"

// What `npm run export` says on stderr while it runs and when it is done (README "Export").

const fmt = (n: number) => n.toLocaleString("en-US")

/**
 * Progress: on a TTY one live line, rewritten at most every 200 ms; otherwise a line every
 * 5 s, so a log of a long export shows it moving. `stop` ends the live line.
 */
export const exportProgress = (out: NodeJS.WriteStream = process.stderr, every = out.isTTY === true ? 200 : 5_000) => {
  const tty = out.isTTY === true
  const started = Date.now()
  let printed = started
  let shown = false
  const report = (file: string, rows: number) => {
    const now = Date.now()
    if (now - printed < every) return
    printed = now
    const line = `exporting ${file}: ${fmt(rows)} rows  (${Math.round((now - started) / 1000)} s)`
    if (tty) {
      out.write(`\r\u001b[2K${line}`)
      shown = true
    } else out.write(`${line}\n`)
  }
  const stop = () => {
    if (shown) out.write("\r\u001b[2K")
    shown = false
  }
  return { report, stop }
}

/**
 * The last line: movies, rows (Parquet), folder, time, files; then, if any, the values a
 * column's type could not hold (a release date not on the calendar), which were written as NULL.
 */
export const summaryLine = (dir: string, format: string, written: ExportResult, ms: number): string => {
  const rows = Object.values(written.rows).reduce((a, b) => a + b, 0)
  const counted = format === "parquet" ? ` and ${fmt(rows)} rows in all` : ""
  const files = written.files.map((file) => nodePath.basename(file))
  const head = `exported ${fmt(written.movies)} movies${counted} to ${dir} in ${(ms / 1000).toFixed(1)} s (${files.length} files: ${files.join(", ")})`
  const odd = Object.entries(written.unreadable)
  if (odd.length === 0) return head
  const total = odd.reduce((n, [, count]) => n + count, 0)
  return `${head}\n${fmt(total)} stored values were not valid for their column's type and were written as NULL: ${
    odd.map(([column, count]) => `${column} ${fmt(count)}`).join(", ")
  }`
}
