import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

// Most CLI tests run the bundle that `npm run collect` runs (dist/collect.js): it starts in a
// fraction of tsx's time, which the suite pays on every one of its many CLI starts. `npm
// install` builds it; this rebuilds it first whenever a source is newer, so a test never runs
// a stale bundle.
const root = path.resolve(import.meta.dirname, "..")
const SOURCES = ["src", "services", "layers", "scripts", "index.ts", "testing.ts", "package.json"]

const newest = (p: string): number => {
  const stat = fs.statSync(p)
  if (!stat.isDirectory()) return stat.mtimeMs
  return fs.readdirSync(p).reduce((m, f) => Math.max(m, newest(path.join(p, f))), 0)
}

export default function setup() {
  const bundle = path.join(root, "dist/cli.cjs")
  const built = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0
  if (SOURCES.some((s) => newest(path.join(root, s)) > built)) {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" })
  }
}
