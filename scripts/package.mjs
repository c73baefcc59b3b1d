// The package, as `npm pack ./dist` packs it: each entry of package.json's `exports` (index.ts,
// testing.ts, sqlite.ts, postgres.ts) as one JavaScript file and one .d.ts, their shared code in
// dist/chunks, and dist/package.json, the manifest without the repository's scripts and
// devDependencies. Run by `npm run build`, after tsc has written the declarations into dist/types
// and before scripts/bundle.mjs bundles the CLI, which stays out of the tarball.
import { build } from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { rollup } from "rollup"
import { dts } from "rollup-plugin-dts"

const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"))
const ENTRIES = Object.keys(pkg.exports).filter((k) => k !== "./package.json").map((k) => (k === "." ? "index" : k.slice(2)))
const dist = path.resolve("dist")

// What an earlier build left, the CLI's files included (scripts/bundle.mjs writes them next).
for (const f of fs.readdirSync(dist)) if (f !== "types") fs.rmSync(path.join(dist, f), { recursive: true, force: true })

// `npm install` arguments for optional peers, e.g. `pg@8`, `@effect/sql-pg@0.53`.
const install = (...names) =>
  names.map((n) => {
    const [major, minor] = pkg.peerDependencies[n].replace(/^[\^~]/, "").split(".")
    return `${n}@${major === "0" ? `0.${minor}` : major}`
  }).join(" ")
const SQLITE = install("@effect/sql-sqlite-node", "better-sqlite3")
const MESSAGES = {
  sqlite: `SQLite needs \`npm install ${SQLITE}\``,
  redis: `a request budget shared through Redis needs \`npm install ${install("ioredis")}\``,
  main: `MainLive and StoreLive need both databases' drivers: \`npm install ${SQLITE} ${install("@effect/sql-pg", "pg")}\``
}

// Stand-ins, so that `tmdb-collector` and `tmdb-collector/testing` import without the optional
// peer dependencies: the limiter names SharedBudget (ioredis), the test layers an in-memory
// SQLite, the index MainLive (whose module imports both databases' drivers). Each loads what it
// stands for when a layer that needs it is built; built without it, the layer dies naming what to
// install. They offer only the members the sources use: esbuild refuses an import of any other.
const main = path.resolve("layers/Main.ts")
const STAND_INS = {
  "support": `import { Effect } from "effect"
const MESSAGES = ${JSON.stringify(MESSAGES)}
const absent = (cause) => cause?.code === "ERR_MODULE_NOT_FOUND" || cause?.code === "MODULE_NOT_FOUND"
export const missing = (what, cause) => absent(cause) ? new Error("tmdb-collector: " + MESSAGES[what], { cause }) : cause
export const loader = (what, load) => Effect.tryPromise({ try: load, catch: (cause) => missing(what, cause) }).pipe(Effect.orDie)`,
  "ioredis": `import { createRequire } from "node:module"
import { missing } from "lazy:support"
const require = createRequire(import.meta.url)
export class Redis {
  constructor(...args) {
    let ioredis
    try { ioredis = require("ioredis") } catch (cause) { throw missing("redis", cause) }
    return new ioredis.Redis(...args)
  }
}`,
  "@effect/experimental/RateLimiter/Redis": `import { Effect } from "effect"
import { loader } from "lazy:support"
const load = loader("redis", () => import("@effect/experimental/RateLimiter/Redis"))
export const make = (options) => Effect.flatMap(load, (m) => m.make(options))`,
  "@effect/sql-sqlite-node": `export * as SqliteClient from "lazy:sqlite-client"`,
  "sqlite-client": `import { Effect, Layer } from "effect"
import { loader } from "lazy:support"
const load = loader("sqlite", () => import("@effect/sql-sqlite-node"))
export const layer = (config) => Layer.unwrapEffect(Effect.map(load, (m) => m.SqliteClient.layer(config)))`,
  [main]: `import { Effect, Layer } from "effect"
import { loader } from "lazy:support"
const load = loader("main", () => import(${JSON.stringify(main)}))
export const MainLive = (...args) => Layer.unwrapEffect(Effect.map(load, (m) => m.MainLive(...args)))
export const StoreLive = (...args) => Layer.unwrapEffect(Effect.map(load, (m) => m.StoreLive(...args)))`
}
const standIns = {
  name: "stand-ins",
  setup(b) {
    const peers = /^(ioredis|@effect\/experimental\/RateLimiter\/Redis|@effect\/sql-sqlite-node)$/
    // The packages themselves, as the stand-ins import them, are left to node.
    b.onResolve({ filter: peers }, (a) => (a.namespace === "lazy" ? { path: a.path, external: true } : { path: a.path, namespace: "lazy" }))
    b.onResolve({ filter: /^lazy:/ }, (a) => ({ path: a.path.slice(5), namespace: "lazy" }))
    b.onResolve({ filter: /\/layers\/Main\.js$/ }, (a) => (a.importer === path.resolve("index.ts") ? { path: main, namespace: "lazy" } : undefined))
    b.onLoad({ filter: /.*/, namespace: "lazy" }, (a) => ({ contents: STAND_INS[a.path], loader: "js", resolveDir: process.cwd() }))
  }
}

