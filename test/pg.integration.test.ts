import Database from "better-sqlite3"
import { Effect, Layer, Redacted } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { PgLive } from "../layers/Pg.js"
import { SqlLive } from "../layers/Sql.js"
import type { Sandbox } from "../sandbox/index.js"
import { runCli, runExport, sleep, startCli, tmpDir } from "./support/cli.js"
import { runInProcess } from "./support/inProcess.js"
import { cliEnv, expectExactRows, sandboxes } from "./support/sandbox.js"
import { connect, databases, databaseUrl, readPg, requireServer } from "./support/services.js"
import { collect } from "./support/workflow.js"

// The machine's PostgreSQL (README "PostgreSQL") against the sandbox: the same guarantees as on
// SQLite, over a real connection. The real CLI runs end to end once, and where its process is
// the subject (a SIGKILL, exit codes); the rest runs in this process.

const pgUp = await requireServer("PostgreSQL", "the PostgreSQL tests")
const sandbox = sandboxes()
const detailRequests = (s: Sandbox) => s.counters.byEndpoint["movie"] ?? 0
const database = databases()

/** A server that speaks PostgreSQL's protocol as far as asking for a password and refusing it (28P01). */
const refusingServer = async () => {
  const server = net.createServer((socket) => {
    let startup = true
    socket.on("data", (data) => {
      if (startup && data.length === 8 && data.readInt32BE(4) === 80877103) {
        socket.write("N") // no SSL
        return
      }
      if (startup) {
        startup = false
        // AuthenticationCleartextPassword
        const auth = Buffer.alloc(9)
        auth.write("R", 0)
        auth.writeInt32BE(8, 1)
        auth.writeInt32BE(3, 5)
        socket.write(auth)
        return
      }
      const fields = Buffer.concat([
        Buffer.from("SFATAL\0"),
        Buffer.from("C28P01\0"),
        Buffer.from("Mpassword authentication failed for user \"analyst\"\0"),
        Buffer.from("\0")
      ])
      const error = Buffer.alloc(5)
      error.write("E", 0)
      error.writeInt32BE(4 + fields.length, 1)
      socket.end(Buffer.concat([error, fields]))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) }
}

describe.skipIf(!pgUp)("collect CLI on PostgreSQL", () => {
  it("migrations make the same schema as SQLite's, table for table and column for column, with PostgreSQL's types", async () => {
    const file = path.join(tmpDir(), "schema.sqlite")
    await Effect.runPromise(Effect.scoped(Layer.build(SqlLive(file))))
    const sqlite = new Database(file, { readonly: true })
    const sqliteSchema: Record<string, Array<string>> = {}
    try {
      const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<
        { name: string }
      >
      for (const { name } of tables) {
        sqliteSchema[name] = (sqlite.prepare(`SELECT name FROM pragma_table_info('${name}')`).all() as Array<{ name: string }>).map((c) => c.name).sort()
      }
    } finally {
      sqlite.close()
    }
    const { url, name } = await database("schema")
    // Collectors started together on a new database: one migrates, the others find it done.
    await Promise.all([0, 1, 2].map(() => Effect.runPromise(Effect.scoped(Layer.build(PgLive(Redacted.make(url), name))))))
    const client = await connect(url)
    try {
      const columns = (await client.query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name"
      )).rows as Array<{ table_name: string; column_name: string; data_type: string }>
      const pgSchema: Record<string, Array<string>> = {}
      for (const c of columns) (pgSchema[c.table_name] ??= []).push(c.column_name)
      expect(pgSchema).toEqual(sqliteSchema)
      const typeOf = (table: string, column: string) => columns.find((c) => c.table_name === table && c.column_name === column)?.data_type
      expect({
        revenue: typeOf("movies", "revenue"),
        budget: typeOf("movies", "budget"),
        genres: typeOf("movies", "genres"),
        options: typeOf("collection_runs", "options"),
        summary: typeOf("collection_runs", "summary"),
        fetched: typeOf("movies", "details_fetched_at"),
        attempt: typeOf("fetch_failures", "last_attempt_at"),
        body: typeOf("movie_payloads", "body"),
        adult: typeOf("movies", "adult"),
        alsoKnownAs: typeOf("people", "also_known_as"),
        birthday: typeOf("people", "birthday"),
        personAdult: typeOf("people", "adult")
      }).toEqual({
        revenue: "bigint",
        budget: "bigint",
        genres: "jsonb",
        options: "jsonb",
        summary: "jsonb",
        fetched: "timestamp with time zone",
        attempt: "timestamp with time zone",
        body: "bytea",
        adult: "boolean",
        alsoKnownAs: "jsonb",
        birthday: "date",
        personAdult: "boolean"
      })
      const migrations = (await client.query("SELECT count(*)::int AS n FROM effect_sql_migrations")).rows[0].n
      expect(migrations).toBe(6)
    } finally {
      await client.end()
    }
  })

  it("a clean run stores every movie exactly; a rerun (TMDB_DATABASE_URL, no --db) makes no detail request; the view and the types are PostgreSQL's", async () => {
    const s = await sandbox({ catalogue: { seed: 11, startYear: 2019, endYear: 2021, perYear: 60 }, latencyMs: 5 })
    const { url } = await database("exact")
    const args = ["--start-year", "2019", "--end-year", "2021", "--rps", "300", "--burst", "30", "--db", url, "--json"]
    const first = await runCli(args, cliEnv(s))
    expect(first.stderr).toContain("Collection complete")
    expect(first.code).toBe(0)
    const truth = expectExactRows(await readPg(url), s, { startYear: 2019, endYear: 2021 })
    expect(detailRequests(s)).toBe(truth.length)
    expect(JSON.parse(first.stdout)).toEqual(expect.objectContaining({ detailsFetched: truth.length, complete: true }))

    // TMDB_DATABASE_URL chooses the database when --db is not given.
    s.resetCounters()
    const second = await runCli(args.filter((a) => a !== "--db" && a !== url), cliEnv(s, { TMDB_DATABASE_URL: url }))
    expect(second.code).toBe(0)
    expect(detailRequests(s)).toBe(0)
    expectExactRows(await readPg(url), s, { startYear: 2019, endYear: 2021 })
    const stored = await readPg(url)
    expect(stored.runs.map((r) => r.status)).toEqual(["complete", "complete"])

    // --renormalize and the TMDB 5000 export read PostgreSQL too, with no request.
    s.resetCounters()
    // The CLI's own program in this process.
    const renormalized = await runInProcess(["--renormalize", "--db", url])
    expect(renormalized.stderr).toContain(`Renormalized ${truth.filter((t) => t.details !== null).length} movies`)
    expect(renormalized.code).toBe(0)
    expectExactRows(await readPg(url), s, { startYear: 2019, endYear: 2021 })
    // `npm run export` chooses PostgreSQL from the URL it is given.
    const out = tmpDir()
    const exported = await runExport(["--format", "jsonl", "--out", out, "--db", url])
    expect(exported).toEqual({ code: 0, stderr: expect.not.stringContaining("\n    at ") })
    const lines = fs.readFileSync(path.join(out, "tmdb_5000_movies.jsonl"), "utf8").trim().split("\n")
    expect(lines.length).toBe(truth.filter((t) => t.details !== null).length)
    expect(s.counters.requests).toBe(0)

    const client = await connect(url)
    try {
      const types = (await client.query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'movies'
         AND column_name IN ('revenue', 'genres', 'details_fetched_at', 'adult', 'exported_on')`
      )).rows
      expect(Object.fromEntries(types.map((r) => [r.column_name, r.data_type]))).toEqual({
        revenue: "bigint",
        genres: "jsonb",
        details_fetched_at: "timestamp with time zone",
        adult: "boolean",
        exported_on: "date"
      })
      const overview = (await client.query("SELECT count(*)::int AS n, count(directors)::int AS directed FROM movie_overview")).rows[0]
      expect(overview.n).toBe(stored.movies.length)
      expect(overview.directed).toBeGreaterThan(0)
    } finally {
      await client.end()
    }
  })

  it("--refresh-limit N fetches N details and no more, claim after claim", async () => {
    const s = await sandbox({ catalogue: { seed: 12, startYear: 2019, endYear: 2020, perYear: 60 }, latencyMs: 2 })
    const { url } = await database("limit")
    // 25: more than one claim of 2 x concurrency (4), so the limit must hold across claims.
    const summary = await collect(s, url, { startYear: 2019, endYear: 2020, refreshLimit: 25 }, {
      client: { maxConcurrent: 2, requestsPerSecond: 1000, burst: 100 }
    })
    expect(detailRequests(s)).toBe(25)
    expect((await readPg(url)).movies.filter((m) => m.details_fetched_at !== null)).toHaveLength(25)
    expect(summary.detailsFetched).toBe(25)
  })

  it("a kill mid-run loses nothing: the rerun fetches only what was not stored", async () => {
    const s = await sandbox({ catalogue: { seed: 8, startYear: 2020, endYear: 2021, perYear: 150 }, latencyMs: 10 })
    const { url } = await database("crash")
    const args = ["--start-year", "2020", "--end-year", "2021", "--rps", "60", "--burst", "10", "--db", url, "--lease-seconds", "2"]
    const run = startCli(args, cliEnv(s))
    // Killed once some details are stored, well before the end.
    const end = Date.now() + 60_000
    const stored = async () => {
      const client = await connect(url).catch(() => undefined)
      if (client === undefined) return 0
      try {
        return (await client.query("SELECT count(details_fetched_at)::int AS n FROM movies")).rows[0]?.n ?? 0
      } catch {
        return 0 // not migrated yet
      } finally {
        await client.end()
      }
    }
    while ((await stored()) < 30 && Date.now() < end) await sleep(50)
    const killedAt = detailRequests(s)
    run.child.kill("SIGKILL")
    await run.done
    const storedBefore = (await readPg(url)).movies.filter((m) => m.details_fetched_at !== null).length
    expect(storedBefore).toBeGreaterThan(0)
    // The rerun: the workflow in this process, faster (the pace is not what is counted).
    const again = await collect(s, url, { startYear: 2020, endYear: 2021 }, { leaseSeconds: 2, client: { requestsPerSecond: 300, burst: 30 } })
    expect(again.complete).toBe(true)
    const truth = expectExactRows(await readPg(url), s, { startYear: 2020, endYear: 2021 })
    // Fetched again: at most what was in flight or waiting to be written at the kill, which the
    // collector holds to its concurrency (10), however loaded the machine (services/Collector.ts).
    const refetched = detailRequests(s) - truth.length
    console.log(`[figure] PostgreSQL: killed after ${killedAt} detail requests with ${storedBefore} stored; ${refetched} fetched again by the rerun`)
    expect(refetched).toBeLessThanOrEqual(10)
    const runs = (await readPg(url)).runs.map((r) => r.status)
    expect(runs).toEqual(["abandoned", "complete"])
  })

  it("bad URLs, a refused connection, a wrong password and a missing database: one line each, exit 1, no password shown", async () => {
    const s = await sandbox({ catalogue: { seed: 3, startYear: 2020, endYear: 2020, perYear: 5 } })
    const refusing = await refusingServer()
    // Trust authentication takes any password: the server is real, the database is not.
    const missing = new URL(databaseUrl("tmdb_no_such_database"))
    missing.password = "s3cret"
    try {
      const cases: Array<[string, RegExp, number]> = [
        ["postgres://analyst:s3cret@127.0.0.1:1/movies", /^cannot connect to PostgreSQL at 127\.0\.0\.1:1: connection refused/, 1],
        [`postgres://analyst:s3cret@127.0.0.1:${refusing.port}/movies`, /refused the password for postgres:\/\/analyst@127\.0\.0\.1:\d+\/movies$/, 1],
        [missing.toString(), new RegExp(`^database postgres://${missing.username}@${missing.host}/tmdb_no_such_database does not exist`), 1],
        ["postgres://analyst:s3cret@/movies", /is not a valid PostgreSQL URL/, 2],
        // Unencoded "/", "#" or "?" in a password: a URL parser would show part of it as a host or port.
        ["postgres://analyst:s3/cret@127.0.0.1/movies", /^postgres:\/\/…@127\.0\.0\.1\/movies is not a valid PostgreSQL URL: percent-encode/, 2],
        ["postgres://analyst:5432#s3cret@127.0.0.1/movies", /^postgres:\/\/…@127\.0\.0\.1\/movies is not a valid PostgreSQL URL: percent-encode/, 2],
        ["postgres://analyst:s3cret@127.0.0.1:5432", /is not a valid PostgreSQL URL/, 2]
      ]
      // Each through the CLI's own program in process; the real process for one of each exit code.
      const real = [cases[0]!, cases[3]!]
      const runs = await Promise.all([
        ...cases.map(([url]) => runInProcess(["--start-year", "2020", "--db", url], { env: cliEnv(s) })),
        ...real.map(([url]) => runCli(["--start-year", "2020", "--db", url], cliEnv(s)))
      ])
      ;[...cases, ...real].forEach(([url, message, code], i) => {
        const run = runs[i]!
        const lines = run.stderr.trim().split("\n")
        expect({ url, lines }).toEqual({ url, lines: [expect.stringMatching(message)] })
        expect(run.code).toBe(code)
        expect(run.stdout + run.stderr).not.toMatch(/s3|cret/)
      })
      expect(detailRequests(s)).toBe(0)
    } finally {
      await refusing.close()
    }
  })
})
