import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { describe, expect, it } from "vitest"
import type { RichTruth, Sandbox } from "../sandbox/index.js"
import { runCli, tmpDir } from "./support/cli.js"
import { cliEnv, expectExact, sandboxes } from "./support/sandbox.js"
import { collect, renormalize } from "./support/workflow.js"

// Rich records: one request per movie, every table equal to the sandbox's own reading of what it
// served, and a rebuild from the payloads that sends nothing. The workflow runs in this process,
// as the CLI composes it; the CLI's own checks of bad flags run the real CLI.

const sandbox = sandboxes()
const RICH = ["credits", "keywords", "release_dates", "external_ids"]
const YEARS = { startYear: 2019, endYear: 2020 }
const args = (db: string, ...more: Array<string>) => ["--start-year", "2019", "--end-year", "2020", "--rps", "300", "--burst", "30", "--db", db, ...more]
const detailRequests = (s: Sandbox) => s.counters.byEndpoint["movie"] ?? 0

const CHILDREN = {
  genres: "genre_id, name, ord",
  companies: "company_id, name, origin_country, ord",
  countries: "iso_3166_1, name, ord",
  languages: "iso_639_1, name, english_name, ord",
  cast: "person_id, name, character, ord, credit_id, gender, cast_id",
  crew: "person_id, name, department, job, credit_id, gender, ord",
  keywords: "keyword_id, name, ord",
  release_dates: "country, type, release_date, certification, note, language"
} as const satisfies Partial<Record<keyof RichTruth, string>>
const MOVIE_COLUMNS = "original_language, status, tagline, homepage, adult, video, poster_path, backdrop_path, collection_id, collection_name, " +
  "production_countries, spoken_languages, wikidata_id"

/** Every table of every stored movie, in the shape of the sandbox's rich truth, rows in insertion order. */
const readRich = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    const ids = (db.prepare("SELECT tmdb_id FROM movies WHERE details_fetched_at IS NOT NULL ORDER BY tmdb_id").all() as Array<{ tmdb_id: number }>)
      .map((r) => r.tmdb_id)
    return new Map(ids.map((id) => {
      const record: Record<string, unknown> = { movie: db.prepare(`SELECT ${MOVIE_COLUMNS} FROM movies WHERE tmdb_id = ?`).get(id) }
      for (const [name, columns] of Object.entries(CHILDREN)) {
        record[name] = db.prepare(`SELECT ${columns} FROM movie_${name} WHERE tmdb_id = ? ORDER BY rowid`).all(id)
      }
      return [id, record]
    }))
  } finally {
    db.close()
  }
}

const tables = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return Object.fromEntries(
      ["movies", ...Object.keys(CHILDREN).map((t) => `movie_${t}`)].map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY tmdb_id, rowid`).all()])
    )
  } finally {
    db.close()
  }
}

const CLIENT = { client: { requestsPerSecond: 300, burst: 30 } }

describe("rich records", () => {
  it("one request per movie gives every table exactly; the payload is the body as served; --renormalize rebuilds it all with 0 requests and no key", async () => {
    const s = await sandbox({ catalogue: { seed: 21, ...YEARS, perYear: 60 }, latencyMs: 5 })
    const db = path.join(tmpDir(), "rich.sqlite")
    expect((await collect(s, db, YEARS, CLIENT)).complete).toBe(true)
    const truth = expectExact(db, s, YEARS).filter((t) => t.details !== null)
    // Rich at no extra cost: exactly one details request per movie, every sub-resource appended to it.
    expect(truth.length).toBe(s.groundTruth(YEARS).length)
    expect(detailRequests(s)).toBe(truth.length)
    const stored = readRich(db)
    expect([...stored.keys()]).toEqual(truth.map((t) => t.tmdbId))
    let cast = 0
    for (const t of truth) {
      const expected = s.richTruth(t.tmdbId, RICH)!
      expect(stored.get(t.tmdbId), `movie ${t.tmdbId}`).toEqual(expected)
      cast += expected.cast.length
    }
    expect(cast).toBeGreaterThan(truth.length)

    // The payload is the body byte for byte: the sandbox answers the same request the same way.
    const read = new Database(db, { readonly: true })
    const payloads = read.prepare("SELECT tmdb_id, body, encoding, append FROM movie_payloads ORDER BY tmdb_id").all() as Array<
      { tmdb_id: number; body: Buffer; encoding: string; append: string }
    >
    read.close()
    expect(payloads.map((p) => p.tmdb_id)).toEqual(truth.map((t) => t.tmdbId))
    for (const p of payloads.slice(0, 10)) {
      const served = await fetch(`${s.baseUrl}/movie/${p.tmdb_id}?append_to_response=${RICH.join(",")}&api_key=sandbox-api-key`)
      expect(zlib.brotliDecompressSync(p.body).equals(Buffer.from(await served.arrayBuffer()))).toBe(true)
      expect(p.append).toBe(RICH.join(","))
    }
    const bytes = payloads.reduce((n, p) => n + p.body.length, 0)
    console.log(`[figure] payloads: ${payloads.length} movies, ${(bytes / payloads.length).toFixed(0)} compressed bytes per movie (sandbox bodies)`)

    // Rebuilt from the payloads alone: no key, no request, the same tables.
    const before = tables(db)
    s.resetCounters()
    // RenormalizeLive holds no TMDB client at all: nothing to send a request or a key with.
    const rebuilt = await renormalize(db)
    expect(rebuilt).toEqual(expect.objectContaining({ movies: truth.length, failed: [] }))
    expect(s.counters.requests).toBe(0)
    expect(tables(db)).toEqual(before)
  })

  it("--append chooses what is asked and stored; a bad list is one line naming the known names, before any request", async () => {
    const s = await sandbox({ catalogue: { seed: 22, ...YEARS, perYear: 20 } })
    const db = path.join(tmpDir(), "keywords.sqlite")
    expect((await collect(s, db, { ...YEARS, append: ["keywords"] }, CLIENT)).complete).toBe(true)
    const stored = readRich(db)
    for (const [id, record] of stored) {
      const expected = s.richTruth(id, ["keywords"])!
      expect(record).toEqual(expected)
      expect(record["cast"]).toEqual([])
    }

    s.resetCounters()
    const cases = [
      [["--append", "credits,keywrds"], {}, /^--append: unknown append_to_response name keywrds; known: alternative_titles, .*, watch\/providers$/],
      [["--append", Array.from({ length: 21 }, () => "credits").join(",")], {}, /^--append: append_to_response takes at most 20 names, got 21$/],
      [[], { TMDB_APPEND: "credits,casts" }, /^invalid configuration: .*unknown append_to_response name casts; known: .*credits/]
    ] as const
    await Promise.all(cases.map(async ([flags, env, line]) => {
      const file = path.join(tmpDir(), "bad.sqlite")
      const bad = await runCli(args(file, ...flags), cliEnv(s, env))
      expect(bad.code).toBe(2)
      expect(bad.stderr.trim().split("\n")).toHaveLength(1)
      expect(bad.stderr.trim()).toMatch(line)
      expect(fs.existsSync(file)).toBe(false)
    }))
    expect(s.counters.requests).toBe(0)
  })

  it("--renormalize on a path with no database: one line, exit 1, no file left", async () => {
    const db = path.join(tmpDir(), "none", "missing.sqlite")
    const run = await runCli(["--renormalize", "--db", db], { TMDB_API_KEY: "" })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`no database at ${db}\n`)
    expect(fs.existsSync(path.dirname(db))).toBe(false)
  })
})
