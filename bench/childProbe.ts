import * as fs from "node:fs"
import * as v8 from "node:v8"

// Preloaded into a CLI child with `--import` (after tsx) by the memory benchmark: samples
// process.memoryUsage() every 100 ms and writes the peaks and the CPU time at exit to
// BENCH_PROBE_OUT. With BENCH_PROBE_SNAPSHOT_AT_MS it also writes one heap snapshot to
// BENCH_PROBE_SNAPSHOT_FILE at that time. It does nothing without BENCH_PROBE_OUT.

const out = process.env["BENCH_PROBE_OUT"]
if (out !== undefined && out !== "") {
  const t0 = performance.now()
  const first = process.memoryUsage()
  let atPeak = first
  let peakAtMs = 0
  let heapUsedMax = first.heapUsed
  let heapTotalMax = first.heapTotal
  let snapshot: { atMs: number; before: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage } | undefined
  const sample = () => {
    const m = process.memoryUsage()
    if (m.rss > atPeak.rss) {
      atPeak = m
      peakAtMs = performance.now() - t0
    }
    heapUsedMax = Math.max(heapUsedMax, m.heapUsed)
    heapTotalMax = Math.max(heapTotalMax, m.heapTotal)
  }
  setInterval(sample, 100).unref()
  const snapAt = Number(process.env["BENCH_PROBE_SNAPSHOT_AT_MS"] ?? "")
  const snapFile = process.env["BENCH_PROBE_SNAPSHOT_FILE"]
  if (Number.isFinite(snapAt) && snapAt > 0 && snapFile !== undefined) {
    setTimeout(() => {
      const before = process.memoryUsage()
      v8.writeHeapSnapshot(snapFile) // collects garbage first: what is left is live
      snapshot = { atMs: performance.now() - t0, before, after: process.memoryUsage() }
    }, snapAt).unref()
  }
  process.on("exit", () => {
    sample()
    const ru = process.resourceUsage()
    fs.writeFileSync(
      out,
      JSON.stringify({
        first,
        atPeak,
        peakAtMs,
        heapUsedMax,
        heapTotalMax,
        cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000,
        maxRssKB: ru.maxRSS,
        snapshot
      })
    )
  })
}
