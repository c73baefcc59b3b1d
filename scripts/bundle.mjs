// Bundles the CLI (scripts/collect.ts) into dist/cli.cjs for plain node: one file to load
// instead of tsx compiling hundreds of modules at every start. better-sqlite3 stays outside,
// as its native addon cannot be bundled. CommonJS, so that dist/collect.js (scripts/launch.mjs)
// can run it from V8's code cache, which only vm.Script offers on Node 20. Run by
// `npm run build` (and so by `npm install`), which also makes that cache with one `--help`.
// The export (scripts/export.ts) is bundled the same way into dist/export.cjs, which
// `npm run export` runs: a start of ~0.3 s instead of tsx's ~5 s; and `npm run status` likewise
// (dist/status.cjs).
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"

const bundle = (entry, outfile, options = {}) =>
  build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["better-sqlite3"],
    // Modules that resolve a path from their own URL (layers/Checkpoints.ts) get the bundle's.
    define: { "import.meta.url": "__importMetaUrl" },
    banner: { js: "\"use strict\";var __importMetaUrl = require(\"node:url\").pathToFileURL(__filename).href;" },
    legalComments: "none",
    minify: true,
    logLevel: "warning",
    ...options
  })
await Promise.all([
  bundle("scripts/collect.ts", "dist/cli.cjs", { sourcemap: true }),
  bundle("scripts/export.ts", "dist/export.cjs"),
  bundle("scripts/status.ts", "dist/status.cjs")
])
fs.copyFileSync("scripts/launch.mjs", "dist/collect.js")
// Caches of earlier bundles (named by their hash) would only take room.
for (const f of fs.readdirSync("dist")) if (f.endsWith(".v8cache") || f.includes(".v8cache.")) fs.rmSync(`dist/${f}`, { force: true })
// The same flags as package.json's collect script: V8 keys its cache on them.
const { scripts } = JSON.parse(fs.readFileSync("package.json", "utf8"))
const flags = scripts.collect.split(/\s+/).filter((w) => w.startsWith("--"))
execFileSync(process.execPath, [...flags, "dist/collect.js", "--help"], { stdio: "ignore" })
