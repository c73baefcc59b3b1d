// Bundles the CLI (scripts/collect.ts) into dist/collect.js for plain node: one file to load
// instead of tsx compiling hundreds of modules at every start. better-sqlite3 stays outside,
// as its native addon cannot be bundled. Run by `npm run build` (and so by `npm install`).
import { build } from "esbuild"

await build({
  entryPoints: ["scripts/collect.ts"],
  outfile: "dist/collect.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["better-sqlite3"],
  sourcemap: true,
  legalComments: "none",
  minify: true,
  // Bundled CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning"
})
