import { SqlClient } from "@effect/sql"
import Database from "better-sqlite3"
import { Effect, Exit, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { SqlLive } from "../layers/Sql.js"
import type { Sandbox, SandboxOptions } from "../sandbox/index.js"
import { describeFailure } from "../scripts/Outcome.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { type MovieDetails, movieDetailsOf } from "../src/Movie.js"
import { readDb, runCli, startCli, tmpDir, waitFor } from "./support/cli.js"
import { runInProcess } from "./support/inProcess.js"
import { cliEnv, expectExact } from "./support/sandbox.js"
import { withSandbox } from "./support/sandboxHttp.js"
import { collect } from "./support/workflow.js"

// Issue 6 §7, §8, §9: database faults, secrets, bad input. The tests run side by side: most of
// their time is waiting (a lock held for 6 s, a refused URL's backoff, held requests' timeouts),
// and they share nothing but the machine; each has its own sandbox, folder and files.

const catalogue = { seed: 2, startYear: 2020, endYear: 2020, perYear: 40 }
const sandboxed = (options: SandboxOptions, f: (s: Sandbox) => Promise<void>) => withSandbox({ catalogue, ...options }, f)
const env = cliEnv
const YEAR = ["--start-year", "2020", "--end-year", "2020", "--rps", "500", "--burst", "50"]

/** One line on stderr, no stack trace. */
const expectOneLine = (stderr: string, pattern: RegExp) => {
  const lines = stderr.split("\n").filter((l) => l.trim() !== "")
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
  expect(stderr).not.toMatch(/\bat .+:\d+:\d+/)
}

describe.concurrent("database faults: a typed error, one line, a non-zero exit, nothing half-written", () => {
  it("a read-only database file", () =>
    sandboxed({}, async (s) => {
      const db = path.join(tmpDir(), "ro.sqlite")
      // The database the read-only run meets: filled by the workflow in this process.
      expect((await collect(s, db, { startYear: 2020, endYear: 2020 })).complete).toBe(true)
      fs.chmodSync(db, 0o444)
      const before = fs.readFileSync(db)
      const run = await runCli([...YEAR, "--db", db], env(s))
      expect(run.code).toBe(1)
      expectOneLine(run.stderr, /is read-only$/)
      expect(fs.readFileSync(db).equals(before)).toBe(true)
    }))

  it("a write lock another connection holds for 6 s (an analyst's shell): the run waits, says so once, and loses nothing", () =>
    sandboxed({ catalogue: { ...catalogue, perYear: 600 }, latencyMs: 5 }, async (s) => {
      const db = path.join(tmpDir(), "locked.sqlite")
      const run = startCli([...YEAR, "--db", db], env(s))
      await waitFor(() => s.counters.detailsServed.size >= 50)
      const other = new Database(db)
      other.prepare("BEGIN IMMEDIATE").run()
      await new Promise((resolve) => setTimeout(resolve, 6_000))
      // Still running after 6 s of the lock, where SQLite's busy timeout alone gives up after 0.2 s.
      expect(run.child.exitCode).toBeNull()
      other.prepare("ROLLBACK").run()
      other.close()
      const done = await run.done
      expect(done.code, done.stderr).toBe(0)
      const waits = done.stderr.split("\n").filter((l) => l.includes("is locked by another writer"))
      expect(waits.length).toBeGreaterThanOrEqual(1)
      for (const line of waits) expect(line).toContain("is locked by another writer: waiting for it (up to 5 min)")
      // Every movie stored exactly, and none recorded as failed for the lock.
      expectExact(db, s, { startYear: 2020, endYear: 2020 })
    }))

  it("a full database (SQLITE_FULL via max_page_count): the batch is rolled back whole", async () => {
    const db = path.join(tmpDir(), "full.sqlite")
    const movie = (id: number): MovieDetails => movieDetailsOf({ tmdbId: id, title: `M${id}`, overview: "x".repeat(2_000) })
    const exit = await Effect.runPromise(Effect.exit(
      Effect.gen(function*() {
        const repo = yield* MovieRepository
        const sql = yield* SqlClient.SqlClient
        yield* repo.saveOutcomes([movie(1)], [], "2026-01-01T00:00:00.000Z")
        const pages = (yield* sql<{ page_count: number }>`PRAGMA page_count`)[0]!.page_count
        yield* sql.unsafe(`PRAGMA max_page_count = ${pages + 2}`)
        yield* repo.saveOutcomes(Array.from({ length: 200 }, (_, i) => movie(i + 2)), [], "2026-01-01T00:00:00.000Z")
      }).pipe(Effect.provide(Layer.provideMerge(MovieRepository.Default, SqlLive(db))))
    ))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
    expect(error).toEqual(expect.objectContaining({ _tag: "DatabaseError", problem: "full" }))
    expect(describeFailure(error)).toMatch(/is full/)
    const after = readDb(db)
    expect(after.integrity).toBe("ok")
    expect(after.movies.map((m) => m.tmdb_id)).toEqual([1])
  })

  it("two collectors on one file: the second refuses at once, the first completes, the file is intact", () =>
    // The sandbox holds the first's details requests until the second has been turned away, so
    // the first surely holds the file then; let go, the held requests time out and are retried,
    // and the first completes (a held request fails only after 4 attempts of 3 s and the backoff).
    sandboxed({ latencyMs: 30, faultPaths: "details", faults: { hang: 1 } }, async (s) => {
      const db = path.join(tmpDir(), "two.sqlite")
      const first = startCli([...YEAR, "--db", db], env(s, { TMDB_TIMEOUT: "3 seconds" }))
      await waitFor(() => (s.counters.faultsInjected["hang"] ?? 0) >= 1)
      const second = await runCli([...YEAR, "--db", db], env(s))
      expect(second.code).toBe(1)
      expectOneLine(second.stderr, new RegExp(`is in use by another collector \\(pid ${first.child.pid}, started [^)]+\\); wait for it to finish$`))
      expect(first.child.exitCode).toBeNull()
      s.setFaults(undefined)
      expect((await first.done).code).toBe(0)
      const { integrity, movies } = readDb(db)
      expect(integrity).toBe("ok")
      expect(movies.every((m) => m.details_fetched_at !== null)).toBe(true)
      // The lock file stays (layers/Lock.ts says why); the note naming its owner goes with the lock.
      expect(fs.existsSync(`${db}.lock.owner`)).toBe(false)
    }))
})

describe.concurrent("secrets", () => {
  const CANARY = "canary-5f0c2d9e8b7a41c3a6e2d1f0b9c8a7e6"

  it("a canary key pushed through every failure path, debug logging on, appears in no output and no file", () =>
    sandboxed({
      apiKey: CANARY,
      latencyMs: 1,
      faults: { error500: 0.05, error502: 0.05, error503: 0.05, error504: 0.05, reset: 0.05, truncate: 0.05, hang: 0.03 },
      deletedFraction: 0.1,
      alwaysFailFraction: 0.1,
      driftFraction: 0.1,
      rateLimit: { rps: 150, burst: 5 }
    }, async (s) => {
      const dir = tmpDir()
      const db = path.join(dir, "secret.sqlite")
      // One retry goes down the same paths as three, in a quarter of the backoff. The timeout is
      // 2 s, not less: this worker's event loop serves the sandbox while the tests beside this one
      // run, and on a loaded machine an answer can be that late twice over (a discover page
      // timed out twice at 500 ms once, and the run ended incomplete).
      const debug = { TMDB_LOG_LEVEL: "debug", TMDB_TIMEOUT: "2 seconds", TMDB_RETRIES: "1" }
      // A run through the faults, then a refused key (the wrong canary) on its database; beside
      // them a refused connection and bad input, all with the canary set.
      const [[faulted, refusedKey], refusedConnection, badInput] = await Promise.all([
        runCli([...YEAR, "--db", db, "--json"], env(s, debug)).then(async (first) => {
          // The sandbox draws its faults before it checks the key: with them gone, the refusal is
          // what the second run meets, whatever the first run's requests left of the draws.
          s.setFaults({})
          return [first, await runCli([...YEAR, "--db", db], { ...env(s, debug), TMDB_API_KEY: `${CANARY}-wrong` })] as const
        }),
        runCli([...YEAR, "--db", path.join(dir, "refused.sqlite")], { ...env(s, debug), TMDB_BASE_URL: "http://127.0.0.1:9/3" }),
        runCli(["--start-year", "x"], env(s, debug))
      ])
      const runs = [faulted, refusedKey, refusedConnection, badInput]
      expect(runs.map((r) => r.code)).toEqual([0, 1, 1, 2])
      expect(runs[0]!.stderr).toMatch(/level=DEBUG/)
      expect(runs[1]!.stderr).toMatch(/^TMDB refused the key in TMDB_API_KEY: Invalid API key: You must be granted a valid key\.$/m)
      expect(s.counters.faultsInjected).toEqual(expect.objectContaining({ error500: expect.any(Number), reset: expect.any(Number) }))
      for (const r of runs) {
        expect(r.stdout).not.toContain(CANARY)
        expect(r.stderr).not.toContain(CANARY)
      }
      expect(readDb(db).failures.length).toBeGreaterThan(0)
      for (const f of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, f)).includes(CANARY)).toBe(false)
    }))

  it("with TMDB_READ_ACCESS_TOKEN set, no request URL carries a key (and TMDB_RPS applies when --rps is not given)", () =>
    sandboxed({ readToken: "read-token-canary" }, async (s) => {
      const db = path.join(tmpDir(), "token.sqlite")
      const run = await runCli(["--start-year", "2020", "--end-year", "2020", "--db", db, "--json"], {
        TMDB_READ_ACCESS_TOKEN: "read-token-canary",
        TMDB_BASE_URL: s.baseUrl,
        TMDB_RPS: "77",
        TMDB_BURST: "20"
      })
      expect(run.code).toBe(0)
      expect(s.counters.byAuth).toEqual({ bearer: s.counters.requests })
      expect(JSON.parse(run.stdout).settledRate).toBe(77)
    }))
})

