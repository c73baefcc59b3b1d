import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

// Most CLI tests run the bundle that `npm run collect` runs (dist/collect.js), and the export's
// and the status's the ones `npm run export` and `npm run status` run (dist/export.cjs,
// dist/status.cjs): they start in a fraction of tsx's time, which
// the suite pays on every one of its many CLI starts. `npm install` builds them; this rebuilds
// them first whenever a source is newer, so a test never runs a stale bundle.
const root = path.resolve(import.meta.dirname, "..")
const SOURCES = ["src", "services", "layers", "scripts", "index.ts", "testing.ts", "sqlite.ts", "postgres.ts", "package.json"]

const newest = (p: string): number => {
  const stat = fs.statSync(p)
  if (!stat.isDirectory()) return stat.mtimeMs
  return fs.readdirSync(p).reduce((m, f) => Math.max(m, newest(path.join(p, f))), 0)
}

export default function setup() {
  // The oldest of the bundles (`npm run collect`'s, `npm run export`'s and `npm run status`'s); a missing one counts as never built.
  const built = Math.min(
    ...["dist/cli.cjs", "dist/export.cjs", "dist/status.cjs"].map((f) => path.join(root, f)).map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0))
  )
  if (SOURCES.some((s) => newest(path.join(root, s)) > built)) {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" })
  }
}
