import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEMO } from "../sandbox/Demo.js"
import { type Sandbox, startSandbox } from "../sandbox/index.js"
import { readDb, root, tmpDir } from "./support/cli.js"
import { runInProcess } from "./support/inProcess.js"
import { between, plain, statements } from "./support/readmeSql.js"
import { connect, databases, requireServer } from "./support/services.js"

// Issue 21, point 5: README's "Explore the data" does what it says. Its commands for pointing the
// CLI at the sandbox are run as written (the port aside) through the CLI's own program in this
// process; the database they fill is then asked the section's questions, and README's queries
// in both dialects, which must answer alike.

const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
const section = readme.slice(readme.indexOf("## Explore the data"), readme.indexOf("\n## ", readme.indexOf("## Explore the data") + 1))

const pgUp = await requireServer("PostgreSQL", "README's PostgreSQL queries")
const database = databases()

describe("README: Explore the data", () => {
  const lines = between("sandbox-env").split("\n").map((l) => l.replace(/\s+#.*$/, "").replace(/\s*&$/, "").trim())
  const sandboxFlags = lines.find((l) => l.startsWith("npm run -s sandbox -- "))!.split(" ").slice(5)
  const exported = Object.fromEntries(lines.find((l) => l.startsWith("export "))!.slice(7).split(" ").map((kv) => kv.split("=") as [string, string]))
  const collects = lines.filter((l) => l.startsWith("npm run collect -- ")).map((l) => l.split(" ").slice(4))
  let s: Sandbox
  const file = path.join(tmpDir(), "sandbox.sqlite")
  const env = () => Object.fromEntries(Object.entries(exported).map(([k, v]) => [k, v.replace("127.0.0.1:8787", new URL(s.baseUrl).host)]))
  const asWritten = (args: Array<string>, db: string) => args.map((a, i) => args[i - 1] === "--db" ? db : a)

  beforeAll(async () => {
    expect(sandboxFlags).toEqual(["--port", "8787", "--per-year", "20"])
    s = await startSandbox({ catalogue: { perYear: 20 } })
    for (const args of collects) expect((await runInProcess(asWritten(args, file), { env: env() })).code, args.join(" ")).toBe(0)
  })
  afterAll(() => s.close())

  it("points the API, the exports and the key at the sandbox in one place: both commands store the whole catalogue", () => {
    expect(Object.keys(exported).sort()).toEqual(["TMDB_API_KEY", "TMDB_BASE_URL", "TMDB_FILES_URL"])
    expect(exported).toEqual({ TMDB_BASE_URL: "http://127.0.0.1:8787/3", TMDB_FILES_URL: "http://127.0.0.1:8787", TMDB_API_KEY: "sandbox-api-key" })
    expect(collects.map((args) => args.includes("--all"))).toEqual([false, true])
    // The export lists the whole catalogue: a run that read TMDB's real files would not store it.
    expect(readDb(file).movies.map((m) => m.tmdb_id)).toEqual(s.exportTruth({}).map((e) => e.tmdbId))
    expect(s.counters.exportRequests.length).toBeGreaterThan(0)
  })

  it("opens the database the demo leaves, with sqlite3, pandas and RSQLite; each of its questions has answers", () => {
    expect(fs.readFileSync(path.join(root, "scripts/demo.ts"), "utf8")).toContain("DEMO.database")
    for (const lang of ["sh", "python", "r"]) expect(section, lang).toMatch(new RegExp(`\`\`\`${lang}\\n[^\`]*${DEMO.database}`))
    const questions = [...section.matchAll(/"(SELECT [^"]+)"/g)].map((m) => m[1]!)
    expect(questions.length).toBeGreaterThanOrEqual(4)
    const db = new Database(file, { readonly: true })
    try {
      for (const q of questions) expect(db.prepare(q).all().length, q).toBeGreaterThan(0)
    } finally {
      db.close()
    }
  })

  it.skipIf(!pgUp)("gives every README query in a PostgreSQL form, with the SQLite form's answers on the same data", async () => {
    const sqlite = statements(between("queries"))
    const pg = statements(between("pg-queries"))
    expect(pg).toHaveLength(sqlite.length)
    const { url } = await database("readme_queries")
    for (const args of collects) expect((await runInProcess(asWritten(args, url), { env: env() })).code, args.join(" ")).toBe(0)
    const db = new Database(file, { readonly: true })
    const client = await connect(url)
    try {
      for (const [i, q] of pg.entries()) {
        const answers = plain((await client.query(q)).rows)
        expect(answers.length, q).toBeGreaterThan(0)
        expect(answers, q).toEqual(plain(db.prepare(sqlite[i]!).all() as Array<Record<string, unknown>>))
      }
    } finally {
      db.close()
      await client.end()
    }
  })
})
