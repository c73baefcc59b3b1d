import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { decodeDiscoverPage, decodeMovieDetails, parseErrorBody } from "../src/Decode.js"
import type { MovieDetailsRecord } from "../src/Movie.js"

// The recorded real TMDB responses, vendored from ../shared/fixtures (sandbox/fixtures). Any new
// file that appears in ../shared/fixtures is decoded too.
const vendored = path.resolve(import.meta.dirname, "../sandbox/fixtures")
const shared = path.resolve(import.meta.dirname, "../../shared/fixtures")
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(vendored, name), "utf8"))
const allFixtureFiles = () => {
  const names = new Map<string, string>()
  for (const dir of [vendored, shared]) {
    if (!fs.existsSync(dir)) continue
    for (const f of fs.readdirSync(dir)) if (f.endsWith(".json")) names.set(f, path.join(dir, f))
  }
  return names
}

/** The fields the seed stored, genres and companies as names; the rich ones: decode.rich.test.ts. */
type Core =
  & Pick<
    MovieDetailsRecord,
    "tmdbId" | "imdbId" | "title" | "originalTitle" | "releaseDate" | "runtime" | "budget" | "revenue" | "overview" | "voteAverage" | "voteCount" | "popularity"
  >
  & { genres: ReadonlyArray<string>; productionCompanies: ReadonlyArray<string> }

const details = (name: string): Core => {
  const decoded = decodeMovieDetails(fixture(name))
  if (Either.isLeft(decoded)) throw new Error(`${name}: ${decoded.left}`)
  const m = decoded.right
  return {
    tmdbId: m.tmdbId,
    imdbId: m.imdbId,
    title: m.title,
    originalTitle: m.originalTitle,
    releaseDate: m.releaseDate,
    runtime: m.runtime,
    budget: m.budget,
    revenue: m.revenue,
    genres: m.genres.map((g) => g.name),
    productionCompanies: m.productionCompanies.map((c) => c.name),
    overview: m.overview,
    voteAverage: m.voteAverage,
    voteCount: m.voteCount,
    popularity: m.popularity
  }
}

const expectedDetails: Record<string, Core> = {
  "movie-550-fight-club.json": {
    tmdbId: 550,
    imdbId: "tt0137523",
    title: "Fight Club",
    originalTitle: "Fight Club",
    releaseDate: "1999-10-15",
    runtime: 139,
    budget: 63000000,
    revenue: 100853753,
    genres: ["Drama"],
    productionCompanies: ["Fox 2000 Pictures", "Regency Enterprises", "The Linson Company", "20th Century Fox", "Taurus Film"],
    overview: expect.stringMatching(/^A ticking-time-bomb insomniac and a slip/) as unknown as string,
    voteAverage: 8.44,
    voteCount: 27917,
    popularity: 93.958
  },
  "movie-14160-up.json": {
    tmdbId: 14160,
    imdbId: "tt1049413",
    title: "Up",
    originalTitle: "Up",
    releaseDate: "2009-05-28",
    runtime: 96,
    budget: 175000000,
    revenue: 735099082,
    genres: ["Animation", "Comedy", "Family", "Adventure"],
    productionCompanies: ["Pixar"],
    overview: expect.stringMatching(/^Carl Fredricksen spent his entire life/) as unknown as string,
    voteAverage: 7.9,
    voteCount: 14899,
    popularity: 38.368
  },
  "movie-383498-deadpool-2-append-images.json": {
    tmdbId: 383498,
    imdbId: "tt5463162",
    title: "Deadpool 2",
    originalTitle: "Deadpool 2",
    releaseDate: "2018-05-15",
    runtime: 121,
    budget: 110000000,
    revenue: 734197230,
    genres: ["Action", "Comedy", "Science Fiction"],
    productionCompanies: ["Marvel Entertainment", "20th Century Fox"],
    overview: expect.stringMatching(/^Wisecracking mercenary Deadpool battles/) as unknown as string,
    voteAverage: 7.5,
    voteCount: 5375,
    popularity: 83.218
  },
  // A composite legacy fixture: popularity is a numeric STRING here.
  "movie-87421-riddick-append-many-legacy.json": {
    tmdbId: 87421,
    imdbId: "tt1411250",
    title: "Riddick",
    originalTitle: "Riddick",
    releaseDate: "2013-09-06",
    runtime: 119,
    budget: 38000000,
    revenue: 42025135,
    genres: ["Action", "Science Fiction", "Thriller"],
    productionCompanies: ["Universal Pictures", "One Race Productions", "Radar Pictures"],
    overview: expect.stringMatching(/^Betrayed by his own kind/) as unknown as string,
    voteAverage: 6.2,
    voteCount: 625,
    popularity: 93.4917224393659
  },
  // Sparse: imdb_id null, release_date "", runtime 0, integer popularity 0, budget 5 (junk, kept).
  "movie-latest-1236474-better-than-me.json": {
    tmdbId: 1236474,
    imdbId: null,
    title: "Better Than Me",
    originalTitle: "Better Than Me",
    releaseDate: null,
    runtime: null,
    budget: 5,
    revenue: null,
    genres: [],
    productionCompanies: [],
    overview: null,
    voteAverage: 0,
    voteCount: 0,
    popularity: 0
  },
  // 2016: imdb_id "" (empty string, not null), adult and video true.
  "movie-latest-381897-coba-adult-vcr-2016-02.json": {
    tmdbId: 381897,
    imdbId: null,
    title: "Coba",
    originalTitle: "Coba",
    releaseDate: null,
    runtime: null,
    budget: null,
    revenue: null,
    genres: [],
    productionCompanies: [],
    overview: "Coba banget",
    voteAverage: 0,
    voteCount: 0,
    popularity: 0
  },
  // 2015: runtime null, overview null, homepage null, tagline null.
  "movie-latest-346089-le-strelle-nel-fosso-vcr-2015-06.json": {
    tmdbId: 346089,
    imdbId: "tt0079958",
    title: "Le strelle nel fosso",
    originalTitle: "Le strelle nel fosso",
    releaseDate: null,
    runtime: null,
    budget: null,
    revenue: null,
    genres: [],
    productionCompanies: [],
    overview: null,
    voteAverage: 0,
    voteCount: 0,
    popularity: 0
  }
}

