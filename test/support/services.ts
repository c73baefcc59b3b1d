import * as net from "node:net"
import pg from "pg"
import { afterEach } from "vitest"
import { instant } from "../../layers/Pg.js"
import type { StoredMovie } from "./cli.js"

// The machine's PostgreSQL and Redis (README "PostgreSQL and Redis"). Tests that need them use
// real connections. Where a server is not reachable they are skipped with one line saying why,
// except under CI=true, where a missing server fails the run: CI machines start both.

const PG_URL = process.env["TEST_DATABASE_URL"] ?? "postgres://root@127.0.0.1:5432/test"
export const REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379"

const reachable = (url: string, defaultPort: number) =>
  new Promise<boolean>((resolve) => {
    const u = new URL(url)
    const socket = net.connect({ host: u.hostname, port: Number(u.port || defaultPort) })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
  })

const announced = new Set<string>()

/**
 * Whether the server is there. When it is not: under CI=true this throws (the run fails);
 * otherwise it prints one line saying which tests are skipped and why, and returns false.
 */
export const requireServer = async (name: "PostgreSQL" | "Redis", what: string): Promise<boolean> => {
  const url = name === "PostgreSQL" ? PG_URL : REDIS_URL
  const ok = await reachable(url, name === "PostgreSQL" ? 5432 : 6379)
  if (ok) return true
  const host = new URL(url).host
  if (process.env["CI"] === "true") throw new Error(`${name} is not reachable at ${host}, and CI=true requires it (${what})`)
  if (!announced.has(what)) {
    announced.add(what)
    console.warn(`skipping ${what}: ${name} is not reachable at ${host} (start it as README "PostgreSQL and Redis" says)`)
  }
  return false
}

/** The URL of `database` on the test server. */
export const databaseUrl = (database: string) => {
  const u = new URL(PG_URL)
  u.pathname = `/${database}`
  return u.toString()
}

/**
 * A new, empty database on the test server for one test (`CREATE DATABASE` is cheap next to
 * a run), and its removal. Every test gets its own, so test files can run side by side.
 */
const freshDatabase = async (label: string) => {
  const name = `tmdb_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL })
      await c.connect()
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await c.end()
      }
    }
  }
}

// Rows as SQLite's reader gives them (test/support/cli.ts readDb): numbers for bigint, JSON as
// text, ISO text for instants.
const readerTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8
      ? Number
      : oid === pg.types.builtins.JSONB
      ? (t: string) => t
      : oid === pg.types.builtins.TIMESTAMPTZ
      ? instant
      : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"]
}

/** A client on `url` whose rows read as SQLite's do. */
export const connect = async (url: string) => {
  const client = new pg.Client({ connectionString: url, types: readerTypes })
  await client.connect()
  return client
}

/** What a PostgreSQL store holds, in the shape of `readDb`. */
export const readPg = async (url: string) => {
  const client = await connect(url)
  try {
    const movies = (await client.query("SELECT * FROM movies ORDER BY tmdb_id")).rows as Array<StoredMovie & Record<string, unknown>>
    const failures = (await client.query("SELECT * FROM fetch_failures ORDER BY tmdb_id")).rows as Array<
      { tmdb_id: number; kind: string; message: string; attempts: number }
    >
    const runs = (await client.query("SELECT * FROM collection_runs ORDER BY id")).rows as Array<
      { id: number; status: string; summary: string | null; collector: string | null; generation: number | null }
    >
    return { movies, failures, runs, integrity: "ok" }
  } finally {
    await client.end()
  }
}

/** Databases made by a test file with `freshDatabase`, each dropped after its test. Call once at the file's top level. */
export const databases = () => {
  const open: Array<{ drop: () => Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.drop()))
  })
  return async (label: string) => {
    const d = await freshDatabase(label)
    open.push(d)
    return d
  }
}
