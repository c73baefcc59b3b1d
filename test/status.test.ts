import Database from "better-sqlite3"
import { execFile } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { main } from "../scripts/StatusCli.js"
import type { Status } from "../services/StoreStatus.js"
import { SCHEMA_VERSION } from "../src/Migrations.js"
import { root } from "./support/cli.js"
import { captured } from "./support/inProcess.js"
import { sandboxes } from "./support/sandbox.js"
import { connect, databases, databaseUrl, requireServer } from "./support/services.js"
import { collect } from "./support/workflow.js"

// `npm run status`: what a store holds and how fresh it is, read without writing, with "due"
// meaning exactly what the next run fetches.

const sandbox = sandboxes({ catalogue: { seed: 25, startYear: 2020, endYear: 2020, perYear: 40 } })
const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

const status = async (db: string, ...flags: Array<string>) => captured(main(["node", "status.ts", "--db", db, ...flags]))
const statusJson = async (db: string) => {
  const r = await status(db, "--json")
  expect(r.stderr).toBe("")
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout) as Status & { database: string }
}
const movieOf = (s: Status) => s.kinds.find((k) => k.kind === "movie")!
const sha = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")

const tmpDb = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "status-")), "movies.sqlite")

describe("npm run status", () => {
  it("counts what is stored and due as the next run would choose it, and writes nothing", async () => {
    const s = await sandbox()
    const db = tmpDb()
    const summary = await collect(s, db, { all: true })
    expect(summary.complete).toBe(true)

    const first = await statusJson(db)
    const movies = movieOf(first)
    const sqlite = new Database(db)
    const count = (where: string) => (sqlite.prepare(`SELECT count(*) FROM movies WHERE ${where}`).pluck().get() as number)
    expect(movies).toMatchObject({ stored: count("1 = 1"), withDetails: count("details_fetched_at IS NOT NULL"), removed: count("removed_at IS NOT NULL") })
    expect(movies.stored).toBeGreaterThan(30)
    // A complete run leaves nothing due, and the export it read covered.
    expect(movies.due.total).toBe(0)
    expect(movies.export).toEqual({ date: summary.export!.date, listed: summary.export!.kept, withDetails: expect.any(Number) })
    expect(movies.export!.withDetails).toBe(count(`exported_on = '${summary.export!.date}' AND details_fetched_at IS NOT NULL`))
    expect(first.runs).toEqual([expect.objectContaining({ id: 1, status: "complete", requests: summary.requests, rateLimited: summary.rateLimited })])
    expect(first.collectors).toBeNull()

    // What the next run will fetch, one reason each: 3 stale, 2 changed since fetched, 1 failed
    // with a transient kind, 1 never fetched; a permanent failure waits for the stale rule.
    const nowMs = Date.now()
    const ids = sqlite.prepare("SELECT tmdb_id FROM movies WHERE details_fetched_at IS NOT NULL ORDER BY tmdb_id LIMIT 7").pluck().all() as Array<number>
    const [a, b, c, d, e, f, g] = ids as [number, number, number, number, number, number, number]
    sqlite.prepare(`UPDATE movies SET details_fetched_at = ? WHERE tmdb_id IN (${a}, ${b}, ${c})`).run(iso(nowMs - 200 * DAY))
    sqlite.prepare(`UPDATE movies SET changed_at = ? WHERE tmdb_id IN (${d}, ${e})`).run(iso(nowMs + 1000))
    const failure = sqlite.prepare("INSERT OR REPLACE INTO fetch_failures VALUES (?, ?, 'failed', 1, ?)")
    failure.run(f, "timeout", iso(nowMs))
    failure.run(g, "not_found", iso(nowMs))
    sqlite.prepare("INSERT INTO movies (tmdb_id, title) VALUES (999999999, 'Never fetched')").run()
    sqlite.prepare("UPDATE sync_marks SET value = ? WHERE name = 'changes'").run(iso(nowMs - 10 * DAY).slice(0, 10))
    const permanent = sqlite.prepare("SELECT count(*) FROM fetch_failures WHERE kind = 'not_found'").pluck().get() as number
    sqlite.close()

    const before = sha(db)
    const second = await statusJson(db)
    const changed = movieOf(second)
    expect(changed.due).toEqual({ total: 7, neverFetched: 1, changed: 2, failedRetried: 1, stale: 3 })
    expect(changed.failures).toEqual({ retriedNextRun: { timeout: 1 }, permanent: { not_found: permanent } })
    expect(changed.changes).toEqual({ mark: iso(nowMs - 10 * DAY).slice(0, 10), lagDays: 10, daysLeft: 4 })
    expect(changed.detailsAge!.oldestDays).toBeCloseTo(200, 1)
    expect(changed.detailsAge!.medianDays).toBeLessThan(1)
    // Read-only: not a byte of the file changed, and no -wal or -shm was left beside it.
    expect(sha(db)).toBe(before)
    expect(fs.readdirSync(path.dirname(db)).filter((f) => f.endsWith("-wal") || f.endsWith("-shm"))).toEqual([])

    // The same, for a person: one row per kind.
    const text = await status(db)
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^movies\s+7\s+1\s+2\s+1\s+3$/m)
    expect(text.stdout).toMatch(/^movies\s+\d{4}-\d\d-\d\d\s+10 d\s+4 d$/m)
    expect(text.stdout).toContain(`1: timeout 1`)
  })

  it("refuses a missing database (exit 2) and a store of another schema (exit 1) in one line, and migrates nothing", async () => {
    const missing = await status(path.join(os.tmpdir(), "no-such-store.sqlite"))
    expect(missing).toMatchObject({ code: 2, stdout: "" })
    expect(missing.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^no database at .*no-such-store\.sqlite$/)])

    const s = await sandbox()
    const db = tmpDb()
    await collect(s, db, { startYear: 2020, endYear: 2020, refreshLimit: 0 })
    const sqlite = new Database(db)
    sqlite.prepare("DELETE FROM effect_sql_migrations WHERE migration_id = (SELECT max(migration_id) FROM effect_sql_migrations)").run()
    sqlite.close()
    const before = sha(db)
    const old = await status(db)
    expect(old.code).toBe(1)
    expect(old.stderr.trim()).toMatch(new RegExp(`has schema ${SCHEMA_VERSION - 1} of ${SCHEMA_VERSION}: one \`npm run collect\` on it brings it up to date$`))
    expect(sha(db)).toBe(before)

    fs.writeFileSync(db, "not a database at all, but long enough to be read as one")
    expect(await status(db)).toMatchObject({ code: 1, stderr: `${db} is not a SQLite database\n` })
  })

  it("runs as `npm run status`, with no key in its environment", async () => {
    const s = await sandbox()
    const db = tmpDb()
    await collect(s, db, { startYear: 2020, endYear: 2020 })
    const [node, ...script] = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["status"]!
      .split(/\s+/)
    expect(node).toBe("node")
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TMDB_")))
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [...script, "--db", db],
        { cwd: root, env, encoding: "utf8" },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr })
      )
    )
    expect(out).toMatchObject({ code: 0, stderr: "" })
    expect(out.stdout).toMatch(/^records\s+stored\s+with details\s+removed$/m)
  })
})