const expectedDiscover: Record<string, { first: number; title: string; releaseDate: string; voteCount: number; popularity: number }> = {
  "discover-movie-page-1-2018-10.json": { first: 335983, title: "Venom", releaseDate: "2018-10-03", voteCount: 315, popularity: 467.931 },
  "discover-movie-page-1-2022-08.json": { first: 616037, title: "Thor: Love and Thunder", releaseDate: "2022-07-06", voteCount: 1747, popularity: 9386.438 },
  "discover-movie-page-1-2024-02.json": {
    first: 640146,
    title: "Ant-Man and the Wasp: Quantumania",
    releaseDate: "2023-02-15",
    voteCount: 1856,
    popularity: 9272.643
  }
}

describe("movie details fixtures", () => {
  for (const [name, expected] of Object.entries(expectedDetails)) {
    it(`${name} normalizes to the expected record`, () => {
      expect(details(name)).toEqual(expected)
    })
  }

  it("every movie-<id>-*.json fixture (vendored or shared) decodes, with its id", () => {
    const files = [...allFixtureFiles()].filter(([f]) => /^movie-\d+-/.test(f) && !f.includes("external-ids"))
    expect(files.length).toBeGreaterThanOrEqual(4)
    for (const [name, file] of files) {
      const decoded = decodeMovieDetails(JSON.parse(fs.readFileSync(file, "utf8")))
      expect(Either.isRight(decoded), `${name}: ${Either.isLeft(decoded) ? decoded.left : ""}`).toBe(true)
      const id = Number(/^movie-(\d+)-/.exec(name)![1])
      expect(Either.getOrThrow(decoded).tmdbId).toBe(id)
    }
  })

  it("keeps requested untyped append_to_response sub-objects raw, and only those", () => {
    const raw = fixture("movie-87421-riddick-append-many-legacy.json") as Record<string, unknown>
    const decoded = Either.getOrThrow(decodeMovieDetails(raw, ["credits", "watch/providers", "videos"]))
    expect(Object.keys(decoded.appended).sort()).toEqual(["watch/providers"])
    expect(decoded.appended["watch/providers"]).toBe(raw["watch/providers"])
    expect(decoded.credits?.cast[0]).toEqual(expect.objectContaining({ personId: 12835, name: "Vin Diesel", character: "Riddick", order: 0 }))
    const images = Either.getOrThrow(decodeMovieDetails(fixture("movie-383498-deadpool-2-append-images.json"), ["images"]))
    expect(images.appended).toEqual({ images: { backdrops: [], posters: [] } })
  })

  it("de-duplicates genres and companies by id, keeping first-seen order", () => {
    const raw = {
      id: 1,
      title: "T",
      genres: [{ id: 18, name: "Drama" }, { id: 35, name: "Comedy" }, { id: 18, name: "Drama" }],
      production_companies: [{ id: 2, name: "B" }, { id: 1, name: "A" }, { id: 2, name: "B again" }]
    }
    const decoded = Either.getOrThrow(decodeMovieDetails(raw))
    expect(decoded.genres).toEqual([{ id: 18, name: "Drama" }, { id: 35, name: "Comedy" }])
    expect(decoded.productionCompanies.map((c) => [c.id, c.name])).toEqual([[2, "B"], [1, "A"]])
  })

  it("a missing or mistyped id or title is a decode error naming the field", () => {
    expect(decodeMovieDetails({ title: "x" })).toEqual(Either.left(expect.stringContaining("id")))
    expect(decodeMovieDetails({ id: 1, title: 42 })).toEqual(Either.left(expect.stringContaining("title")))
    expect(decodeMovieDetails({ id: "550", title: "x" })).toEqual(Either.left(expect.stringContaining("id")))
    expect(decodeMovieDetails({ id: 1, title: "x", budget: "a lot" })).toEqual(Either.left(expect.stringContaining("budget")))
    expect(decodeMovieDetails({ id: 1, title: "x", release_date: "15/10/1999" })).toEqual(
      Either.left(expect.stringContaining("release_date"))
    )
  })
})

