import { Console, Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import { SqlLive } from "../layers/Sql.js"
import { main } from "../scripts/ExportCli.js"
import { databasesBeside, noDefaultDatabase } from "../scripts/NoDatabase.js"
import { root, tmpDir } from "./support/cli.js"

// Issue 21 §5: `npm run export` without `--db` reads ./data/movies.sqlite; when that is missing
// it names the databases it finds beside it (the demo's ./data/demo.sqlite), or the flag to pass.

/** `npm run export -- ...` from the folder `cwd`, as package.json's script runs it: its exit code and stderr. */
const runExport = (args: ReadonlyArray<string>, cwd: string) => {
  const script = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["export"]!
  const [runner, ...rest] = script.split(/\s+/)
  // Its files are the repository's, whatever the folder it runs from.
  const files = rest.map((word) => (word.startsWith("-") ? word : path.join(root, word)))
  const tsx = ["--import", pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href]
  if (runner !== "node" && runner !== "tsx") throw new Error(`package.json's export script starts neither with node nor tsx: ${script}`)
  const argv = [...(runner === "tsx" ? tsx : []), ...files, ...args]
  return new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      argv,
      { cwd, encoding: "utf8", env: { ...process.env, TMDB_DATABASE_URL: "" } },
      (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stderr })
    )
  )
}

/** The export's main in this process: its exit code and what it printed on stderr. */
const runInProcess = (args: ReadonlyArray<string>) =>
  Effect.runPromise(Effect.gen(function*() {
    const stderr: Array<string> = []
    const console = yield* Effect.console
    const captured: Console.Console = { ...console, error: (...parts) => Effect.sync(() => void stderr.push(parts.join(" "))) }
    const code = yield* main(["node", "export.ts", ...args]).pipe(Console.withConsole(captured))
    return { code, stderr }
  }))

/** A folder to run from, with the files of `data/` named, each a migrated, empty database. */
const folderWith = async (databases: ReadonlyArray<string>) => {
  const cwd = tmpDir("export-cwd-")
  for (const name of databases) await Effect.runPromise(Effect.scoped(Layer.build(SqlLive(path.join(cwd, "data", name)))))
  return cwd
}

describe("npm run export without --db, and no ./data/movies.sqlite", () => {
  it("the databases beside the default one: the demo's, several, none, no folder", () => {
    const dir = tmpDir("export-beside-")
    const missing = `${dir}/data/movies.sqlite`
    expect(databasesBeside(missing)).toEqual([])
    fs.mkdirSync(path.join(dir, "data", "folder.sqlite"), { recursive: true })
    for (const file of ["demo.sqlite-wal", "demo.sqlite.lock", "notes.txt"]) fs.writeFileSync(path.join(dir, "data", file), "")
    expect(databasesBeside(missing)).toEqual([])
    fs.writeFileSync(path.join(dir, "data", "demo.sqlite"), "")
    expect(databasesBeside(missing)).toEqual([`${dir}/data/demo.sqlite`])
    fs.writeFileSync(path.join(dir, "data", "2024.sqlite"), "")
    expect(databasesBeside(missing)).toEqual([`${dir}/data/2024.sqlite`, `${dir}/data/demo.sqlite`])
    const line = (found: ReadonlyArray<string>) => noDefaultDatabase("./data/movies.sqlite", found)
    expect(line(["./data/demo.sqlite"])).toBe("no database at ./data/movies.sqlite; ./data/demo.sqlite is there: pass --db ./data/demo.sqlite")
    expect(line(["./data/a.sqlite", "./data/b.sqlite"])).toBe("no database at ./data/movies.sqlite; pass --db with one of ./data/a.sqlite, ./data/b.sqlite")
    expect(line([])).toBe("no database at ./data/movies.sqlite: pass --db PATH|URL (a SQLite file or a postgres:// URL), or set TMDB_DATABASE_URL")
  })

  // The folder it runs from is what is tested: a process of its own (the line without a database
  // beside it is the same function's, above).
  it("the command: one line naming the demo's database (exit 1, nothing created), which then exports", async () => {
    const cwd = await folderWith(["demo.sqlite"])
    const run = await runExport(["--format", "csv", "--out", "out"], cwd)
    expect(run.code).toBe(1)
    expect(run.stderr).toBe("no database at ./data/movies.sqlite; ./data/demo.sqlite is there: pass --db ./data/demo.sqlite\n")
    expect(fs.readdirSync(cwd)).toEqual(["data"])
    expect(fs.readdirSync(path.join(cwd, "data"))).toEqual(["demo.sqlite"])
    // What the line says to pass, from that folder.
    const suggested = /pass --db (\S+)$/.exec(run.stderr.trim())![1]!
    const out = path.join(cwd, "out")
    const files = "tmdb_5000_movies.csv, tmdb_5000_credits.csv, collections.csv, collection_parts.csv, companies.csv, people.csv, DICTIONARY.md"
    expect(await runInProcess(["--format", "csv", "--out", out, "--db", path.join(cwd, suggested)])).toEqual({
      code: 0,
      stderr: [expect.stringMatching(new RegExp(`^exported 0 movies to ${out} in \\d+\\.\\d s \\(7 files: ${files}\\)$`))]
    })
  })

  it("a database chosen by --db or TMDB_DATABASE_URL that is not there: that path only, as before", async () => {
    const dir = tmpDir("export-chosen-")
    const missing = path.join(dir, "nowhere.sqlite")
    expect(await runInProcess(["--format", "csv", "--out", path.join(dir, "out"), "--db", missing])).toEqual({ code: 1, stderr: [`no database at ${missing}`] })
    const before = process.env["TMDB_DATABASE_URL"]
    process.env["TMDB_DATABASE_URL"] = missing
    try {
      expect(await runInProcess(["--format", "csv", "--out", path.join(dir, "out")])).toEqual({ code: 1, stderr: [`no database at ${missing}`] })
    } finally {
      if (before === undefined) delete process.env["TMDB_DATABASE_URL"]
      else process.env["TMDB_DATABASE_URL"] = before
    }
    expect(fs.readdirSync(dir)).toEqual([])
  })
})