const built = await build({
  entryPoints: ENTRIES.map((e) => `${e}.ts`),
  outdir: dist,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunks/[name]-[hash]",
  plugins: [standIns],
  logLevel: "warning"
})
if (built.warnings.length > 0) throw new Error("esbuild warned about the library: see above")

// Declarations, bundled so that each entry names only what it exports: `tmdb-collector`'s types
// name neither ioredis nor a database driver. The driver entries in a second pass, where all they
// name besides their own layers comes from the first pass's index.d.ts.
const declarations = async (entries, plugins) => {
  const bundle = await rollup({
    input: Object.fromEntries(entries.map((e) => [e, path.join(dist, "types", `${e}.d.ts`)])),
    plugins: [...plugins, dts()],
    external: (id) => !id.startsWith(".") && !path.isAbsolute(id),
    onwarn: (w) => {
      // Types that public ones mention but no entry exports (BudgetLost, RedisTarget): kept, unnamed.
      if (w.code === "PLUGIN_WARNING" && /private shared type exports/.test(w.message)) return
      throw new Error(`rollup-plugin-dts: ${w.message}`)
    }
  })
  await bundle.write({ dir: dist, format: "es", entryFileNames: "[name].d.ts", chunkFileNames: "chunks/[name]-[hash].d.ts" })
}
const CORE = ["index", "testing"]
const drivers = ENTRIES.filter((e) => !CORE.includes(e))
const own = new Set(drivers.map((e) => path.join(dist, "types", `${e}.d.ts`)))
await declarations(CORE, [])
await declarations(drivers, [{
  name: "core-from-index",
  resolveId: (source, importer) => (source.startsWith(".") && importer !== undefined && !own.has(importer) ? { id: "./index.js", external: true } : null)
}])
fs.rmSync(path.join(dist, "types"), { recursive: true })

// The manifest as installed: no build script (the tarball holds what it builds), no
// devDependencies, paths from the package's root, which is dist/.
const strip = (p) => p.replace(/^\.\/dist\//, "./")
const manifest = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  type: pkg.type,
  private: pkg.private,
  engines: pkg.engines,
  main: strip(pkg.main),
  types: strip(pkg.types),
  exports: Object.fromEntries(
    Object.entries(pkg.exports).map(([k, v]) => [k, typeof v === "string" ? strip(v) : Object.fromEntries(Object.entries(v).map(([c, p]) => [c, strip(p)]))])
  ),
  files: [...ENTRIES.flatMap((e) => [`${e}.js`, `${e}.d.ts`]), "chunks", "README.md", "CHANGELOG.md"],
  peerDependencies: pkg.peerDependencies,
  peerDependenciesMeta: pkg.peerDependenciesMeta
}
fs.writeFileSync(path.join(dist, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`)
for (const f of ["README.md", "CHANGELOG.md"]) fs.copyFileSync(f, path.join(dist, f))
