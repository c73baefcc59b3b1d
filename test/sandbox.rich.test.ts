import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { generateCatalogue, richTruthFor, richTruthOf, startSandbox } from "../sandbox/index.js"
import type { RichTruth, Sandbox } from "../sandbox/index.js"

import { fixture, getJson } from "./support/sandboxHttp.js"

// The rich-record ground truth, checked two ways: against bodies fetched over HTTP (so it reads
// the very bytes a collector gets) and against values read off the recorded fixtures by hand.

const APPEND = ["credits", "keywords", "release_dates", "external_ids"]
const FIXTURE_IDS = [550, 14160, 383498, 1236474, 346089, 381897]

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any

const distinct = (xs: Array<unknown>): number => new Set(xs).size

describe("rich ground truth", () => {
  let sb: Sandbox
  const bodies = new Map<number, Body>()
  beforeAll(async () => {
    sb = await startSandbox()
    const generated = sb.catalogue.filter((m) => m.fixture === null).map((m) => m.id)
    for (const id of [...generated, ...FIXTURE_IDS]) {
      const { res, body } = await getJson(sb, `/movie/${id}`, { append_to_response: APPEND.join(",") })
      expect(res.status).toBe(200)
      bodies.set(id, body)
    }
  })
  afterAll(() => sb.close())
  const generatedBodies = () => [...bodies.entries()].filter(([id]) => !FIXTURE_IDS.includes(id)).map(([, b]) => b as Body)

  it("states, for every movie, exactly the truth of the body the server sends", () => {
    expect(bodies.size).toBeGreaterThan(50)
    for (const [id, body] of bodies) expect(sb.richTruth(id, APPEND), String(id)).toEqual(richTruthOf(body, APPEND))
  })

  it("reads Fight Club as hand-checked from the fixture", async () => {
    const t = sb.richTruth(550, APPEND) as RichTruth
    expect(t.movie).toEqual({
      original_language: "en",
      status: "Released",
      tagline: "Mischief. Mayhem. Soap.",
      homepage: "http://www.foxmovies.com/movies/fight-club",
      adult: 0,
      video: 0,
      poster_path: "/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg",
      backdrop_path: "/hZkgoQYus5vegHoetLkCJzb17zJ.jpg",
      collection_id: null,
      collection_name: null,
      production_countries: "[\"DE\",\"US\"]",
      spoken_languages: "[\"en\"]",
      wikidata_id: "Q190050"
    })
    expect(t.genres).toEqual([{ genre_id: 18, name: "Drama", ord: 0 }])
    expect(t.companies).toEqual([
      { company_id: 711, name: "Fox 2000 Pictures", origin_country: "US", ord: 0 },
      { company_id: 508, name: "Regency Enterprises", origin_country: "US", ord: 1 },
      { company_id: 4700, name: "The Linson Company", origin_country: "US", ord: 2 },
      { company_id: 25, name: "20th Century Fox", origin_country: "US", ord: 3 },
      { company_id: 20555, name: "Taurus Film", origin_country: "DE", ord: 4 }
    ])
    expect(t.countries).toEqual([
      { iso_3166_1: "DE", name: "Germany", ord: 0 },
      { iso_3166_1: "US", name: "United States of America", ord: 1 }
    ])
    expect(t.languages).toEqual([{ iso_639_1: "en", name: "English", english_name: "English", ord: 0 }])
    // The recording has no credits: the sandbox credits a few of the real people
    // (sandbox/RealCredits.ts), under their TMDB ids. Keywords and release dates are generated;
    // the fixture has no origin_country, so its first release is in the US on its release_date.
    expect(t.crew.filter((c) => c.job === "Director").map((c) => [c.person_id, c.name])).toEqual([[7467, "David Fincher"]])
    expect(t.cast.slice(0, 2).map((c) => [c.person_id, c.name, c.character])).toEqual([[819, "Edward Norton", "Narrator"], [287, "Brad Pitt", "Tyler Durden"]])
    expect(t.release_dates[0]).toMatchObject({ country: "US", release_date: "1999-10-15T00:00:00.000Z" })
    const body = bodies.get(550)
    expect([t.cast.length, t.crew.length, t.release_dates.length]).toEqual([
      body.credits.cast.length,
      body.credits.crew.length,
      body.release_dates.results.flatMap((r: Body) => r.release_dates).length
    ])
    // Without appends the same movie columns, no wikidata id and no sub-resource rows.
    const bare = sb.richTruth(550, []) as RichTruth
    expect(bare.movie).toEqual({ ...t.movie, wikidata_id: null })
    expect([bare.cast, bare.crew, bare.keywords, bare.release_dates]).toEqual([[], [], [], []])
    expect(bare).toEqual(richTruthOf((await getJson(sb, "/movie/550")).body, []))
    expect(sb.richTruth(550, ["external_ids"])?.movie.wikidata_id).toBe("Q190050")
  })

  it("reads the other fixtures' sentinels as hand-checked", () => {
    const up = sb.richTruth(14160, APPEND) as RichTruth
    expect([up.movie.tagline, up.movie.homepage, up.movie.production_countries]).toEqual([null, "http://disney.go.com/disneypictures/up/", "[\"US\"]"])
    expect(up.genres.map((g) => g.genre_id)).toEqual([16, 35, 10751, 12])
    // Up's spoken_languages predate english_name.
    expect(up.languages).toEqual([{ iso_639_1: "en", name: "English", english_name: null, ord: 0 }])
    const deadpool = sb.richTruth(383498, APPEND) as RichTruth
    expect([deadpool.movie.collection_id, deadpool.movie.collection_name]).toEqual([448150, "Deadpool Collection"])
    expect(deadpool.companies.map((c) => c.company_id)).toEqual([7505, 25])
    const sparse = sb.richTruth(1236474, APPEND) as RichTruth
    expect(sparse.movie).toMatchObject({
      tagline: null,
      homepage: null,
      poster_path: null,
      backdrop_path: null,
      production_countries: "[]",
      spoken_languages: "[]"
    })
    expect([sparse.genres, sparse.companies, sparse.countries, sparse.languages]).toEqual([[], [], [], []])
    expect(sb.richTruth(346089, APPEND)?.movie).toMatchObject({ original_language: "it", tagline: null, homepage: null, backdrop_path: null })
    expect(sb.richTruth(381897, APPEND)?.movie).toMatchObject({ adult: 1, video: 1, tagline: "coba", homepage: "http://silaut.com" })
  })

  it("follows the rules on every generated body", () => {
    const bodiesChecked = generatedBodies()
    expect(bodiesChecked.length).toBeGreaterThanOrEqual(50)
    for (const b of bodiesChecked) {
      const t = richTruthOf(b, APPEND)
      const label = String(b.id)
      expect(t.genres.length, label).toBe(distinct(b.genres.map((g: Body) => g.id)))
      expect(t.companies.length, label).toBe(distinct(b.production_companies.map((c: Body) => c.id)))
      expect(t.keywords.length, label).toBe(distinct(b.keywords.keywords.map((k: Body) => k.id)))
      expect(t.keywords.map((k) => k.ord)).toEqual(t.keywords.map((_, i) => i))
      expect(JSON.parse(t.movie.production_countries)).toEqual(t.countries.map((c) => c.iso_3166_1))
      expect(JSON.parse(t.movie.spoken_languages)).toEqual(t.languages.map((l) => l.iso_639_1))
      expect(t.movie.wikidata_id).toBe(b.external_ids.wikidata_id)
      expect(t.cast.length, label).toBe(b.credits.cast.length)
      expect(t.crew.length, label).toBe(b.credits.crew.length)
      expect(t.release_dates.length).toBe(b.release_dates.results.flatMap((r: Body) => r.release_dates).length)
      t.cast.forEach((c, i) => {
        const item = b.credits.cast[i]
        expect([c.person_id, c.ord, c.cast_id]).toEqual([item.id, item.order, item.cast_id ?? null])
        expect(c.character).toBe(item.character === "" ? null : item.character ?? null)
        expect(c.credit_id).toBe(item.credit_id ?? null)
      })
      t.crew.forEach((c, i) => expect([c.person_id, c.job, c.ord]).toEqual([b.credits.crew[i].id, b.credits.crew[i].job, i]))
      for (const row of [...t.cast, ...t.crew]) expect([null, 1, 2, 3]).toContain(row.gender)
      for (const r of t.release_dates) expect([r.certification, r.note, r.language]).not.toContain("")
    }
  })

  it("generates credits that exercise the rules", () => {
    const credits = generatedBodies().map((b) => b.credits)
    const items = credits.flatMap((c) => [...c.cast, ...c.crew])
    const twoJobs = credits.some((c) => c.crew.some((d: Body) => d.job === "Director" && c.crew.some((s: Body) => s.id === d.id && s.job === "Screenplay")))
    expect(twoJobs).toBe(true)
    expect(credits.filter((c) => c.crew.some((x: Body) => x.job === "Director")).length).toBeGreaterThan(credits.length / 2)
    expect(credits.some((c) => c.cast.some((x: Body) => x.character === ""))).toBe(true)
    expect(items.some((x) => x.gender === 0) && items.some((x) => x.gender === 3)).toBe(true)
    // Legacy-shaped: no credit_id and no gender on any item, as in fixtures/movie-87421.
    const legacy = credits.filter((c) => c.cast.length + c.crew.length > 0 && [...c.cast, ...c.crew].every((x: Body) => !("credit_id" in x || "gender" in x)))
    expect(legacy.length).toBeGreaterThan(0)
    expect(legacy.length).toBeLessThan(credits.length / 5)
    const bodies2 = generatedBodies()
    expect(bodies2.some((b) => b.keywords.keywords.length > distinct(b.keywords.keywords.map((k: Body) => k.id)))).toBe(true)
    expect(bodies2.some((b) => b.release_dates.results.some((r: Body) => r.release_dates.some((x: Body) => x.iso_639_1 !== "")))).toBe(true)
  })

  it("answers undefined when no rich record is stored: unknown id, a fate, too many appends", async () => {
    expect(sb.richTruth(999_999_999, APPEND)).toBeUndefined()
    const twentyOne = Array.from({ length: 21 }, (_, i) => `x${i}`)
    expect(sb.richTruth(550, twentyOne)).toBeUndefined()
    const fated = await startSandbox({ deletedFraction: 0.2, alwaysFailFraction: 0.2, driftFraction: 0.2 })
    try {
      const truth = fated.groundTruth({ startYear: 2019, endYear: 2021, minVoteCount: 0 })
      expect(truth.some((e) => e.details === null) && truth.some((e) => e.details !== null)).toBe(true)
      for (const e of truth) expect(fated.richTruth(e.tmdbId, APPEND) === undefined, String(e.tmdbId)).toBe(e.details === null)
    } finally {
      await fated.close()
    }
  })
})

