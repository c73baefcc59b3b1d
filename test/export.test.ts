import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { parse } from "csv-parse/sync"
import { Effect, Layer, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { SqlLive } from "../layers/Sql.js"
import { DatasetWriter } from "../services/DatasetWriter.js"
import { type ExportFormat, movieCells, MovieSource, pythonFloat, pythonJson, shapePage } from "../src/Dataset.js"
import { runExport } from "./support/cli.js"

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "export-"))
const db = path.join(tmp, "movies.sqlite")

// dprint-ignore
const MOVIES_HEADER = [
  "budget", "genres", "homepage", "id", "keywords", "original_language", "original_title", "overview", "popularity", "production_companies",
  "production_countries", "release_date", "revenue", "runtime", "spoken_languages", "status", "tagline", "title", "vote_average", "vote_count"
]
const CREDITS_HEADER = ["movie_id", "title", "cast", "crew"]

const TITLE = "Avatar, the \"Director's Cut\"\nEdition"
const OVERVIEW = "In the 22nd century, a paraplegic Marine is dispatched to the moon Pandora."
const now = "2024-06-01T00:00:00.000Z"

// Children are inserted out of order: the export must order every cell by `ord`.
const seed = (file: string) => {
  const sqlite = new Database(file)
  const movie = sqlite.prepare(`INSERT INTO movies (tmdb_id, title, original_title, release_date, runtime, budget, revenue, overview,
    vote_average, vote_count, popularity, discovered_at, details_fetched_at, original_language, status, tagline, homepage)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  // dprint-ignore
  const movies = [
    [19995, TITLE, "Avatar", "2009-12-10", 162, 237000000, 2787965087, OVERVIEW, 7.2, 11800, 150.437577, now, now, "en", "Released",
      "Enter the World of Pandora.", "http://www.avatarmovie.com/"],
    [5, "Four Rooms", "Four Rooms", "1995-12-09", null, null, null, "Four witches.", 6, 539, 22.87623, now, now, "en", "Released", null, null],
    [11, "Star Wars", null, "1977-05-25", null, null, null, null, 8.1, 6778, 126.393695, now, null, null, null, null, null]
  ]
  for (const values of movies) movie.run(...values)
  const rows = (sql: string, values: Array<Array<unknown>>) => values.forEach((v) => sqlite.prepare(sql).run(...v))
  rows("INSERT INTO movie_genres VALUES (?, ?, ?, ?)", [[19995, 12, "Adventure", 1], [19995, 28, "Action", 0]])
  rows("INSERT INTO movie_companies VALUES (?, ?, ?, ?, ?)", [[19995, 289, "Ingenious Film Partners", "GB", 0]])
  rows("INSERT INTO movie_countries VALUES (?, ?, ?, ?)", [[19995, "GB", "United Kingdom", 1], [19995, "US", "United States of America", 0]])
  rows("INSERT INTO movie_languages VALUES (?, ?, ?, ?, ?)", [[19995, "es", "Español", null, 1], [19995, "en", "English", "English", 0]])
  rows("INSERT INTO movie_cast (tmdb_id, person_id, name, character, ord, credit_id, gender, cast_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
    [19995, 42317, "Matt Gerald", null, 2, null, null, 8],
    [19995, 65731, "Sam Worthington", "Jake Sully", 0, "5602a8a7c3a3685532001c9a", 2, 242],
    [19995, 8691, "Zoe Saldana", "Neytiri", 1, "52fe48009251416c750ac9cb", 1, 3]
  ])
  rows("INSERT INTO movie_crew (tmdb_id, person_id, name, department, job, credit_id, gender, ord) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
    [19995, 1721, "Stephen E. Rivkin", "Editing", "Editor", "52fe48009251416c750aca23", null, 1],
    [19995, 2710, "James Cameron", "Directing", "Director", "52fe48009251416c750ac9c3", 2, 0]
  ])
  rows("INSERT INTO movie_keywords VALUES (?, ?, ?, ?)", [[19995, 2964, "future", 1], [19995, 1463, "culture clash", 0]])
  sqlite.close()
}

beforeAll(async () => {
  await Effect.runPromise(Effect.scoped(Layer.build(SqlLive(db))))
  seed(db)
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const exportTo = (format: ExportFormat, pageSize?: number) => {
  const dir = fs.mkdtempSync(path.join(tmp, `${format}-`))
  return DatasetWriter.run({ format, dir: path.join(dir, "new", "folder"), pageSize }).pipe(
    Effect.provide(DatasetWriter.Default.pipe(Layer.provide(SqlLive(db))))
  )
}
const read = (file: string) => fs.readFileSync(file, "utf8")

const AVATAR_CELLS = {
  genres: `[{"id": 28, "name": "Action"}, {"id": 12, "name": "Adventure"}]`,
  keywords: `[{"id": 1463, "name": "culture clash"}, {"id": 2964, "name": "future"}]`,
  companies: `[{"name": "Ingenious Film Partners", "id": 289}]`,
  countries: `[{"iso_3166_1": "US", "name": "United States of America"}, {"iso_3166_1": "GB", "name": "United Kingdom"}]`,
  languages: String.raw`[{"iso_639_1": "en", "name": "English"}, {"iso_639_1": "es", "name": "Espa\u00f1ol"}]`,
  cast: `[{"cast_id": 242, "character": "Jake Sully", "credit_id": "5602a8a7c3a3685532001c9a", "gender": 2, "id": 65731, "name": "Sam Worthington", ` +
    `"order": 0}, {"cast_id": 3, "character": "Neytiri", "credit_id": "52fe48009251416c750ac9cb", "gender": 1, "id": 8691, "name": "Zoe Saldana", ` +
    `"order": 1}, {"cast_id": 8, "character": "", "credit_id": "", "gender": 0, "id": 42317, "name": "Matt Gerald", "order": 2}]`,
  crew: `[{"credit_id": "52fe48009251416c750ac9c3", "department": "Directing", "gender": 2, "id": 2710, "job": "Director", "name": "James Cameron"}, ` +
    `{"credit_id": "52fe48009251416c750aca23", "department": "Editing", "gender": 0, "id": 1721, "job": "Editor", "name": "Stephen E. Rivkin"}]`
}

// The sparse movie shows TMDB 5000's unknowns: 0 budget and revenue, "" texts, an empty runtime.
// dprint-ignore
const MOVIE_ROWS = [
  ["0", "[]", "", "5", "[]", "en", "Four Rooms", "Four witches.", "22.87623", "[]", "[]", "1995-12-09", "0", "", "[]", "Released", "", "Four Rooms", "6.0", "539"],
  ["237000000", AVATAR_CELLS.genres, "http://www.avatarmovie.com/", "19995", AVATAR_CELLS.keywords, "en", "Avatar", OVERVIEW, "150.437577",
    AVATAR_CELLS.companies, AVATAR_CELLS.countries, "2009-12-10", "2787965087", "162.0", AVATAR_CELLS.languages, "Released",
    "Enter the World of Pandora.", TITLE, "7.2", "11800"]
]
const NUMBERS = new Set(["budget", "id", "popularity", "revenue", "runtime", "vote_average", "vote_count"])
const JSON_CELLS = new Set(["genres", "keywords", "production_companies", "production_countries", "spoken_languages"])
/** A CSV row as its JSONL object: numbers as numbers (an empty cell as null), JSON cells as arrays. */
const asJson = (row: ReadonlyArray<string>) =>
  Object.fromEntries(MOVIES_HEADER.map((key, i) => {
    const cell = row[i]!
    return [key, JSON_CELLS.has(key) ? JSON.parse(cell) : !NUMBERS.has(key) ? cell : cell === "" ? null : Number(cell)]
  }))
const CREDIT_ROWS = [["5", "Four Rooms", "[]", "[]"], ["19995", TITLE, AVATAR_CELLS.cast, AVATAR_CELLS.crew]]

describe("export", () => {
  it.effect("csv: the TMDB 5000 headers, cells byte for byte, and only movies with details, by id", () =>
    Effect.gen(function*() {
      const result = yield* exportTo("csv")
      expect(result.movies).toBe(2)
      const [moviesFile, creditsFile] = result.files as [string, string]
      expect(path.basename(moviesFile)).toBe("tmdb_5000_movies.csv")
      expect(path.basename(creditsFile)).toBe("tmdb_5000_credits.csv")
      // Beside them the linked tables' files (test/export.linked.test.ts), with no row in this store.
      expect(fs.readdirSync(path.dirname(moviesFile)).sort()).toEqual(
        ["DICTIONARY.md", "collection_parts.csv", "collections.csv", "companies.csv", "people.csv", "tmdb_5000_credits.csv", "tmdb_5000_movies.csv"]
      )
      expect(read(moviesFile).split("\n")[0]).toBe(MOVIES_HEADER.join(","))
      expect(read(creditsFile).split("\n")[0]).toBe(CREDITS_HEADER.join(","))
      expect(parse(read(moviesFile))).toEqual([MOVIES_HEADER, ...MOVIE_ROWS])
      expect(parse(read(creditsFile))).toEqual([CREDITS_HEADER, ...CREDIT_ROWS])
      // The title with a comma, quotes and a newline is one quoted field, as pandas reads it.
      expect(read(moviesFile)).toContain(",\"Avatar, the \"\"Director's Cut\"\"\nEdition\",7.2,11800\n")
      expect(read(creditsFile)).not.toContain("Star Wars")
    }))

  it.effect("jsonl: one object a line, same keys, JSON cells as arrays, unknowns as in the csv", () =>
    Effect.gen(function*() {
      const result = yield* exportTo("jsonl")
      expect(result.files.map((f) => path.basename(f))).toEqual(
        ["tmdb_5000_movies.jsonl", "tmdb_5000_credits.jsonl", "collections.jsonl", "collection_parts.jsonl", "companies.jsonl", "people.jsonl", "DICTIONARY.md"]
      )
      const lines = (file: string) => read(file).split("\n")
      const movies = lines(result.files[0]!)
      const credits = lines(result.files[1]!)
      expect(movies.at(-1)).toBe("")
      expect(credits.at(-1)).toBe("")
      const parsed = movies.slice(0, -1).map((l) => JSON.parse(l))
      expect(parsed.map((m) => Object.keys(m))).toEqual([MOVIES_HEADER, MOVIES_HEADER])
      expect(parsed).toEqual(MOVIE_ROWS.map(asJson))
      expect(parsed[1].spoken_languages[1]).toEqual({ iso_639_1: "es", name: "Español" })
      expect(credits.slice(0, -1).map((l) => JSON.parse(l))).toEqual(
        CREDIT_ROWS.map(([id, title, cast, crew]) => ({ movie_id: Number(id), title, cast: JSON.parse(cast!), crew: JSON.parse(crew!) }))
      )
      expect(Object.keys(JSON.parse(credits[0]!))).toEqual(CREDITS_HEADER)
    }))

  it.effect("pages of one movie give the same files as one page", () =>
    Effect.gen(function*() {
      for (const format of ["csv", "jsonl"] as const) {
        const whole = yield* exportTo(format)
        const paged = yield* exportTo(format, 1)
        expect(paged.movies).toBe(2)
        expect(read(paged.files[0]!)).toBe(read(whole.files[0]!))
        expect(read(paged.files[1]!)).toBe(read(whole.files[1]!))
      }
    }))

  it("formats as Python wrote TMDB 5000 and says unknown as it does: repr floats, json.dumps text, 0 and \"\"", () => {
    expect([7.2, 6, 0, 162, 150.437577, 0.000372, 0.00001, 1e16].map(pythonFloat)).toEqual(
      ["7.2", "6.0", "0.0", "162.0", "150.437577", "0.000372", "1e-05", "1e+16"]
    )
    expect(pythonJson([{ name: "Q \"x\" \\ y\n\u00e9 \u{1F3AC}", id: 1 }])).toBe("[{\"name\": \"Q \\\"x\\\" \\\\ y\\n\\u00e9 \\ud83c\\udfac\", \"id\": 1}]")
    expect(pythonJson([])).toBe("[]")
    const bare = Schema.decodeUnknownSync(MovieSource)({ ...Object.fromEntries(Object.keys(MovieSource.fields).map((k) => [k, null])), tmdb_id: 1, title: "T" })
    const [shaped] = shapePage({
      movies: [bare],
      genres: [],
      keywords: [],
      companies: [],
      countries: [{ tmdb_id: 1, iso_3166_1: "XK", name: null }],
      languages: [{ tmdb_id: 1, iso_639_1: "xx", name: null }],
      cast: [{ tmdb_id: 1, person_id: 7, name: "N", character: null, ord: 0, credit_id: null, gender: null, cast_id: null }],
      crew: [{ tmdb_id: 2, person_id: 8, name: "Not this movie's", department: "Sound", job: "Mixer", credit_id: null, gender: null }]
    })
    // dprint-ignore
    expect(movieCells(shaped!.movie)).toEqual([
      "0", "[]", "", "1", "[]", "", "", "", "0.0", "[]", `[{"iso_3166_1": "XK", "name": ""}]`, "", "0", "", `[{"iso_639_1": "xx", "name": ""}]`,
      "", "", "T", "0.0", "0"
    ])
    expect(shaped!.movie.runtime).toBeNull()
    expect(shaped!.credits).toEqual({
      movie_id: 1,
      title: "T",
      cast: [{ cast_id: 0, character: "", credit_id: "", gender: 0, id: 7, name: "N", order: 0 }],
      crew: []
    })
  })
})

const stderrLines = (run: { stderr: string }) => run.stderr.split("\n").filter((l) => l.trim() !== "")

// `npm run export`, as its own process: three with nothing shared, side by side.
describe.concurrent("export CLI", () => {
  it("a bad --format: exit 2, one line naming --format", async () => {
    const run = await runExport(["--format", "xml", "--out", path.join(tmp, "bad"), "--db", db])
    expect(run.code).toBe(2)
    expect(stderrLines(run)).toEqual(["--format must be csv, jsonl or parquet, got 'xml'"])
    expect(fs.existsSync(path.join(tmp, "bad"))).toBe(false)
  })

  it("a missing database: exit 1, one line, and no file created", async () => {
    const missing = path.join(tmp, "nowhere", "movies.sqlite")
    const run = await runExport(["--format", "csv", "--out", path.join(tmp, "unused"), "--db", missing])
    expect(run.code).toBe(1)
    expect(stderrLines(run)).toEqual([`no database at ${missing}`])
    expect(fs.existsSync(missing)).toBe(false)
    expect(fs.existsSync(path.dirname(missing))).toBe(false)
    expect(fs.existsSync(path.join(tmp, "unused"))).toBe(false)
  })

  it("a folder that cannot be made or written: exit 1, one line naming it and why, nothing written", async () => {
    const file = path.join(tmp, "a-file")
    fs.writeFileSync(file, "not a folder")
    const onFile = await runExport(["--format", "parquet", "--out", file, "--db", db])
    expect([onFile.code, stderrLines(onFile)]).toEqual([1, [`${file} is not a folder`]])
    const under = path.join(file, "out")
    const underFile = await runExport(["--format", "csv", "--out", under, "--db", db])
    expect([underFile.code, stderrLines(underFile)]).toEqual([1, [`cannot create the folder ${under}: ENOTDIR: not a directory`]])
    expect(fs.readFileSync(file, "utf8")).toBe("not a folder")
    // What a killed export leaves: named as such, not as another export's files.
    const left = path.join(tmp, "killed")
    fs.mkdirSync(left)
    fs.writeFileSync(path.join(left, "movies.parquet.partial"), "")
    const killed = await runExport(["--format", "parquet", "--out", left, "--db", db])
    expect([killed.code, stderrLines(killed)]).toEqual([
      1,
      [`${left} holds a file an export left unfinished (movies.parquet.partial): delete them, or export into a new folder`]
    ])
  })

  it("a good run: exit 0 and the one-line summary, naming every file", async () => {
    const out = path.join(tmp, "cli-out")
    const run = await runExport(["--format", "csv", "--out", out, "--db", db])
    expect(run.code).toBe(0)
    const files = "tmdb_5000_movies.csv, tmdb_5000_credits.csv, collections.csv, collection_parts.csv, companies.csv, people.csv, DICTIONARY.md"
    expect(stderrLines(run)).toEqual([expect.stringMatching(new RegExp(`^exported 2 movies to ${out} in \\d+\\.\\d s \\(7 files: ${files}\\)$`))])
    expect(parse(read(path.join(out, "tmdb_5000_movies.csv")))).toEqual([MOVIES_HEADER, ...MOVIE_ROWS])
  })
})
