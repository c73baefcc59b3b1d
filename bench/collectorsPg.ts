import { Effect, Either, Layer, Redacted } from "effect"
import * as zlib from "node:zlib"
import pg from "pg"
import { PgLive } from "../layers/Pg.js"
import { withAppends } from "../sandbox/Appends.js"
import { generateCatalogue } from "../sandbox/index.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { DEFAULT_APPEND } from "../src/Appended.js"
import { decodeMovieDetails } from "../src/Decode.js"
import type { MovieDetails } from "../src/Movie.js"
import { binaryChunks, chunks, refreshed } from "../src/MovieWrites.js"
import { BROTLI } from "../src/Payloads.js"
import { alive } from "../src/Process.js"
import { CHILD_TABLES, childRows, movieRow } from "../src/Rows.js"
import { sleep } from "./processes.js"

// PostgreSQL plumbing of benchmark 7 (bench/collectors.ts): fresh databases named tmdb_bench_*,
// migrated by the project's own PgLive; what a database holds; raw `pg` doing what
// MovieRepository.saveOutcomes sends.

const ADMIN_URL = process.env["TEST_DATABASE_URL"] ?? "postgres://root@127.0.0.1:5432/test"
const RICH = DEFAULT_APPEND
const PREFIX = "tmdb_bench_"

const admin = async <A>(f: (c: pg.Client) => Promise<A>): Promise<A> => {
  const c = new pg.Client({ connectionString: ADMIN_URL })
  await c.connect()
  try {
    return await f(c)
  } finally {
    await c.end()
  }
}

export const onDb = async <A>(url: string, f: (c: pg.Client) => Promise<A>): Promise<A> => {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return await f(c)
  } finally {
    await c.end()
  }
}

export interface BenchDb {
  readonly name: string
  readonly url: string
}

const urlOf = (name: string) => {
  const u = new URL(ADMIN_URL)
  u.pathname = `/${name}`
  return u.toString()
}

/**
 * Databases of this benchmark, each named `tmdb_bench_<label>_<pid>_<random>` and dropped by
 * `dropAll`. A run stopped before its `finally` (a timeout, a signal) leaves its own behind: the
 * next run drops those whose pid is gone.
 */
export const databases = () => {
  const made: Array<BenchDb> = []
  return {
    fresh: async (label: string): Promise<BenchDb> => {
      const name = `${PREFIX}${label.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
      await admin((c) => c.query(`CREATE DATABASE ${name}`))
      const db = { name, url: urlOf(name) }
      made.push(db)
      return db
    },
    drop: async (db: BenchDb) => {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`))
      made.splice(made.indexOf(db), 1)
    },
    dropAll: async () => {
      const names = made.splice(0).map((d) => d.name)
      await admin(async (c) => {
        for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      })
    }
  }
}

export type Databases = ReturnType<typeof databases>

