import * as fs from "node:fs"
import { SourceMap } from "node:module"
import * as path from "node:path"
import { fmtNum, root, round } from "./helpers.js"
import type { CallFrame, CpuProfile } from "./profile.js"

// Where the main thread's CPU went: the CPU profile (`--cpu-prof`) of the traced run, its
// samples' own time put in buckets by the source each function came from. The bundle's frames
// are mapped back through dist/cli.cjs.map, so a frame of Effect's runtime counts as Effect's
// and one of services/ as the collector's own, minified names or not.

const BUCKETS = [
  "Effect's runtime (effect)",
  "garbage collection",
  "SQL (@effect/sql, better-sqlite3, SQLite)",
  "HTTP (@effect/platform, undici)",
  "Brotli (node:zlib)",
  "Node's own JavaScript (streams, timers, sockets)",
  "tmdb-collector's own code (JSON.parse and decoding included)",
  "V8 and native calls, other packages"
] as const
type Bucket = typeof BUCKETS[number]

const byPackage = (source: string): Bucket => {
  if (/node_modules\/effect\//.test(source)) return "Effect's runtime (effect)"
  if (/node_modules\/(@effect\/sql|better-sqlite3)/.test(source)) return "SQL (@effect/sql, better-sqlite3, SQLite)"
  if (/node_modules\/(@effect\/platform|undici)/.test(source)) return "HTTP (@effect/platform, undici)"
  if (/node_modules\//.test(source)) return "V8 and native calls, other packages"
  return "tmdb-collector's own code (JSON.parse and decoding included)"
}

/** The bucket of one frame; undefined for idle time, which is not CPU. */
const bucketOf = (frame: CallFrame, map: SourceMap): Bucket | undefined => {
  const { functionName, url } = frame
  if (functionName === "(idle)" || functionName === "(root)") return undefined
  if (functionName === "(garbage collector)") return "garbage collection"
  if (url.endsWith("dist/cli.cjs")) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber)
    return byPackage("originalSource" in entry ? entry.originalSource : "")
  }
  if (url === "node:zlib") return "Brotli (node:zlib)"
  if (url.startsWith("node:")) return "Node's own JavaScript (streams, timers, sockets)"
  if (url.startsWith("wasm://")) return "HTTP (@effect/platform, undici)" // undici's llhttp parser
  if (url.includes("/node_modules/")) return byPackage(url)
  return "V8 and native calls, other packages"
}

/** Milliseconds of main-thread CPU per bucket, read from the main thread's profile in `dir`. */
export const whereItWent = (dir: string): Map<Bucket, number> => {
  // CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile: the main thread is thread 0.
  const file = fs.readdirSync(dir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
  if (file === undefined) throw new Error(`no main-thread CPU profile in ${dir}`)
  const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as CpuProfile
  const map = new SourceMap(JSON.parse(fs.readFileSync(path.join(root, "dist/cli.cjs.map"), "utf8")))
  const bucketById = new Map(profile.nodes.map((n) => [n.id, bucketOf(n.callFrame, map)]))
  const ms = new Map<Bucket, number>(BUCKETS.map((b) => [b, 0]))
  // A sample's time is the delta to the next one, in microseconds. Only the middle 80% of the
  // run's time counts, as the measured runs count only the middle of their detail requests:
  // start-up and discovery come before, the linked records after.
  const { samples = [], timeDeltas = [] } = profile
  const at: Array<number> = []
  timeDeltas.reduce((t, d) => (at.push(t + d), t + d), 0)
  const [from, to] = [at.at(-1)! * 0.1, at.at(-1)! * 0.9]
  samples.forEach((id, i) => {
    const bucket = bucketById.get(id)
    const next = timeDeltas[i + 1]
    if (bucket !== undefined && next !== undefined && at[i]! >= from && at[i]! <= to) ms.set(bucket, ms.get(bucket)! + next / 1000)
  })
  return ms
}

/** A table of both modes: each bucket's share of the main thread's CPU in the profile's window. */
export const whereTable = (modes: ReadonlyArray<{ readonly name: string; readonly ms: Map<Bucket, number> }>) => {
  const totals = modes.map((m) => [...m.ms.values()].reduce((a, b) => a + b, 0))
  return [
    `| main thread's CPU by where it ran (the middle 80% of the run's time) | ${modes.map((m) => m.name).join(" | ")} |`,
    `|---|${modes.map(() => "---").join("|")}|`,
    ...BUCKETS.map((b) => `| ${b} | ${modes.map((m, i) => `${Math.round((m.ms.get(b)! * 100) / totals[i]!)}%`).join(" | ")} |`),
    `| all of it (profiled, so a little slower than measured) | ${totals.map((t) => `${fmtNum(round(t / 1000, 2))} s`).join(" | ")} |`
  ]
}
