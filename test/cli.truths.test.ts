import Database from "better-sqlite3"
import { Either } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Sandbox, startSandbox } from "../sandbox/index.js"
import { logLevelSetting } from "../scripts/LogLevel.js"
import { DEFAULT_LEASE_SECONDS } from "../src/Defaults.js"
import { type CliResult, readDb, root, runCli, tmpDir, waitFor } from "./support/cli.js"
import { runInProcess } from "./support/inProcess.js"
import { cliEnv, sandboxes } from "./support/sandbox.js"
import { collect } from "./support/workflow.js"

// Issue 12: what the CLI tells a person is true, whatever way it is started and however it ends
// (on Ctrl-C: test/cli.ctrlc.test.ts).

const YEARS = [2019, 2020, 2021]

describe("a run over three years", () => {
  let s: Sandbox
  let run: CliResult
  const db = path.join(tmpDir(), "truths.sqlite")
  beforeAll(async () => {
    s = await startSandbox({ catalogue: { seed: 7, startYear: 2019, endYear: 2021, perYear: 90 } })
    run = await runCli(["--start-year", "2019", "--end-year", "2021", "--rps", "500", "--burst", "50", "--db", db], cliEnv(s))
  })
  afterAll(() => s.close())

  it("the run completes", () => {
    expect(run.stderr).toContain("Collection complete")
    expect(run.code).toBe(0)
  })

  it("progress counts each year under its own label, totals labelled as such; no rate from the first millisecond", () => {
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("discover"))
    // Years come one after another, in the order discovery reads them.
    const order = [...new Set(lines.map((l) => Number(/^discover {2}(\d{4}):/.exec(l)?.[1])))]
    expect([...order].sort()).toEqual(YEARS)
    // The first page of the first year: singular, and no rate over a near-zero time.
    expect(lines[0]).toBe(`discover  ${order[0]}: 1 page, 20 movies`)
    let pagesBefore = 0
    let moviesBefore = 0
    for (const year of order) {
      const movies = s.groundTruth({ startYear: year, endYear: year }).length
      const pages = Math.ceil(movies / 20)
      const total = pagesBefore === 0 ? "" : ` \\(all years: ${pagesBefore + pages} pages, ${moviesBefore + movies} movies\\)`
      // The year's last line: its own pages and movies (a stable order lists each page once).
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^discover  ${year}: ${pages} pages, ${movies} movies${total}(  \\d+\\.\\d pages/s)?$`)))
      pagesBefore += pages
      moviesBefore += movies
    }
  })

  it("collection_runs.options reads as the flags did: the stale horizon in days, not Effect's Duration encoding", () => {
    const file = new Database(db, { readonly: true })
    const stored = file.prepare("SELECT options FROM collection_runs").pluck().get() as string
    file.close()
    expect(stored).not.toContain("\"_id\"")
    expect(JSON.parse(stored)).toEqual({
      startYear: 2019,
      endYear: 2021,
      all: false,
      includeAdult: false,
      includeVideo: false,
      minVoteCount: 200,
      staleAfterDays: 90,
      append: ["credits", "keywords", "release_dates", "external_ids"],
      // Movies, with their collections and companies unless --people adds people.
      kinds: ["movie", "collection", "company"]
    })
  })

  it("every query in README's queries block returns rows from the database the run filled", () => {
    const block = /<!-- queries:start -->\n```sql\n([\s\S]*?)```\n<!-- queries:end -->/.exec(fs.readFileSync(path.join(root, "README.md"), "utf8"))
    const queries = block![1]!.split(/;\s*(?:\n|$)/).map((q) => q.replace(/^--.*$/gm, "").trim()).filter((q) => q !== "")
    expect(queries).toHaveLength(5)
    const file = new Database(db, { readonly: true })
    try {
      for (const query of queries) expect(file.prepare(query).all().length, query).toBeGreaterThan(0)
    } finally {
      file.close()
    }
  })
})

describe("--help", () => {
  it("through a pipe: no colour codes, a description and a pseudo-name per flag, every default shown", async () => {
    const run = await runCli(["--help"])
    expect(run.code).toBe(0)
    expect(run.stdout).not.toContain("\x1b[")
    expect(run.stdout).toMatch(/^tmdb-collector 0\.3\.0: /)
    // A flag's row, its wrapped lines joined: the text after its pseudo-name.
    const row = (flag: string) => (new RegExp(`^ {2}${flag} [A-Z|]+ +(\\S.*(?:\\n {4,}.*)*)`, "m").exec(run.stdout)?.[1] ?? "").replace(/\s+/g, " ")
    expect(row("--min-vote-count")).toMatch(/\(default: 200\)$/)
    expect(row("--stale-after-days")).toMatch(/\(default: 90\)$/)
    expect(row("--min-popularity")).toMatch(/\(default: 0\)$/)
    expect(row("--db")).toMatch(/\(default: \.\/data\/movies\.sqlite\)$/)
    expect(run.stdout).toMatch(/^ {2}TMDB_DATABASE_URL +--db when it is not given$/m)
    // The one default the coordination uses (src/Defaults.ts), stated without loading it.
    expect(row("--lease-seconds")).toMatch(new RegExp(`\\(default: ${DEFAULT_LEASE_SECONDS}\\)$`))
    for (const flag of ["start-year", "end-year", "max-pages", "rps", "burst", "concurrency", "refresh-limit"]) {
      expect(row(`--${flag}`), flag).toMatch(/^[a-z"]/)
    }
  })
})

describe("--log-level and TMDB_LOG_LEVEL", () => {
  const sandbox = sandboxes({ catalogue: { seed: 3, startYear: 2020, endYear: 2020, perYear: 20 } })
  const flags = ["--start-year", "2020", "--end-year", "2020", "--refresh-limit", "0"]
  const LEVELS = "all, trace, debug, info, warning, error, fatal, none"

  it("--log-level X and --log-level=X work before, between and after the other flags", async () => {
    const s = await sandbox()
    const db = () => ["--db", path.join(tmpDir(), "log.sqlite")]
    // The flag's places through the CLI's own program in process; the real process below.
    const runs = []
    for (
      const args of [[...flags, ...db(), "--log-level", "debug"], ["--log-level=debug", ...flags, ...db()], [
        ...flags.slice(0, 2),
        "--log-level=Debug",
        ...flags.slice(2),
        ...db()
      ]]
    ) {
      runs.push(await runInProcess(args, { env: cliEnv(s) }))
    }
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0])
    for (const r of runs) expect(r.stderr).toMatch(/level=DEBUG/)
  })

  it("the flag wins over TMDB_LOG_LEVEL, in the real process", async () => {
    const s = await sandbox()
    const run = await runCli([...flags, "--db", path.join(tmpDir(), "log.sqlite"), "--log-level", "error"], cliEnv(s, { TMDB_LOG_LEVEL: "debug" }))
    expect(run.code).toBe(0)
    expect(run.stderr).not.toMatch(/level=DEBUG/)
  })

  it("an unknown level is one line naming where it came from and the accepted values, exit 2", async () => {
    const run = await runCli(flags, { TMDB_LOG_LEVEL: "verbose", TMDB_API_KEY: "k" })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(`TMDB_LOG_LEVEL must be one of ${LEVELS}, got 'verbose'\n`)
    // The flag's forms, through what the entry point calls, without three more start-ups.
    const problem = (args: Array<string>) => Either.match(logLevelSetting(args, undefined), { onLeft: (e) => e.message, onRight: () => "" })
    expect(problem([...flags, "--log-level=loud"])).toBe(`--log-level must be one of ${LEVELS}, got 'loud'`)
    expect(problem([...flags, "--log-level"])).toBe(`--log-level needs a value: one of ${LEVELS}`)
  })
})

describe("a run that reached nothing", () => {
  const catalogue = { seed: 5, startYear: 2020, endYear: 2020, perYear: 20 }
  const sandbox = sandboxes({ catalogue })
  const flags = ["--start-year", "2020", "--end-year", "2020", "--refresh-limit", "0"]
  const REFUSED = "Invalid API key: You must be granted a valid key."
  // Three failing runs at once, each into a folder of its own, read by the next two tests.
  const dirs = { key: tmpDir(), token: tmpDir(), unreachable: tmpDir() }
  let runs: Record<keyof typeof dirs, CliResult>
  beforeAll(async () => {
    const server = await startSandbox({ catalogue })
    const db = (dir: string) => [...flags, "--db", path.join(dir, "new", "movies.sqlite")]
    try {
      const [key, token, unreachable] = await Promise.all([
        runCli(db(dirs.key), { ...cliEnv(server), TMDB_API_KEY: "wrong" }),
        runCli(db(dirs.token), { TMDB_BASE_URL: server.baseUrl, TMDB_READ_ACCESS_TOKEN: "wrong" }),
        runCli(db(dirs.unreachable), { ...cliEnv(server), TMDB_BASE_URL: "http://127.0.0.1:9/3", TMDB_RETRIES: "0" })
      ])
      runs = { key, token, unreachable }
    } finally {
      await server.close()
    }
  })

  it("a wrong key, a wrong token or an unreachable TMDB: exit 1, and no new file or folder left behind", () => {
    for (const [name, dir] of Object.entries(dirs)) {
      expect(runs[name as keyof typeof dirs].code, name).toBe(1)
      expect(fs.readdirSync(dir), name).toEqual([])
    }
    expect(runs.unreachable.stderr).toMatch(/^cannot reach TMDB at http:\/\/127\.0\.0\.1:9\/3: [^\n]+\n$/)
  })

  it("a refused key or token: one line saying once who refused what", () => {
    expect(runs.key.stderr).toBe(`TMDB refused the key in TMDB_API_KEY: ${REFUSED}\n`)
    expect(runs.token.stderr).toBe(`TMDB refused the token in TMDB_READ_ACCESS_TOKEN: ${REFUSED}\n`)
  })

  it("a wrong key on an existing database: the database stays, its movies and the failed run in it", async () => {
    const s = await sandbox()
    const db = path.join(tmpDir(), "kept.sqlite")
    // The database the wrong key meets: filled by the workflow in this process.
    expect((await collect(s, db, { startYear: 2020, endYear: 2020, refreshLimit: 0 })).complete).toBe(true)
    const movies = readDb(db).movies.length
    const run = await runCli([...flags, "--db", db], { ...cliEnv(s), TMDB_API_KEY: "wrong" })
    expect(run.code).toBe(1)
    expect(readDb(db).movies.length).toBe(movies)
    expect(readDb(db).runs.map((r) => r.status)).toEqual(["complete", "failed"])
  })
})

describe("README's sandbox section", () => {
  it("the command it shows prints the base URL as the first line on stdout", async () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
    const section = readme.slice(readme.indexOf("## The TMDB sandbox"))
    const [command, ...args] = /^npm run .*sandbox.*$/m.exec(section)![0].split(" ")
    const child = spawn(command!, args, { cwd: root, detached: true, stdio: ["ignore", "pipe", "ignore"] })
    const closed = new Promise((resolve) => child.on("close", resolve))
    try {
      let out = ""
      child.stdout.on("data", (d: Buffer) => (out += d.toString()))
      await waitFor(() => out.includes("\n"), 30_000)
      expect(out.split("\n")[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/3$/)
    } finally {
      process.kill(-child.pid!, "SIGTERM")
      await closed
    }
  })
})
