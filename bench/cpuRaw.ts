import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as zlib from "node:zlib"
import { Pool } from "undici"
import { BROTLI } from "../src/Payloads.js"

// The CPU benchmark's raw baseline, as its own process: what storing a rich movie costs with no
// Effect. undici, JSON.parse, the rows the collector writes (the movie, its eight child tables,
// its payload compressed as the collector compresses it, one history row) through better-sqlite3,
// batched as the collector batches its commits. Paced like the collector (one request every
// 1/(0.985 R) s, at most CONCURRENCY in flight) or flat out.
//
// Env: TMDB_BASE_URL, TMDB_API_KEY, RAW_IDS (a file of ids, one per line), RAW_DB (a migrated
// database), RAW_RPS (0: flat out), RAW_CONCURRENCY.

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
type Value = string | number | null

const env = (name: string): string => {
  const v = process.env[name]
  if (v === undefined || v === "") throw new Error(`${name} is not set`)
  return v
}
const base = new URL(env("TMDB_BASE_URL"))
const ids = fs.readFileSync(env("RAW_IDS"), "utf8").split("\n").filter((l) => l !== "").map(Number)
const rps = Number(env("RAW_RPS"))
const concurrency = Number(env("RAW_CONCURRENCY"))
const query = `api_key=${env("TMDB_API_KEY")}&append_to_response=credits,keywords,release_dates,external_ids`
const db = new Database(env("RAW_DB"))
db.pragma("journal_mode = WAL")
db.pragma("synchronous = NORMAL")

const unknown = (v: unknown): Value => (v === "" || v === undefined ? null : (v as Value))
const positive = (v: unknown): Value => (typeof v === "number" && v > 0 ? v : null)
const flag = (v: unknown): Value => (typeof v === "boolean" ? (v ? 1 : 0) : null)
const names = (xs: ReadonlyArray<Json> | undefined, key = "name") => JSON.stringify((xs ?? []).map((x) => x[key]))

// Keyed by column, in the table's order: the statement is built from the keys.
const movieRow = (m: Json, at: string): Record<string, Value> => ({
  tmdb_id: m.id,
  imdb_id: unknown(m.imdb_id),
  title: m.title,
  original_title: unknown(m.original_title),
  release_date: unknown(m.release_date),
  runtime: positive(m.runtime),
  budget: positive(m.budget),
  revenue: positive(m.revenue),
  genres: names(m.genres),
  production_companies: names(m.production_companies),
  overview: unknown(m.overview),
  vote_average: m.vote_average,
  vote_count: m.vote_count,
  popularity: m.popularity,
  discovered_at: at,
  details_fetched_at: at,
  original_language: unknown(m.original_language),
  status: unknown(m.status),
  tagline: unknown(m.tagline),
  homepage: unknown(m.homepage),
  adult: flag(m.adult),
  video: flag(m.video),
  poster_path: unknown(m.poster_path),
  backdrop_path: unknown(m.backdrop_path),
  collection_id: m.belongs_to_collection?.id ?? null,
  collection_name: m.belongs_to_collection?.name ?? null,
  production_countries: names(m.production_countries, "iso_3166_1"),
  spoken_languages: names(m.spoken_languages, "iso_639_1"),
  wikidata_id: unknown(m.external_ids?.wikidata_id),
  votes_at: at
})
const MOVIE_COLUMNS = Object.keys(movieRow({}, ""))

const CHILDREN: ReadonlyArray<readonly [string, ReadonlyArray<string>, (m: Json) => ReadonlyArray<Array<Value>>]> = [
  ["movie_genres", ["genre_id", "name", "ord"], (m) => (m.genres ?? []).map((g: Json, i: number) => [g.id, g.name, i])],
  [
    "movie_companies",
    ["company_id", "name", "origin_country", "ord"],
    (m) => (m.production_companies ?? []).map((c: Json, i: number) => [c.id, c.name, unknown(c.origin_country), i])
  ],
  ["movie_countries", ["iso_3166_1", "name", "ord"], (m) => (m.production_countries ?? []).map((c: Json, i: number) => [c.iso_3166_1, c.name, i])],
  [
    "movie_languages",
    ["iso_639_1", "name", "english_name", "ord"],
    (m) => (m.spoken_languages ?? []).map((l: Json, i: number) => [l.iso_639_1, l.name, l.english_name, i])
  ],
  [
    "movie_cast",
    ["person_id", "name", "character", "ord", "credit_id", "gender", "cast_id"],
    (m) => (m.credits?.cast ?? []).map((c: Json) => [c.id, c.name, unknown(c.character), c.order, c.credit_id, c.gender, c.cast_id])
  ],
  [
    "movie_crew",
    ["person_id", "name", "department", "job", "credit_id", "gender", "ord"],
    (m) => (m.credits?.crew ?? []).map((c: Json, i: number) => [c.id, c.name, c.department, c.job, c.credit_id, c.gender, i])
  ],
  ["movie_keywords", ["keyword_id", "name", "ord"], (m) => (m.keywords?.keywords ?? []).map((k: Json, i: number) => [k.id, k.name, i])],
  [
    "movie_release_dates",
    ["country", "type", "release_date", "certification", "note", "language"],
    (m) =>
      (m.release_dates?.results ?? []).flatMap((r: Json) =>
        (r.release_dates ?? []).map((d: Json) => [r.iso_3166_1, d.type, d.release_date, unknown(d.certification), unknown(d.note), unknown(d.iso_639_1)])
      )
  ]
]

