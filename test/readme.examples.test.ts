import { build } from "esbuild"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { expectExact, sandboxes } from "./support/sandbox.js"
import { databases, readPg, requireServer } from "./support/services.js"

// The README's library examples, run as an app runs them: each file compiled alone (its imports
// left as they are), then started under plain node, where `tmdb-collector` is the package as
// built (dist/), against the sandbox.

const root = path.resolve(import.meta.dirname, "..")
const sandbox = sandboxes()
const database = databases()
const pgUp = await requireServer("PostgreSQL", "the README's PostgreSQL example")

// The sandbox has no 4 req/s limit to respect: the examples run at the speed of the machine.
const FAST = { TMDB_RPS: "500", TMDB_BURST: "50" }

/** Runs `scripts/<name>.ts` in `cwd` with `env`: its stdout, once it exited 0. */
const runExample = async (name: string, cwd: string, env: Record<string, string>) => {
  // Beside dist/, so `tmdb-collector` resolves to this package (Node's self-reference by name).
  const outfile = path.join(root, "dist", "examples", `${name}.mjs`)
  await build({ entryPoints: [path.join(root, "scripts", `${name}.ts`)], outfile, format: "esm", platform: "node", logLevel: "silent" })
  const { stdout } = await promisify(execFile)(process.execPath, [outfile], {
    cwd,
    env: { PATH: process.env["PATH"] ?? "", ...FAST, ...env },
    encoding: "utf8",
    timeout: 60_000
  })
  return stdout
}

describe("the README's library examples", () => {
  it("the client example prints Fight Club from the sandbox", async () => {
    const s = await sandbox()
    const out = await runExample("example", os.tmpdir(), { TMDB_API_KEY: s.options.apiKey ?? "sandbox-api-key", TMDB_BASE_URL: s.baseUrl })
    expect(out.split("\n")[0]).toMatch(/^Fight Club 63000000 David Fincher /)
    expect(out).toMatch(/^\d+ movies, complete: true$/m)
  })

  it("the SQLite example stores 2020-2021 exactly, with the key given in code", async () => {
    const s = await sandbox({ catalogue: { perYear: 15 } })
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "example-sqlite-"))
    const out = await runExample("exampleSqlite", cwd, { MY_TMDB_KEY: s.options.apiKey ?? "sandbox-api-key", TMDB_BASE_URL: s.baseUrl })
    const truth = expectExact(path.join(cwd, "movies.sqlite"), s, { startYear: 2020, endYear: 2021 })
    expect(out.trim()).toBe(`${truth.filter((t) => t.details !== null).length} movies stored in movies.sqlite, complete: true`)
  })

  it.runIf(pgUp)("the PostgreSQL example stores the whole catalogue the export lists", async () => {
    const s = await sandbox({ catalogue: { perYear: 15 } })
    const db = await database("example")
    const out = await runExample("examplePostgres", os.tmpdir(), {
      DATABASE_URL: db.url,
      TMDB_API_KEY: s.options.apiKey ?? "sandbox-api-key",
      TMDB_BASE_URL: s.baseUrl,
      TMDB_FILES_URL: s.filesUrl
    })
    const stored = await readPg(db.url)
    const listed = s.exportTruth({ minPopularity: 1 })
    expect(stored.movies.map((m) => m.tmdb_id)).toEqual(listed.map((t) => t.tmdbId))
    const fetched = stored.movies.filter((m) => m.details_fetched_at !== null).length
    expect(out.trim()).toBe(`${listed.length} movies listed, ${fetched} fetched, complete: true`)
  })
})
