import * as fs from "node:fs"
import { monitorEventLoopDelay } from "node:perf_hooks"

// Preloaded into a CLI child with `--import` by the CPU benchmark: how late the event loop ran a
// 10 ms timer while the CLI ran (node's histogram holds the whole interval: the 10 ms are taken
// off), written to BENCH_LOOP_OUT at exit. Plain JavaScript, so the bundled CLI needs no loader.
// Does nothing without BENCH_LOOP_OUT.

const RESOLUTION_MS = 10
const out = process.env["BENCH_LOOP_OUT"]
if (out !== undefined && out !== "") {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  histogram.enable()
  process.on("exit", () => {
    histogram.disable()
    const ms = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS)
    fs.writeFileSync(out, JSON.stringify({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }))
  })
}