const place = (n: number) => Array.from({ length: n }, () => "?").join(", ")
const upsertMovie = db.prepare(
  `INSERT INTO movies (${MOVIE_COLUMNS.join(", ")}) VALUES (${place(MOVIE_COLUMNS.length)}) ON CONFLICT (tmdb_id) DO UPDATE SET ${
    MOVIE_COLUMNS.slice(1).filter((c) => c !== "discovered_at").map((c) => `${c} = excluded.${c}`).join(", ")
  }`
)
const children = CHILDREN.map(([table, columns, rows]) => ({
  clear: db.prepare(`DELETE FROM ${table} WHERE tmdb_id = ?`),
  insert: db.prepare(`INSERT INTO ${table} (tmdb_id, ${columns.join(", ")}) VALUES (${place(columns.length + 1)})`),
  rows
}))
const upsertPayload = db.prepare(
  `INSERT INTO movie_payloads (tmdb_id, fetched_at, body, encoding, append) VALUES (?, ?, ?, 'br', ?)
   ON CONFLICT (tmdb_id) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body, encoding = excluded.encoding, append = excluded.append`
)
const addHistory = db.prepare(
  `INSERT INTO movie_metrics_history (tmdb_id, observed_at, popularity, vote_count, vote_average, source) VALUES (?, ?, ?, ?, ?, 'details')`
)

const pending: Array<{ movie: Json; body: string }> = []
const save = db.transaction((batch: ReadonlyArray<{ movie: Json; body: string }>) => {
  const at = new Date().toISOString()
  for (const { body, movie } of batch) {
    upsertMovie.run(Object.values(movieRow(movie, at)))
    for (const c of children) {
      c.clear.run(movie.id)
      for (const row of c.rows(movie)) c.insert.run(movie.id, ...row)
    }
    upsertPayload.run(movie.id, at, zlib.brotliCompressSync(body, BROTLI), "credits,keywords,release_dates,external_ids")
    addHistory.run(movie.id, at, movie.popularity, movie.vote_count, movie.vote_average)
  }
})
// The collector's batching (services/collector/Fetch.ts): half the concurrency's worth of
// answers, or one second after the first, then whatever else is ready.
let timer: NodeJS.Timeout | undefined
const flush = () => {
  clearTimeout(timer)
  timer = undefined
  if (pending.length > 0) save(pending.splice(0))
}
const received = (movie: Json, body: string) => {
  pending.push({ movie, body })
  if (pending.length === 1) timer = setTimeout(flush, 1_000)
  if (pending.length === Math.max(1, Math.floor(concurrency / 2))) setImmediate(flush)
}

const pool = new Pool(base.origin, { connections: concurrency })
let next = 0
let inFlight = 0
let done = 0
const fetchOne = async (id: number) => {
  inFlight++
  const res = await pool.request({ method: "GET", path: `${base.pathname}/movie/${id}?${query}` })
  const body = await res.body.text()
  inFlight--
  if (res.statusCode !== 200) throw new Error(`movie ${id}: HTTP ${res.statusCode}`)
  received(JSON.parse(body) as Json, body)
  done++
}

const main = async () => {
  if (rps === 0) {
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < ids.length) await fetchOne(ids[next++]!)
    }))
  } else {
    const interval = 1000 / (rps * 0.985)
    const t0 = performance.now()
    await new Promise<void>((resolve, reject) => {
      const tick = () => {
        if (done === ids.length) return resolve()
        const free = inFlight < concurrency
        if (next < ids.length && free) void fetchOne(ids[next++]!).then(() => done === ids.length && resolve(), reject)
        if (next < ids.length) setTimeout(tick, free ? Math.max(0, t0 + next * interval - performance.now()) : 5)
      }
      tick()
    })
  }
  flush()
  await pool.close()
  db.close()
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
})
