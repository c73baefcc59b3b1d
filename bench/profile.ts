import { Session } from "node:inspector/promises"
import { findSourceMap } from "node:module"
import { root } from "./helpers.js"

// CPU profiles taken in this process with the inspector's sampling profiler, summarised by self
// time: per function, and per package (effect, undici, the project's own folders...).

export interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
  readonly columnNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly hitCount?: number
}
export interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly endTime: number
  readonly samples?: ReadonlyArray<number>
  /** Microseconds before each sample. */
  readonly timeDeltas?: ReadonlyArray<number>
}

interface SelfTime {
  readonly name: string
  readonly where: string
  readonly group: string
  readonly ms: number
  readonly share: number
}

/** Runs `work` under the sampling profiler and returns its profile. */
export const profile = async <A>(work: () => Promise<A>, intervalUs = 250): Promise<{ result: A; profile: CpuProfile }> => {
  const session = new Session()
  session.connect()
  try {
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: intervalUs })
    await session.post("Profiler.start")
    const result = await work()
    const { profile: p } = await session.post("Profiler.stop")
    return { result, profile: p as unknown as CpuProfile }
  } finally {
    session.disconnect()
  }
}

const rootUrl = `file://${root}/`

/** Where a frame's code lives: a package, a project folder, node itself, or V8. */
const groupOf = (f: CallFrame): string => {
  if (f.url === "") return f.functionName.startsWith("(") ? f.functionName : "(native)"
  if (f.url.startsWith("node:")) return "node internals"
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.url)
  if (nm?.[1] !== undefined) return nm[1]
  if (f.url.startsWith(rootUrl)) {
    const rel = f.url.slice(rootUrl.length)
    return `project ${rel.split("/")[0]}/`
  }
  return f.url
}

/** file:line; the project's TypeScript (compiled by tsx) is mapped back through its source map. */
const whereOf = (f: CallFrame): string => {
  if (f.url === "") return ""
  const nm = /node_modules\/(.+)$/.exec(f.url)
  if (nm?.[1] !== undefined) return `${nm[1]}:${f.lineNumber + 1}`
  if (!f.url.startsWith(rootUrl)) return `${f.url}:${f.lineNumber + 1}`
  let line = f.lineNumber
  try {
    const entry = findSourceMap(f.url)?.findEntry(f.lineNumber, f.columnNumber) as { originalLine?: number } | undefined
    if (typeof entry?.originalLine === "number") line = entry.originalLine
  } catch {
    // no source map: keep the generated line
  }
  return `${f.url.slice(rootUrl.length)}:${line + 1}`
}

export const summarise = (p: CpuProfile) => {
  const totalHits = p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0)
  const msPerHit = totalHits === 0 ? 0 : (p.endTime - p.startTime) / 1000 / totalHits
  const byFn = new Map<string, { name: string; where: string; group: string; hits: number }>()
  const byGroup = new Map<string, number>()
  let busy = 0
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0
    if (hits === 0 || n.callFrame.functionName === "(idle)") continue
    busy += hits
    const where = whereOf(n.callFrame)
    const name = n.callFrame.functionName === "" ? "(anonymous)" : n.callFrame.functionName
    const key = `${name}@${where}`
    const group = groupOf(n.callFrame)
    const e = byFn.get(key) ?? { name, where, group, hits: 0 }
    e.hits += hits
    byFn.set(key, e)
    byGroup.set(group, (byGroup.get(group) ?? 0) + hits)
  }
  const toSelf = (e: { name: string; where: string; group: string; hits: number }): SelfTime => ({
    name: e.name,
    where: e.where,
    group: e.group,
    ms: e.hits * msPerHit,
    share: busy === 0 ? 0 : e.hits / busy
  })
  const functions = [...byFn.values()].sort((a, b) => b.hits - a.hits).map(toSelf)
  const groups = [...byGroup.entries()].sort((a, b) => b[1] - a[1]).map(([group, hits]) => toSelf({ name: group, where: "", group, hits }))
  return { busyMs: busy * msPerHit, functions, groups }
}

export const selfTimeTable = (s: ReturnType<typeof summarise>, top = 15): Array<string> => [
  "| # | self ms | share of busy | function | where |",
  "|---|---|---|---|---|",
  ...s.functions.slice(0, top).map((f, i) =>
    `| ${i + 1} | ${f.ms.toFixed(0)} | ${(100 * f.share).toFixed(1)}% | \`${f.name.replaceAll("|", "\\|")}\` | ${f.where === "" ? f.group : `\`${f.where}\``} |`
  ),
  "",
  "Self time by where the code lives:",
  "",
  "| group | self ms | share of busy |",
  "|---|---|---|",
  ...s.groups.slice(0, 12).map((g) => `| ${g.name} | ${g.ms.toFixed(0)} | ${(100 * g.share).toFixed(1)}% |`)
]
