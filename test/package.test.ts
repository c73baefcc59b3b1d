import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"
import { startSandbox } from "../sandbox/index.js"

// tmdb-collector as another app gets it: `npm pack`, then an app outside the source tree
// (examples/app, copied to a temporary folder) installs the tarball and runs under plain node,
// its own test included. Nothing here resolves to the repository's sources.

const root = path.resolve(import.meta.dirname, "..")
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tmdb-package-"))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

// Asynchronous, so the in-process sandbox keeps answering while the app runs.
const run = async (cmd: string, args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) =>
  (await promisify(execFile)(cmd, [...args], { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 240_000 })).stdout

describe("the packed package", () => {
  it("installs from its tarball into an app that imports the library and the testing entry under plain node", async () => {
    // The tarball of dist/ as test/globalSetup.ts built it: `prepare` would build it again while
    // other test files run the CLI from it, so scripts stay off.
    const packed = JSON.parse(await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], root)) as Array<
      { filename: string; files: Array<{ path: string }> }
    >
    const files = packed[0]!.files.map((f) => f.path)
    expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/testing.js", "dist/testing.d.ts", "package.json"]))
    expect(files.some((f) => f.startsWith("src/") || f.startsWith("test/") || f.startsWith("sandbox/"))).toBe(false)

    const app = path.join(work, "app")
    fs.cpSync(path.join(root, "examples/app"), app, { recursive: true })
    // From the tarball, dependencies from the npm cache the project's own install filled.
    // Scripts stay off: the app never opens SQLite, so better-sqlite3 need not be built.
    await run("npm", ["install", path.join(work, packed[0]!.filename), "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], app)
    expect(fs.realpathSync(path.join(app, "node_modules/tmdb-collector"))).toContain(app)

    // The app's own test: TmdbClient mocked through tmdb-collector/testing.
    const tested = await run(process.execPath, ["--test", "app.test.js"], app)
    expect(tested).toMatch(/# pass 2/)
    expect(tested).toMatch(/# fail 0/)

    // The app against a TMDB: the sandbox.
    const sandbox = await startSandbox({})
    try {
      const out = await run(process.execPath, ["main.js", "550"], app, { TMDB_API_KEY: "sandbox-api-key", TMDB_BASE_URL: sandbox.baseUrl })
      expect(out.trim()).toBe("Fight Club (1999)")
    } finally {
      await sandbox.close()
    }
  })
})