describe.concurrent("bad input: one line naming what was wrong, a non-zero exit, no stack trace", () => {
  const cases: Array<[Array<string>, RegExp]> = [
    [[], /--start-year/],
    [["--start-year", "abc"], /^--start-year must be an integer, got 'abc'$/],
    [["--start-year", "2020.5"], /^--start-year must be an integer/],
    [["--start-year", "99999"], /^--start-year must be a year/],
    [["--start-year", "2020", "--end-year", "x"], /^--end-year must be an integer/],
    [["--start-year", "2020", "--end-year", "2019"], /^--end-year \(2019\) must not be before --start-year \(2020\)$/],
    [["--start-year", "2020", "--min-vote-count", "-1"], /^--min-vote-count must be >= 0/],
    [["--start-year", "2020", "--min-vote-count", "many"], /^--min-vote-count must be an integer/],
    [["--start-year", "2020", "--max-pages", "0"], /^--max-pages must be >= 1/],
    [["--start-year", "2020", "--rps", "0"], /^--rps must be greater than 0/],
    [["--start-year", "2020", "--rps", "-3"], /^--rps must be greater than 0/],
    [["--start-year", "2020", "--rps", "fast"], /^--rps must be a number/],
    [["--start-year", "2020", "--burst", "0"], /^--burst must be >= 1/],
    [["--start-year", "2020", "--burst", "1.5"], /^--burst must be an integer/],
    [["--start-year", "2020", "--concurrency", "0"], /^--concurrency must be between 1 and 100/],
    [["--start-year", "2020", "--concurrency", "lots"], /^--concurrency must be an integer/],
    [["--start-year", "2020", "--refresh-limit", "-1"], /^--refresh-limit must be >= 0/],
    [["--start-year", "2020", "--stale-after-days", "-2"], /^--stale-after-days must be between 0 and 36500/],
    [["--start-year", "2020", "--max-pages", "all"], /^--max-pages must be an integer/],
    [["--start-year", "2020", "--refresh-limit", "none"], /^--refresh-limit must be an integer/],
    [["--start-year", "2020", "--refresh-limit", "99999999999999999999"], /^--refresh-limit is too large/],
    [["--start-year", "2020", "--stale-after-days", "soon"], /^--stale-after-days must be an integer/],
    [["--start-year", "2020", "--stale-after-days", "1000000000"], /^--stale-after-days must be between 0 and 36500/],
    [["--start-year", "2020", "--db", ""], /^--db must name a file/],
    [["--start-year", "2020", "--bogus", "1"], /--bogus/]
  ]

  it("every flag with wrong types and out-of-range values (exit 2), checked by the CLI's own program in process", async () => {
    for (const [args, pattern] of cases) {
      const run = await runInProcess(args)
      expect(run.code, args.join(" ")).toBe(2)
      expectOneLine(run.stderr, pattern)
      expect(run.stdout, args.join(" ")).toBe("")
    }
  })

  it("the real process: the same one line on stderr and exit 2, for a bad value and for an unknown flag", async () => {
    const ends = [cases[1]!, cases.at(-1)!]
    const runs = await Promise.all(ends.map(([args]) => runCli(args, { TMDB_API_KEY: "k" })))
    runs.forEach((run, i) => {
      expect(run.code, ends[i]![0].join(" ")).toBe(2)
      expectOneLine(run.stderr, ends[i]![1])
      expect(run.stdout).toBe("")
    })
  })

  it("no key, a directory, a file that is not a database (left untouched), a refused base URL", async () => {
    const dir = tmpDir()
    const notes = path.join(dir, "notes.txt")
    fs.writeFileSync(notes, "not a database\n")
    const [noKey, isDir, notDb, refused] = await Promise.all([
      runCli(["--start-year", "2020", "--db", path.join(dir, "a.sqlite")], {}),
      runCli(["--start-year", "2020", "--db", dir], { TMDB_API_KEY: "k" }),
      runCli(["--start-year", "2020", "--db", notes], { TMDB_API_KEY: "k" }),
      runCli(["--start-year", "2020", "--end-year", "2020", "--db", path.join(dir, "r.sqlite")], { TMDB_API_KEY: "k", TMDB_BASE_URL: "http://127.0.0.1:9/3" })
    ])
    expect(noKey.code).toBe(2)
    expectOneLine(noKey.stderr, /^TMDB_API_KEY is not set/)
    expect(fs.existsSync(path.join(dir, "a.sqlite"))).toBe(false)
    expect(isDir.code).toBe(1)
    expectOneLine(isDir.stderr, /is a directory, not a database file$/)
    expect(notDb.code).toBe(1)
    expectOneLine(notDb.stderr, /notes\.txt is not a SQLite database$/)
    expect(fs.readFileSync(notes, "utf8")).toBe("not a database\n")
    expect(refused.code).toBe(1)
    expectOneLine(refused.stderr, /^cannot reach TMDB at http:\/\/127\.0\.0\.1:9\/3: connection refused \(ECONNREFUSED\)$/)
    // Bounded: one page's 1 + 3 retries (~7 s of backoff) plus start-up, not every year's.
    expect(refused.ms).toBeLessThan(45_000)
  }, 120_000)
})
