import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

// dist/collect.js starts the bundle from V8's code cache (scripts/launch.mjs). The cache is an
// optimisation only: a missing, stale or damaged one must never change what the CLI does.
const root = path.resolve(import.meta.dirname, "..")
const flags = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["collect"]!
  .split(/\s+/).filter((w) => w.startsWith("--"))

/** The one cache `npm run build` leaves, named by the bundle's hash. */
const cacheName = () => {
  const caches = fs.readdirSync(path.join(root, "dist")).filter((f) => f.endsWith(".v8cache"))
  expect(caches).toHaveLength(1)
  return caches[0]!
}

/** A copy of dist/'s CLI files, so the test can damage the cache without touching the build. */
const copyOfDist = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "launcher-"))
  for (const f of ["collect.js", "cli.cjs", cacheName()]) fs.copyFileSync(path.join(root, "dist", f), path.join(dir, f))
  // The bundle requires better-sqlite3 from beside it.
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"))
  return dir
}
const help = (dir: string) => execFileSync(process.execPath, [...flags, path.join(dir, "collect.js"), "--help"], { encoding: "utf8" })

describe("the CLI launcher", () => {
  it("npm install leaves a cache that V8 accepts: a run does not rewrite it", () => {
    const dir = copyOfDist()
    const cache = path.join(dir, cacheName())
    const before = fs.readFileSync(cache)
    expect(help(dir)).toContain("--start-year")
    expect(fs.readFileSync(cache).equals(before)).toBe(true)
  })

  it("a damaged or missing cache: the same help, and a fresh cache written for the next start", () => {
    const dir = copyOfDist()
    const cache = path.join(dir, cacheName())
    const good = help(dir)
    fs.writeFileSync(cache, Buffer.from("not a V8 code cache"))
    expect(help(dir)).toBe(good)
    expect(fs.statSync(cache).size).toBeGreaterThan(100_000)
    fs.rmSync(cache)
    expect(help(dir)).toBe(good)
    expect(fs.existsSync(cache)).toBe(true)
    expect(fs.readdirSync(dir).filter((f) => f.includes(".v8cache."))).toEqual([])
  })

  it("a cache made for another bundle of the same length is never used: it runs the bundle it is beside", () => {
    const dir = copyOfDist()
    const bundle = path.join(dir, "cli.cjs")
    const original = fs.readFileSync(bundle, "utf8")
    // The same length, other code: the help names another program.
    fs.writeFileSync(bundle, original.replaceAll("tmdb-collector", "tmdb-c0llector"))
    expect(fs.statSync(bundle).size).toBe(Buffer.byteLength(original))
    expect(help(dir)).toContain("tmdb-c0llector")
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".v8cache"))).toHaveLength(2)
  })
})