/** Drops the tmdb_bench_* databases of earlier runs whose process is gone. */
export const dropStale = () =>
  admin(async (c) => {
    const rows = (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%'`)).rows
    const stale = rows.map((r) => r.datname).filter((n) => {
      const pid = Number(/_(\d+)_[a-z0-9]+$/.exec(n)?.[1])
      return Number.isInteger(pid) && pid !== process.pid && !alive(pid)
    })
    for (const name of stale) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    return stale.length
  })

export const pgLayer = (db: BenchDb, maxConnections?: number) => PgLive(Redacted.make(db.url), db.name, maxConnections === undefined ? {} : { maxConnections })

/** Migrated by PgLive (the collector's own layer), then its pool closed. */
export const migrate = (db: BenchDb) => Effect.runPromise(Effect.scoped(Layer.build(pgLayer(db))))

/**
 * What the database's sessions did (pg_stat_database): milliseconds spent executing statements
 * (active_time) and transactions committed. Read once every session is closed: sessions report
 * as they go idle and as they end, so it is read until two readings agree.
 */
export const sessionStats = async (db: BenchDb): Promise<{ activeMs: number; commits: number }> => {
  const read = () =>
    admin(async (c) => {
      const r = (await c.query(`SELECT active_time, xact_commit FROM pg_stat_database WHERE datname = $1`, [db.name])).rows[0]
      return { activeMs: Number(r?.active_time ?? 0), commits: Number(r?.xact_commit ?? 0) }
    })
  let last = await read()
  for (let i = 0; i < 10; i++) {
    await sleep(300)
    const now = await read()
    if (now.activeMs === last.activeMs && now.commits === last.commits) return now
    last = now
  }
  return last
}

export const activeMs = async (db: BenchDb): Promise<number> => (await sessionStats(db)).activeMs

export interface Holdings {
  readonly movies: number
  readonly withDetails: number
  readonly failures: number
  readonly childRows: Record<string, number>
  readonly payloads: number
  readonly payloadBytes: number
  readonly databaseBytes: number
}

/** What a database holds: movies, child rows per table, payloads and their bytes, its size. */
export const holdings = (db: BenchDb): Promise<Holdings> =>
  onDb(db.url, async (c) => {
    const r = (
      await c.query(`SELECT
        (SELECT count(*) FROM movies)::int AS movies,
        (SELECT count(*) FROM movies WHERE details_fetched_at IS NOT NULL)::int AS with_details,
        (SELECT count(*) FROM fetch_failures)::int AS failures,
        ${CHILD_TABLES.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(",\n        ")},
        (SELECT count(*) FROM movie_payloads)::int AS payloads,
        (SELECT coalesce(sum(octet_length(body)), 0) FROM movie_payloads)::bigint AS payload_bytes,
        pg_database_size(current_database())::bigint AS database_bytes`)
    ).rows[0] as Record<string, string | number>
    return {
      movies: Number(r["movies"]),
      withDetails: Number(r["with_details"]),
      failures: Number(r["failures"]),
      childRows: Object.fromEntries(CHILD_TABLES.map((t) => [t, Number(r[t])])),
      payloads: Number(r["payloads"]),
      payloadBytes: Number(r["payload_bytes"]),
      databaseBytes: Number(r["database_bytes"])
    }
  })

/**
 * Rich movies as bench/storage.ts builds them: the sandbox catalogue's bodies with the four
 * sub-resources appended, held as text and decoded a batch at a time (ids moved by `offset`).
 */
export const richBodies = (n: number, seed = 7) =>
  generateCatalogue({ seed, startYear: 2000, endYear: 2009, perYear: Math.ceil(n / 10), includeFixtures: false })
    .slice(0, n)
    .map((m) => JSON.stringify(withAppends(m, RICH)))

export const decodeRich = (bodies: ReadonlyArray<string>, offset = 0): Array<MovieDetails> =>
  bodies.map((body) => {
    const m = Either.getOrThrow(decodeMovieDetails(JSON.parse(body), RICH))
    return { ...m, tmdbId: m.tmdbId + offset, body }
  })

// ---------------------------------------------------------------------------------------------
// Raw pg: the statements MovieRepository.saveOutcomes sends (services/MovieRepository.ts,
// src/MovieWrites.ts writeDetails, services/movieRepository/CatalogueWrites.ts recordPresence), written by hand.

/** saveOutcomes writes a batch in slices of this many movies (SLICE in services/MovieRepository.ts). */
const SLICE = 50

const q = (id: string) => `"${id}"`

/** One multi-row INSERT, its columns those of the first row, as sql.insert builds it. */
const multiInsert = (table: string, rows: ReadonlyArray<Record<string, unknown>>) => {
  const columns = Object.keys(rows[0]!)
  const values: Array<unknown> = []
  const tuples = rows.map((r) => `(${columns.map((c) => `$${values.push(r[c])}`).join(", ")})`)
  return { text: `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES ${tuples.join(", ")}`, values, columns }
}

/** One batch in one transaction, slice by slice, as saveOutcomes writes it; returns ms taken. */
export const rawSave = async (c: pg.Client, movies: ReadonlyArray<MovieDetails>, at: string): Promise<number> => {
  const t0 = performance.now()
  await c.query("BEGIN")
  try {
    for (const slice of chunks(movies, SLICE)) {
      const ids = slice.map((m) => m.tmdbId)
      const upsert = multiInsert("movies", slice.map((m) => movieRow(m, at)))
      await c.query(
        `${upsert.text} ON CONFLICT (tmdb_id) DO UPDATE SET ${refreshed(upsert.columns).map((col) => `${q(col)} = excluded.${q(col)}`).join(", ")}`,
        upsert.values
      )
      const children = slice.map((m) => childRows(m))
      for (const table of CHILD_TABLES) {
        await c.query(`DELETE FROM ${table} WHERE tmdb_id = ANY($1)`, [ids])
        for (const part of binaryChunks(children.flatMap((ch) => ch[table]))) {
          const insert = multiInsert(table, part)
          await c.query(insert.text, insert.values)
        }
      }
      const payloads = multiInsert(
        "movie_payloads",
        slice.map((m) => ({
          tmdb_id: m.tmdbId,
          fetched_at: at,
          body: zlib.brotliCompressSync(m.body!, BROTLI),
          encoding: "br",
          append: (m.append ?? []).join(",")
        }))
      )
      await c.query(
        `${payloads.text} ON CONFLICT (tmdb_id) DO UPDATE SET
        fetched_at = excluded.fetched_at, body = excluded.body, encoding = excluded.encoding, append = excluded.append`,
        payloads.values
      )
      await c.query(`DELETE FROM fetch_failures WHERE tmdb_id = ANY($1)`, [ids])
    }
    // recordPresence: a movie served again is no longer removed.
    for (const chunk of chunks(movies.map((m) => m.tmdbId), 500)) {
      await c.query(`UPDATE movies SET removed_at = NULL WHERE tmdb_id = ANY($1) AND removed_at IS NOT NULL RETURNING tmdb_id`, [chunk])
    }
    await c.query("COMMIT")
  } catch (error) {
    await c.query("ROLLBACK").catch(() => {})
    throw error
  }
  return performance.now() - t0
}

/** The repository: one batch through MovieRepository.saveOutcomes, as the collector's writer calls it. */
export const repositoryWriter = (db: BenchDb) => MovieRepository.Default.pipe(Layer.provide(pgLayer(db)))