describe("discover fixtures", () => {
  for (const [name, e] of Object.entries(expectedDiscover)) {
    it(`${name}: 20 movies with normalized fields`, () => {
      const page = Either.getOrThrow(decodeDiscoverPage(fixture(name)))
      expect(page.movies).toHaveLength(20)
      expect(page.invalid).toEqual([])
      expect(page.page).toBe(1)
      expect(page.totalPages).toBeGreaterThan(500)
      expect(page.movies[0]).toEqual({
        tmdbId: e.first,
        title: e.title,
        releaseDate: e.releaseDate,
        voteAverage: expect.any(Number),
        voteCount: e.voteCount,
        popularity: e.popularity
      })
    })
  }

  it("one bad item fails alone, the rest of the page is kept", () => {
    const raw = fixture("discover-movie-page-1-2018-10.json") as { results: Array<Record<string, unknown>> }
    const broken = { ...raw, results: raw.results.map((r, i) => (i === 3 ? { ...r, title: null } : r)) }
    const page = Either.getOrThrow(decodeDiscoverPage(broken))
    expect(page.movies).toHaveLength(19)
    expect(page.invalid).toEqual([{ index: 3, tmdbId: raw.results[3]!["id"], message: expect.stringContaining("title") }])
  })

  it("a broken envelope fails the page", () => {
    expect(Either.isLeft(decodeDiscoverPage({ page: 1, results: "nope" }))).toBe(true)
  })
})

describe("error bodies", () => {
  const cases: Array<[string, number | null]> = [
    ["error-400-invalid-page.json", 22],
    ["error-401-invalid-api-key.json", 7],
    ["error-401-invalid-api-key-2017.json", 7],
    ["error-401-status-7-adamayoung.json", 7],
    ["error-404-not-found-2017.json", 34],
    ["error-404-not-found-no-success-field.json", 34],
    ["error-404-not-found-with-success.json", 34],
    ["error-404-status-34-adamayoung.json", 34],
    ["error-422-invalid-date-range.json", 20],
    ["error-429-rate-limit-legacy-2017.json", 25],
    ["error-422-validation-errors-array.json", null]
  ]
  for (const [name, code] of cases) {
    it(`${name} gives status_code ${code} and a message`, () => {
      const body = parseErrorBody(fs.readFileSync(path.join(vendored, name), "utf8"))
      expect(body.statusCode).toBe(code)
      expect(body.message).toEqual(expect.any(String))
    })
  }

  it("a body that is not JSON is tolerated", () => {
    expect(parseErrorBody("<html>502 Bad Gateway</html>")).toEqual({ statusCode: null, message: null })
    expect(parseErrorBody("Your request count (41) is over the allowed limit of 40.")).toEqual({
      statusCode: null,
      message: null
    })
  })
})