const pgUp = await requireServer("PostgreSQL", "the status tests on PostgreSQL")
const database = databases()

describe.skipIf(!pgUp)("npm run status on PostgreSQL", () => {
  it("lists the collectors alive, what they hold and their generation, and migrates nothing", async () => {
    const s = await sandbox()
    const db = await database("status")
    await collect(s, db.url, { startYear: 2020, endYear: 2020 })
    const pg = await connect(db.url)
    try {
      // One collector alive (its heartbeat a second old) holding two movies and a year; one dead
      // (its heartbeat ten minutes old), whose leftovers are not its any more.
      const run = async (beat: string, generation: number) =>
        (await pg.query(
          `INSERT INTO collection_runs (started_at, status, options, heartbeat_at, collector, generation)
           VALUES (now() - interval '1 minute', 'running', '{}', now() - interval '${beat}', 'elsewhere 1 x', $1) RETURNING id`,
          [generation]
        )).rows[0].id as number
      const alive = await run("1 second", 7)
      const dead = await run("10 minutes", 6)
      const movies = (await pg.query("SELECT tmdb_id FROM movies ORDER BY tmdb_id LIMIT 3")).rows.map((r) => r.tmdb_id as number)
      for (const [i, id] of movies.entries()) {
        await pg.query("INSERT INTO detail_leases VALUES ($1, $2, now() + interval '30 seconds')", [id, i < 2 ? alive : dead])
      }
      await pg.query("INSERT INTO work_claims VALUES ('g7:2021', $1, now() + interval '30 seconds', NULL)", [alive])
      const migrations = (await pg.query("SELECT count(*) AS n FROM effect_sql_migrations")).rows[0].n

      const shown = await status(db.url, "--json")
      expect(shown.stderr).toBe("")
      const result = JSON.parse(shown.stdout) as Status & { database: string }
      expect(result.database).toBe(`postgres://root@127.0.0.1:5432/${db.name}`)
      expect(result.collectors).toEqual({
        generation: 7,
        alive: [expect.objectContaining({ runId: alive, collector: "elsewhere 1 x", units: ["2021"], leases: { movie: 2 } })]
      })
      expect(movieOf(result).stored).toBe(Number((await pg.query("SELECT count(*) AS n FROM movies")).rows[0].n))
      expect((await pg.query("SELECT count(*) AS n FROM effect_sql_migrations")).rows[0].n).toBe(migrations)
      expect((await status(db.url)).stdout).toMatch(new RegExp(`^  #${alive} elsewhere 1 x: since .*, holds 2 movies; units 2021$`, "m"))
      // Collectors that run with an hour's lease: ten minutes of silence is not death yet.
      const patient = JSON.parse((await status(db.url, "--json", "--lease-seconds", "3600")).stdout) as Status
      expect(patient.collectors!.alive.map((c) => c.runId)).toEqual([alive, dead])
    } finally {
      await pg.end()
    }
  })

  it("refuses a PostgreSQL database that does not exist (exit 2)", async () => {
    const r = await status(databaseUrl("tmdb_status_no_such_database"))
    expect(r).toMatchObject({ code: 2, stdout: "" })
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/database postgres:\/\/.*tmdb_status_no_such_database does not exist/)])
  })
})
