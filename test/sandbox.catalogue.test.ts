import { describe, expect, it } from "vitest"
import { generateCatalogue, normalizeDetails } from "../sandbox/index.js"

import { fixture, getJson, jsonOf, url, walk, withSandbox, YEARS } from "./support/sandboxHttp.js"

// The sandbox is exercised with plain fetch, as any client on the other side of the wire would.

describe("catalogue", () => {
  const cfg = { seed: 42, startYear: 2019, endYear: 2021, perYear: 2000, includeFixtures: true }
  const cat = generateCatalogue(cfg)
  const details = cat.map((m) => m.details())

  it("is deterministic from the seed", () => {
    expect(JSON.stringify(generateCatalogue(cfg).map((m) => m.details()))).toBe(JSON.stringify(details))
    expect(JSON.stringify(generateCatalogue({ ...cfg, seed: 43 }).map((m) => m.details()))).not.toBe(JSON.stringify(details))
  })

  it("has TMDB's variety and sentinels", () => {
    const titles = details.map((d) => d.title as string)
    for (const re of [/[\u0590-\u05FF]/, /[\u0600-\u06FF]/, /\p{Extended_Pictographic}/u, /DROP TABLE/, /\\/, /"/]) {
      expect(titles.some((t) => re.test(t)), String(re)).toBe(true)
    }
    const has = (f: (d: Record<string, unknown>) => boolean) => details.some(f)
    expect(has((d) => d.imdb_id === "") && has((d) => d.imdb_id === null)).toBe(true)
    expect(has((d) => d.runtime === 0) && has((d) => d.runtime === null)).toBe(true)
    expect(has((d) => d.overview === "") && has((d) => d.overview === null)).toBe(true)
    expect(has((d) => d.homepage === null) && has((d) => d.tagline === null) && has((d) => d.budget === 0)).toBe(true)
    expect(has((d) => d.release_date === "") && has((d) => d.adult === true) && has((d) => d.video === true)).toBe(true)
    expect(cat.some((m) => m.fixture === null && m.body().toString().includes("\"popularity\":0,"))).toBe(true)
    const dup = (xs: unknown) => {
      const ids = (xs as Array<{ id: number }>).map((x) => x.id)
      return new Set(ids).size < ids.length
    }
    expect(has((d) => dup(d.genres)) && has((d) => dup(d.production_companies))).toBe(true)
    const low = cat.filter((m) => m.voteCount < 200).length
    expect(low).toBeGreaterThan(0)
    expect(low).toBeLessThan(cat.length * 0.15)
    const days = new Map<string, number>()
    for (const m of cat) days.set(m.releaseDate, (days.get(m.releaseDate) ?? 0) + 1)
    expect(Math.max(...days.values())).toBeGreaterThan(5)
  })

  it("ties movies together: directors' careers have a long tail, collections' parts come out in order", () => {
    // A credited career's movies, by language and number (sandbox/Careers.ts): most directors make
    // one movie, a few make many.
    const films = new Map<string, number>()
    cat.forEach((m, i) => {
      const key = `${String(details[i]!.original_language)}/${m.career}`
      if (m.career >= 0) films.set(key, (films.get(key) ?? 0) + 1)
    })
    const counts = [...films.values()]
    expect(counts.filter((n) => n === 1).length).toBeGreaterThan(counts.length / 2)
    expect(counts.filter((n) => n >= 5).length).toBeGreaterThan(10)
    expect(counts.filter((n) => n >= 5).length).toBeLessThan(counts.length / 20)
    const parts = new Map<number, Array<{ part: number; day: number; title: string }>>()
    cat.forEach((m, i) => {
      if (m.collection === null || m.fixture !== null) return
      const list = parts.get(m.collection.id) ?? []
      parts.set(m.collection.id, [...list, { part: m.collection.part, day: m.releaseDay!, title: String(details[i]!.title) }])
    })
    expect(parts.size).toBeGreaterThan(50)
    for (const list of parts.values()) {
      const inOrder = [...list].sort((a, b) => a.part - b.part)
      expect(inOrder.map((p) => p.part)).toEqual(inOrder.map((_, k) => k + 1))
      expect(list.length).toBeLessThanOrEqual(8)
      inOrder.slice(1).forEach((p, k) => {
        expect(p.day).toBeGreaterThan(inOrder[k]!.day)
        expect(p.title.startsWith(inOrder[0]!.title)).toBe(true)
      })
    }
  })

  it("normalizes details with the sentinel rules", () => {
    const sparse = normalizeDetails(JSON.parse(fixture("movie-latest-1236474-better-than-me.json").toString()))
    expect(sparse).toMatchObject({
      imdbId: null,
      releaseDate: null,
      runtime: null,
      budget: 5,
      revenue: null,
      overview: null,
      popularity: 0,
      voteAverage: 0,
      genres: []
    })
    expect(normalizeDetails(JSON.parse(fixture("movie-latest-381897-coba-adult-vcr-2016-02.json").toString())).imdbId).toBeNull()
    const wire = {
      id: 1,
      title: "T",
      popularity: "93.5",
      runtime: "0",
      genres: [{ id: 1, name: "A" }, { id: 2, name: "B" }, { id: 1, name: "A2" }],
      production_companies: [{ id: 9, name: "X" }, { id: 9, name: "Y" }]
    }
    expect(normalizeDetails(wire)).toMatchObject({ popularity: 93.5, runtime: null, genres: ["A", "B"], productionCompanies: ["X"], originalTitle: null })
    expect(() => normalizeDetails({ id: "1", title: "T" })).toThrow()
    expect(() => normalizeDetails({ id: 1 })).toThrow()
  })
})

describe("ground truth", () => {
  it("agrees with what the endpoints serve, failures included", async () => {
    await withSandbox({ deletedFraction: 0.1, alwaysFailFraction: 0.05, driftFraction: 0.1 }, async (sb) => {
      const truth = sb.groundTruth({ startYear: 2019, endYear: 2021 })
      const kinds = new Set(truth.map((e) => e.expectedFailure))
      expect([...kinds].sort()).toEqual(["decode", "not_found", "server", null].sort())
      const items = await walk(sb, YEARS)
      expect(items.map((x) => x.id).sort((a, b) => (a as number) - (b as number))).toEqual(truth.map((e) => e.tmdbId))
      const byId = new Map(truth.map((e) => [e.tmdbId, e]))
      sb.resetCounters()
      for (const item of items) {
        const e = byId.get(item.id as number)!
        expect(e.discovered).toEqual({
          tmdbId: item.id,
          title: item.title,
          releaseDate: item.release_date,
          voteAverage: item.vote_average,
          voteCount: item.vote_count,
          popularity: item.popularity
        })
        const res = await fetch(url(sb, `/movie/${e.tmdbId}`))
        const body = await jsonOf(res)
        if (e.expectedFailure === "not_found") expect([res.status, body.status_code]).toEqual([404, 34])
        else if (e.expectedFailure === "server") expect(res.status).toBe(500)
        else if (e.expectedFailure === "decode") expect(() => normalizeDetails(body)).toThrow()
        else expect(normalizeDetails(body)).toEqual(e.details)
        expect(e.details === null).toBe(e.expectedFailure !== null)
      }
      const ok = truth.filter((e) => e.expectedFailure === null || e.expectedFailure === "decode")
      expect([...sb.counters.detailsServed.keys()].sort()).toEqual(ok.map((e) => e.tmdbId).sort())
      expect([...sb.counters.detailsServed.values()].every((n) => n === 1)).toBe(true)
    })
  })

  it("includes the real fixtures in their year", async () => {
    await withSandbox({}, async (sb) => {
      const truth = sb.groundTruth({ startYear: 1999, endYear: 1999 })
      expect(truth.map((e) => e.tmdbId)).toEqual([550])
      expect(truth[0]!.details).toEqual(normalizeDetails(JSON.parse(fixture("movie-550-fight-club.json").toString())))
      const { body } = await getJson(sb, "/discover/movie", { "primary_release_date.gte": "1999-01-01", "primary_release_date.lte": "1999-12-31" })
      expect(body.results.map((x: { title: string }) => x.title)).toEqual(["Fight Club"])
    })
  })
})
