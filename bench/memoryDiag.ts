import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { type Ctx, fmtNum, root } from "./helpers.js"
import { collect, MB, type Run } from "./memoryRuns.js"
import type { SandboxProcess } from "./processes.js"

// Diagnostics for the memory figures: what a heap snapshot of the CLI holds, the same CLI
// bundled and run without tsx, and what the barrel imports of @effect/platform(-node) cost.

interface Snapshot {
  snapshot: { meta: { node_fields: Array<string>; node_types: [Array<string>, ...Array<unknown>] } }
  nodes: Array<number>
  strings: Array<string>
}

/** Live heap of a .heapsnapshot by node type, its largest strings, and the embedded UI bundles. */
export const analyseSnapshot = (file: string) => {
  const s = JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot
  const fields = s.snapshot.meta.node_fields
  const types = s.snapshot.meta.node_types[0]
  const width = fields.length
  const ti = fields.indexOf("type")
  const ni = fields.indexOf("name")
  const si = fields.indexOf("self_size")
  const byType = new Map<string, number>()
  const strings: Array<{ size: number; text: string }> = []
  let total = 0
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + ti]!] ?? "?"
    const size = s.nodes[i + si]!
    total += size
    byType.set(type, (byType.get(type) ?? 0) + size)
    if (type === "string" && size > 64 * 1024) strings.push({ size, text: s.strings[s.nodes[i + ni]!] ?? "" })
  }
  strings.sort((a, b) => b.size - a.size)
  const uiBundles = strings
    .filter((x) => /swagger-ui|@scalar\/api-reference/.test(x.text.slice(0, 400)))
    .reduce((a, x) => a + x.size, 0)
  const sourceLike = strings.filter((x) => /^(\/\*|\/\/|import |export |"use strict"|'use strict')/.test(x.text)).reduce((a, x) => a + x.size, 0)
  return {
    totalMB: total / MB,
    byTypeMB: [...byType.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([t, b]) => [t, b / MB] as const),
    uiBundlesMB: uiBundles / MB,
    sourceStringsMB: sourceLike / MB,
    largest: strings.slice(0, 5).map((x) => ({ MB: x.size / MB, starts: x.text.slice(0, 70).replace(/[\s`|\\]+/g, " ") }))
  }
}

/** A folder in `tmp` whose node_modules points at the repo's, so plain node resolves packages there. */
const linkedDir = (tmp: string) => {
  const dir = path.join(tmp, "linked")
  fs.mkdirSync(dir, { recursive: true })
  if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir")
  return dir
}

/** scripts/collect.ts bundled by esbuild (packages external), to run with plain node, no tsx. */
export const bundleCli = (tmp: string): string => {
  const outfile = path.join(linkedDir(tmp), "collect.mjs")
  const r = spawnSync(path.join(root, "node_modules/.bin/esbuild"), [
    path.join(root, "scripts/collect.ts"), "--bundle", "--platform=node", "--format=esm", "--target=node20",
    "--packages=external", `--outfile=${outfile}`, "--log-level=error"
  ], { cwd: root, encoding: "utf8", timeout: 60_000 })
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.stderr || r.error?.message}`)
  return outfile
}

const IMPORTS = {
  deep: ["effect", "@effect/cli", "@effect/sql", "@effect/sql-sqlite-node", "@effect/platform-node/NodeContext", "@effect/platform-node/NodeRuntime",
    "@effect/platform-node/NodeHttpClient", "@effect/platform/HttpClient", "@effect/platform/HttpClientRequest", "@effect/platform/HttpClientError"],
  barrels: ["@effect/platform", "@effect/platform-node"]
}

/** Live heap, RSS and load time of the CLI's imports, deep only vs deep + the two barrels the project imports. */
export const importCost = (tmp: string) => {
  const file = path.join(linkedDir(tmp), "imports.mjs")
  fs.writeFileSync(file, `const deep = ${JSON.stringify(IMPORTS.deep)}, barrels = ${JSON.stringify(IMPORTS.barrels)}
const t = performance.now()
for (const m of deep) await import(m)
if (process.argv[2] === "barrel") for (const m of barrels) await import(m)
const ms = performance.now() - t
globalThis.gc(); const u = process.memoryUsage()
console.log(JSON.stringify({ ms, heapMB: u.heapUsed / ${MB}, rssMB: u.rss / ${MB} }))\n`)
  const run = (mode: string) => {
    const r = spawnSync(process.execPath, ["--expose-gc", file, mode], { encoding: "utf8", timeout: 60_000 })
    if (r.status !== 0) throw new Error(`import cost (${mode}): ${r.stderr}`)
    return JSON.parse(r.stdout) as { ms: number; heapMB: number; rssMB: number }
  }
  // Median of three of each, alternated.
  const deep: Array<{ ms: number; heapMB: number; rssMB: number }> = []
  const barrel: Array<{ ms: number; heapMB: number; rssMB: number }> = []
  for (let i = 0; i < 3; i++) {
    deep.push(run("deep"))
    barrel.push(run("barrel"))
  }
  const mid = (xs: Array<{ ms: number; heapMB: number; rssMB: number }>, k: "ms" | "heapMB" | "rssMB") => xs.map((x) => x[k]).sort((a, b) => a - b)[1]!
  return {
    deep: { ms: mid(deep, "ms"), heapMB: mid(deep, "heapMB"), rssMB: mid(deep, "rssMB") },
    barrel: { ms: mid(barrel, "ms"), heapMB: mid(barrel, "heapMB"), rssMB: mid(barrel, "rssMB") }
  }
}

/** Files on the CLI's path that import a whole `@effect/platform` or `@effect/platform-node` barrel at run time. */
const barrelImporters = (): Record<string, Array<string>> => {
  const out: Record<string, Array<string>> = { "@effect/platform": [], "@effect/platform-node": [] }
  const files = ["src", "services", "layers"]
    .flatMap((dir) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".ts") && f !== "TestHttp.ts").map((f) => `${dir}/${f}`))
  for (const file of [...files, "scripts/collect.ts"]) {
    const text = fs.readFileSync(path.join(root, file), "utf8")
    for (const m of text.matchAll(/^import (?!type )[^;]*?from "(@effect\/platform(?:-node)?)"/gm)) out[m[1]!]?.push(file)
  }
  return out
}

const failed = (what: string, error: unknown) => `(${what} failed: ${error instanceof Error ? error.message : String(error)})`

/**
 * Why the peak RSS is what it is, from extra runs of the `mid` collection: a heap snapshot
 * mid-run, the CLI bundled and run without tsx, with a capped old space, both, and the cost of
 * the barrel imports. Returns the diagnosis; appends the raw observations to `details`.
 */
export const diagnoseMemory = async (ctx: Ctx, sandbox: SandboxProcess, dir: string, mid: Run, helpMB: number, details: Array<string>) => {
  const parts: Array<string> = []
  const p = mid.probe
  const mb = (bytes: number) => `${fmtNum(bytes / MB)} MB`
  const barrels = barrelImporters()
  const list = (files: ReadonlyArray<string>) => (files.length === 0 ? "no project file" : files.map((f) => `\`${f}\``).join(", "))
  parts.push(`\`--help\` alone (every module loaded, no work) peaks at ${fmtNum(helpMB)} MB.`)
  if (p !== undefined) {
    parts.push(`At the ${mid.movies}-movie peak (${fmtNum(mid.cli.peakRssMB)} MB) the V8 heap total was ${mb(p.atPeak.heapTotal)} ` +
      `(used ${mb(p.atPeak.heapUsed)}).`)
  }
  try {
    const snapFile = path.join(dir, "mid.heapsnapshot")
    ctx.log("memory: heap snapshot run")
    const run = await collect(sandbox, dir, mid.size, {
      env: { BENCH_PROBE_SNAPSHOT_AT_MS: String(Math.round(mid.cli.wallMs * 0.6)), BENCH_PROBE_SNAPSHOT_FILE: snapFile }
    })
    const snap = fs.existsSync(snapFile) ? analyseSnapshot(snapFile) : undefined
    fs.rmSync(snapFile, { force: true })
    const at = run.probe?.snapshot
    if (snap !== undefined && at !== undefined) {
      parts.push(`A heap snapshot ${fmtNum(at.atMs / 1000)} s into the same collection: heap used ${mb(at.before.heapUsed)} of ${mb(at.before.heapTotal)} ` +
        `before it, ${fmtNum(snap.totalMB)} MB live after its full GC, so most of the heap is garbage not yet collected, not retained data. ` +
        `Of the live heap, ${fmtNum(snap.sourceStringsMB)} MB are JavaScript module sources kept as strings, ${fmtNum(snap.uiBundlesMB)} MB of them ` +
        "the Swagger UI and Scalar bundles that `@effect/platform`'s HttpApiSwagger/HttpApiScalar embed, which only the `@effect/platform` barrel loads " +
        `(imported whole by ${list(barrels["@effect/platform"] ?? [])}; the \`@effect/platform-node\` barrel, every module of it, by ` +
        `${list(barrels["@effect/platform-node"] ?? [])}).`)
      details.push("", `Heap snapshot of the ${mid.movies}-movie run at ${fmtNum(at.atMs / 1000)} s (RSS ${mb(at.before.rss)}, heap used ${mb(at.before.heapUsed)}, ` +
        `heap total ${mb(at.before.heapTotal)} before it): ${fmtNum(snap.totalMB)} MB live; by type ` +
        snap.byTypeMB.map(([t, v]) => `${t} ${fmtNum(v)} MB`).join(", ") + ". Largest strings: " +
        snap.largest.map((x) => `${fmtNum(x.MB)} MB "${x.starts}…"`).join("; ") + ".")
    }
  } catch (error) {
    parts.push(failed("heap snapshot run", error))
  }
  let bundle: string | undefined
  try {
    ctx.log("memory: the same collection, bundled by esbuild and run with plain node")
    bundle = bundleCli(dir)
    const bundled = await collect(sandbox, dir, mid.size, { script: bundle })
    parts.push(`The same collection with scripts/collect.ts bundled by esbuild and run by plain node (no tsx) peaks at ` +
      `${fmtNum(bundled.cli.peakRssMB)} MB in ${fmtNum(bundled.cli.wallMs / 1000)} s (${fmtNum(bundled.cpuMs / 1000)} s CPU), against ` +
      `${fmtNum(mid.cli.peakRssMB)} MB in ${fmtNum(mid.cli.wallMs / 1000)} s (${fmtNum(mid.cpuMs / 1000)} s CPU) under tsx.`)
    details.push("", `Bundled CLI (esbuild, plain node, ${bundled.movies} movies): peak RSS ${fmtNum(bundled.cli.peakRssMB)} MB, ` +
      `wall ${fmtNum(bundled.cli.wallMs / 1000)} s, CPU ${fmtNum(bundled.cpuMs / 1000)} s.`)
  } catch (error) {
    parts.push(failed("bundled run", error))
  }
  try {
    ctx.log("memory: the same collection with --max-old-space-size=128")
    const capped = await collect(sandbox, dir, mid.size, { nodeArgs: ["--max-old-space-size=128"] })
    const costly = capped.cpuMs > 1.1 * mid.cpuMs
    parts.push(`With \`--max-old-space-size=128\` it peaks at ${fmtNum(capped.cli.peakRssMB)} MB in ${fmtNum(capped.cli.wallMs / 1000)} s ` +
      `(${fmtNum(capped.cpuMs / 1000)} s CPU, against ${fmtNum(mid.cpuMs / 1000)} s uncapped): ` +
      (costly
        ? "the heap grows because the client allocates fast, and collecting it more often costs CPU."
        : "V8 lets the old space grow when memory is plentiful; capping it costs no measurable CPU here, so a cap is a cheap stopgap."))
    details.push("", `CLI under tsx with \`--max-old-space-size=128\` (${capped.movies} movies): peak RSS ${fmtNum(capped.cli.peakRssMB)} MB, ` +
      `wall ${fmtNum(capped.cli.wallMs / 1000)} s, CPU ${fmtNum(capped.cpuMs / 1000)} s, heap used max ${mb(capped.probe?.heapUsedMax ?? Number.NaN)}.`)
  } catch (error) {
    parts.push(failed("capped-heap run", error))
  }
  try {
    if (bundle !== undefined) {
      ctx.log("memory: bundled and --max-old-space-size=128 together")
      const both = await collect(sandbox, dir, mid.size, { script: bundle, nodeArgs: ["--max-old-space-size=128"] })
      parts.push(`Both together (bundled, plain node, capped): ${fmtNum(both.cli.peakRssMB)} MB in ${fmtNum(both.cli.wallMs / 1000)} s ` +
        `(${fmtNum(both.cpuMs / 1000)} s CPU).`)
      details.push("", `Bundled CLI with \`--max-old-space-size=128\` (${both.movies} movies): peak RSS ${fmtNum(both.cli.peakRssMB)} MB, ` +
        `wall ${fmtNum(both.cli.wallMs / 1000)} s, CPU ${fmtNum(both.cpuMs / 1000)} s.`)
    }
  } catch (error) {
    parts.push(failed("bundled + capped run", error))
  }
  try {
    const cost = importCost(dir)
    parts.push(`Importing the two barrels on top of the deep imports the CLI needs costs +${fmtNum(cost.barrel.heapMB - cost.deep.heapMB)} MB live heap, ` +
      `+${fmtNum(cost.barrel.rssMB - cost.deep.rssMB)} MB RSS and +${fmtNum(cost.barrel.ms - cost.deep.ms)} ms of start-up.`)
    details.push("", `Import cost (plain node, after GC, median of 3): deep imports only ${fmtNum(cost.deep.heapMB)} MB heap / ${fmtNum(cost.deep.rssMB)} MB RSS / ` +
      `${fmtNum(cost.deep.ms)} ms; with the \`@effect/platform\` and \`@effect/platform-node\` barrels ${fmtNum(cost.barrel.heapMB)} MB / ` +
      `${fmtNum(cost.barrel.rssMB)} MB / ${fmtNum(cost.barrel.ms)} ms.`)
  } catch (error) {
    parts.push(failed("import cost", error))
  }
  parts.push("Suggested fixes: run the CLI as compiled JavaScript (an esbuild/tsc build step, `node dist/collect.js`) instead of through tsx; " +
    "import deep paths (`@effect/platform/HttpClient`, `@effect/platform-node/NodeHttpClient`, ...) instead of the barrels; cap the old space " +
    "for the CLI (`--max-old-space-size`, e.g. through `NODE_OPTIONS` in the `collect` script) as a stopgap; and cut the client's " +
    "per-request allocation (see Client overhead: the CPU and garbage of the Effect pipeline per request), which is what makes the heap grow.")
  return parts.join(" ")
}