describe("rich truth of a body", () => {
  it("reads the legacy Riddick credits, and only the sub-resources asked for", () => {
    const riddick = JSON.parse(fixture("movie-87421-riddick-append-many-legacy.json").toString())
    const t = richTruthOf(riddick, APPEND)
    // No video key at all, companies without origin_country, external_ids not in the body.
    expect(t.movie).toMatchObject({ adult: 0, video: null, collection_id: 2794, collection_name: "The Chronicles of Riddick Collection", wikidata_id: null })
    expect(t.companies).toEqual([
      { company_id: 33, name: "Universal Pictures", origin_country: null, ord: 0 },
      { company_id: 1225, name: "One Race Productions", origin_country: null, ord: 1 },
      { company_id: 14718, name: "Radar Pictures", origin_country: null, ord: 2 }
    ])
    expect(t.cast[0]).toEqual({ person_id: 12835, name: "Vin Diesel", character: "Riddick", ord: 0, credit_id: null, gender: null, cast_id: 1 })
    expect(t.cast[8]).toMatchObject({ person_id: 1151352, character: null, ord: 8, cast_id: 17 })
    expect(t.crew).toHaveLength(14)
    expect(t.crew.filter((c) => c.person_id === 28239).map((c) => [c.job, c.ord])).toEqual([["Writer", 0], ["Director", 13]])
    expect(t.crew[2]).toEqual({ person_id: 12835, name: "Vin Diesel", department: "Production", job: "Producer", credit_id: null, gender: null, ord: 2 })
    expect(t.keywords.map((k) => k.keyword_id)).toEqual([13194, 9951, 189830, 197117])
    expect(t.release_dates).toHaveLength(46)
    expect(t.release_dates[0]).toEqual({
      country: "KR",
      type: 3,
      release_date: "2013-11-28T00:00:00.000Z",
      certification: "15세 이상 관람가",
      note: null,
      language: null
    })
    const bare = richTruthOf(riddick, ["images", "watch/providers"])
    expect([bare.cast, bare.crew, bare.keywords, bare.release_dates]).toEqual([[], [], [], []])
  })

  it("de-duplicates by key keeping the first, and maps every sentinel to null", () => {
    const t = richTruthOf({
      id: 1,
      title: "x",
      original_language: "",
      status: null,
      adult: null,
      poster_path: "",
      genres: [{ id: 18, name: "Drama" }, { id: 35, name: "Comedy" }, { id: 18, name: "Drama again" }],
      production_countries: [{ iso_3166_1: "US", name: "A" }, { iso_3166_1: "DE", name: "B" }, { iso_3166_1: "US", name: "C" }],
      spoken_languages: [{ iso_639_1: "fr", name: "", english_name: "" }],
      external_ids: { wikidata_id: "" },
      credits: { cast: [{ id: 7, name: "P", character: null, order: 4, credit_id: "", gender: 0 }], crew: [] }
    }, APPEND)
    expect(t.movie).toMatchObject({ original_language: null, status: null, adult: null, poster_path: null, production_countries: "[\"US\",\"DE\"]" })
    expect(t.genres).toEqual([{ genre_id: 18, name: "Drama", ord: 0 }, { genre_id: 35, name: "Comedy", ord: 1 }])
    expect(t.countries.map((c) => c.name)).toEqual(["A", "B"])
    expect(t.languages).toEqual([{ iso_639_1: "fr", name: null, english_name: null, ord: 0 }])
    expect(t.movie.wikidata_id).toBeNull()
    expect(t.cast).toEqual([{ person_id: 7, name: "P", character: null, ord: 4, credit_id: null, gender: null, cast_id: null }])
    expect(() => richTruthOf({ id: "1", title: "x" }, [])).toThrow()
  })

  it("is deterministic from the seed", () => {
    const cfg = { seed: 7, startYear: 2020, endYear: 2020, perYear: 40, includeFixtures: true }
    const [a, b] = [generateCatalogue(cfg), generateCatalogue(cfg)]
    expect(JSON.stringify(a.map((m) => richTruthFor(m, APPEND)))).toBe(JSON.stringify(b.map((m) => richTruthFor(m, APPEND))))
    const other = generateCatalogue({ ...cfg, seed: 8 }).find((m) => m.id === 550)!
    expect(richTruthFor(other, APPEND)).not.toEqual(richTruthFor(a.find((m) => m.id === 550)!, APPEND))
  })
})
