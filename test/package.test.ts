import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { startSandbox } from "../sandbox/index.js"
import { DRIVERS, installLines, PROBE, run, statedSize, typeErrors } from "./support/packageApp.js"

// tmdb-collector as another app gets it: `npm pack ./dist` (the package test/globalSetup.ts
// built), then a copy of examples/app outside the source tree installs the tarball with README
// "Install"'s two lines as written, from the npm cache the project's own install filled, and runs
// under plain node, its own tests included. Nothing here resolves to the repository's sources.

const root = path.resolve(import.meta.dirname, "..")
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tmdb-package-"))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))
const app = path.join(work, "app")
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
const MB = 1_000_000

describe("the packed package", () => {
  let tarball = ""
  // TypeScript's check of the app, the longest step: started once the app is installed, it runs
  // while the app does.
  let typesChecked: Promise<Array<string>> | undefined

  it("holds the library alone, as README \"As a package\" says: no build script, no source map, no CLI, at most 1.5 MB", async () => {
    // The example's code in a new app, which declares nothing yet: README "Install" adds it all.
    fs.cpSync(path.join(root, "examples/app"), app, { recursive: true })
    const { dependencies: _d, devDependencies: _dd, ...bare } = JSON.parse(fs.readFileSync(path.join(app, "package.json"), "utf8")) as Record<string, unknown>
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify(bare, null, 2))
    const [packed] = JSON.parse(await run("npm", ["pack", "./dist", "--json", "--pack-destination", app], root)) as Array<
      { filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }
    >
    tarball = packed!.filename
    const files = packed!.files.map((f) => f.path)
    const ENTRIES = ["index", "testing", "sqlite", "postgres"]
    expect(files.filter((f) => !f.startsWith("chunks/")).sort()).toEqual(
      [...ENTRIES.flatMap((e) => [`${e}.js`, `${e}.d.ts`]), "package.json", "README.md", "CHANGELOG.md"].sort()
    )
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([])
    expect(packed!.unpackedSize).toBeLessThanOrEqual(1.5 * MB)
    // The README's figures, within a quarter (the README itself is a fifth of the package).
    const stated = statedSize(readme)!
    expect(packed!.size / stated.packed).toBeGreaterThan(0.75)
    expect(packed!.size / stated.packed).toBeLessThan(1.25)
    expect(packed!.unpackedSize / stated.unpacked).toBeGreaterThan(0.75)
    expect(packed!.unpackedSize / stated.unpacked).toBeLessThan(1.25)
  })

  it("installs into a new app with README \"Install\"'s two lines, which add what examples/app declares, and no driver", async () => {
    const lines = installLines(readme, `./${tarball}`)
    expect(lines.map((args) => args.slice(0, 2))).toEqual([["install", `./${tarball}`], ["install", "-D"]])
    for (const args of lines) await run("npm", [...args, "--prefer-offline", "--no-audit", "--no-fund"], app)
    expect(fs.realpathSync(path.join(app, "node_modules/tmdb-collector"))).toContain(app)
    const declared = (p: string) => JSON.parse(fs.readFileSync(p, "utf8")) as Record<string, Record<string, string>>
    const installed = declared(path.join(app, "package.json"))
    const example = declared(path.join(root, "examples/app/package.json"))
    for (const field of ["dependencies", "devDependencies"]) expect(Object.keys(installed[field]!).sort()).toEqual(Object.keys(example[field]!).sort())
    expect(DRIVERS.filter((d) => fs.existsSync(path.join(app, "node_modules", d)))).toEqual([])
    // The manifest as installed: nothing to build, nothing of the repository's.
    const manifest = declared(path.join(app, "node_modules/tmdb-collector/package.json"))
    expect([manifest["scripts"], manifest["devDependencies"]]).toEqual([undefined, undefined])
    typesChecked = typeErrors(app, path.join(root, "node_modules/typescript/bin/tsc"))
  })

  it("runs: the app's own tests, the app against the sandbox, both entries imported with no driver to load", async () => {
    const tested = await run(path.join(app, "node_modules/.bin/vitest"), ["run"], app)
    expect(tested).toMatch(/Tests\s+2 passed/)

    const sandbox = await startSandbox({})
    try {
      const out = await run(process.execPath, ["main.js", "550"], app, { TMDB_API_KEY: "sandbox-api-key", TMDB_BASE_URL: sandbox.baseUrl })
      expect(out.trim()).toBe("Fight Club (1999)")
    } finally {
      await sandbox.close()
    }

    // pg, ioredis and better-sqlite3 are not installed: importing either entry loads none of them,
    // and the in-memory store, which needs SQLite, dies on build naming what to install.
    fs.writeFileSync(path.join(app, "probe.mjs"), PROBE)
    const [counts, built] = (await run(process.execPath, ["probe.mjs"], app)).trim().split("\n")
    expect(counts).toMatch(/^\d{2,} \d+$/)
    expect(built).toBe("Failure Error: tmdb-collector: SQLite needs `npm install @effect/sql-sqlite-node@0.53 better-sqlite3@12`")
  })

  it("typechecks with skipLibCheck: false in an app that imports tmdb-collector and tmdb-collector/testing", async () => {
    // The one line there that TypeScript must refuse, so that the check is one, is the only error.
    expect(await typesChecked).toEqual([expect.stringMatching(/^types\.ts\(\d+,\d+\): error TS2322: /)])
  })
})
