import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { generateCatalogue, normalizeDetails, sandboxScoped, startSandbox } from "../sandbox/index.js"
import type { Sandbox, SandboxOptions } from "../sandbox/index.js"

// The sandbox is exercised with plain fetch, as any client on the other side of the wire would.

const KEY = "sandbox-api-key"
const fixture = (name: string) => readFileSync(new URL(`../sandbox/fixtures/${name}`, import.meta.url))
const DISCOVER_KEYS = [
  "adult",
  "backdrop_path",
  "genre_ids",
  "id",
  "original_language",
  "original_title",
  "overview",
  "popularity",
  "poster_path",
  "release_date",
  "title",
  "video",
  "vote_average",
  "vote_count"
]
const DETAILS_KEYS = [
  "adult",
  "backdrop_path",
  "belongs_to_collection",
  "budget",
  "genres",
  "homepage",
  "id",
  "imdb_id",
  "origin_country",
  "original_language",
  "original_title",
  "overview",
  "popularity",
  "poster_path",
  "production_companies",
  "production_countries",
  "release_date",
  "revenue",
  "runtime",
  "spoken_languages",
  "status",
  "tagline",
  "title",
  "video",
  "vote_average",
  "vote_count"
]
const YEARS = {
  "primary_release_date.gte": "2019-01-01",
  "primary_release_date.lte": "2021-12-31",
  "vote_count.gte": "200",
  sort_by: "primary_release_date.desc"
}

type Params = Record<string, string | number>
const url = (sb: Sandbox, path: string, params: Params = {}, key: string | null = KEY) => {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))
  if (key !== null) q.set("api_key", key)
  return `${sb.baseUrl}${path}?${q}`
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = (res: Response): Promise<any> => res.json()
const getJson = async (sb: Sandbox, path: string, params: Params = {}) => {
  const res = await fetch(url(sb, path, params))
  return { res, body: await jsonOf(res) }
}
const walk = async (sb: Sandbox, params: Params) => {
  const items: Array<Record<string, unknown>> = []
  for (let page = 1, pages = 1; page <= pages; page++) {
    const { body } = await getJson(sb, "/discover/movie", { ...params, page })
    items.push(...body.results)
    pages = body.total_pages
  }
  return items
}
const listed = (sb: Sandbox, from: string, to: string, minVotes = 200, adult = false, video = false) =>
  sb.catalogue.filter((m) =>
    m.releaseDate !== "" && m.releaseDate >= from && m.releaseDate <= to && m.voteCount >= minVotes && (adult || !m.adult) && (video || !m.video)
  )
const withSandbox = async (options: SandboxOptions, body: (sb: Sandbox) => Promise<void>) => {
  const sb = await startSandbox(options)
  try {
    await body(sb)
  } finally {
    await sb.close()
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe("sandbox endpoints (default catalogue)", () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox()
  })
  afterAll(() => sb.close())

  it("serves discover with TMDB's shape and true totals", async () => {
    const { res, body } = await getJson(sb, "/discover/movie", YEARS)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/json;charset=utf-8")
    expect(Object.keys(body)).toEqual(["page", "results", "total_pages", "total_results"])
    const expected = listed(sb, "2019-01-01", "2021-12-31")
    expect(body.total_results).toBe(expected.length)
    expect(body.total_pages).toBe(Math.ceil(expected.length / 20))
    expect(body.results).toHaveLength(20)
    for (const item of body.results) expect(Object.keys(item).sort()).toEqual(DISCOVER_KEYS)
  })

  it("checks auth both ways", async () => {
    const bad = await fetch(url(sb, "/discover/movie", {}, null))
    expect(bad.status).toBe(401)
    expect(await bad.text()).toBe("{\"status_code\":7,\"status_message\":\"Invalid API key: You must be granted a valid key.\",\"success\":false}")
    expect((await fetch(url(sb, "/movie/550", {}, "wrong"))).status).toBe(401)
    expect((await fetch(url(sb, "/movie/550", {}, null), { headers: { Authorization: "Bearer sandbox-read-token" } })).status).toBe(200)
    expect((await fetch(url(sb, "/movie/550", {}, null), { headers: { Authorization: "Bearer nope" } })).status).toBe(401)
  })

  it("rejects bad pages and dates with TMDB's 400 bodies", async () => {
    for (const page of ["0", "abc", "501", "1.5", "-1"]) {
      const { res, body } = await getJson(sb, "/discover/movie", { page })
      expect(res.status).toBe(400)
      expect(body).toEqual({
        success: false,
        status_code: 22,
        status_message: "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."
      })
    }
    const { res, body } = await getJson(sb, "/discover/movie", { page: 500 })
    expect([res.status, body.results.length]).toEqual([200, 0])
    for (const d of ["2021-13-01", "2021-02-30", "21-01-01", "yesterday"]) {
      const r = await getJson(sb, "/discover/movie", { "primary_release_date.gte": d })
      expect([r.res.status, r.body.status_code]).toEqual([400, 23])
    }
  })

  it("sorts with ties broken by id ascending", async () => {
    const cases: Array<[string, (x: Record<string, unknown>) => number | string, 1 | -1]> = [
      ["primary_release_date.desc", (x) => x.release_date as string, -1],
      ["primary_release_date.asc", (x) => x.release_date as string, 1],
      ["popularity.desc", (x) => x.popularity as number, -1],
      ["popularity.asc", (x) => x.popularity as number, 1],
      ["vote_count.desc", (x) => x.vote_count as number, -1]
    ]
    for (const [sort, key, dir] of cases) {
      const items = await walk(sb, { ...YEARS, "vote_count.gte": 0, sort_by: sort })
      let ties = 0
      for (let i = 1; i < items.length; i++) {
        const [a, b] = [key(items[i - 1]!), key(items[i]!)]
        if (a === b) {
          ties++
          expect(items[i - 1]!.id as number).toBeLessThan(items[i]!.id as number)
        } else expect(a < b ? 1 : -1).toBe(dir)
      }
      expect(ties, sort).toBeGreaterThan(0)
      expect(items).toHaveLength(listed(sb, "2019-01-01", "2021-12-31", 0).length)
    }
  })

  it("filters adult and video titles unless asked", async () => {
    const all = listed(sb, "2019-01-01", "2021-12-31", 0, true, true)
    expect(all.some((m) => m.adult) && all.some((m) => m.video)).toBe(true)
    const plain = await walk(sb, { ...YEARS, "vote_count.gte": 0 })
    expect(plain.some((x) => x.adult === true || x.video === true)).toBe(false)
    const adult = await getJson(sb, "/discover/movie", { ...YEARS, "vote_count.gte": 0, include_adult: "true" })
    expect(adult.body.total_results).toBe(listed(sb, "2019-01-01", "2021-12-31", 0, true, false).length)
    const both = await walk(sb, { ...YEARS, "vote_count.gte": 0, include_adult: "true", include_video: "true" })
    expect(both.map((x) => x.id).sort()).toEqual(all.map((m) => m.id).sort())
  })

  it("serves details in TMDB's key order, and real fixtures byte for byte", async () => {
    const m = sb.catalogue.find((x) => x.fixture === null && x.releaseDate !== "")!
    const { body } = await getJson(sb, `/movie/${m.id}`)
    expect(Object.keys(body)).toEqual(DETAILS_KEYS)
    const files: Record<number, string> = {
      550: "movie-550-fight-club.json",
      14160: "movie-14160-up.json",
      383498: "movie-383498-deadpool-2-append-images.json",
      1236474: "movie-latest-1236474-better-than-me.json",
      346089: "movie-latest-346089-le-strelle-nel-fosso-vcr-2015-06.json",
      381897: "movie-latest-381897-coba-adult-vcr-2016-02.json"
    }
    for (const [id, file] of Object.entries(files)) {
      const res = await fetch(url(sb, `/movie/${id}`))
      expect(Buffer.from(await res.arrayBuffer()).equals(fixture(file)), file).toBe(true)
    }
    const ext = await fetch(url(sb, "/movie/550/external_ids"))
    expect(Buffer.from(await ext.arrayBuffer()).equals(fixture("movie-550-external-ids.json"))).toBe(true)
    const conf = await fetch(url(sb, "/configuration"))
    expect(Buffer.from(await conf.arrayBuffer()).equals(fixture("configuration-2024-01.json"))).toBe(true)
  })

  it("answers 404 code 34, with and without the success key", async () => {
    const bodies = []
    for (const path of ["/movie/999999999", "/movie/abc", "/tv/1", "/movie/550/nothing"]) {
      const { res, body } = await getJson(sb, path)
      expect([res.status, body.status_code, body.status_message]).toEqual([404, 34, "The resource you requested could not be found."])
      bodies.push(body)
    }
    expect(bodies.filter((b) => "success" in b)).toHaveLength(2)
    expect((await fetch(`${sb.baseUrl.replace(/\/3$/, "")}/elsewhere`)).status).toBe(404)
  })

  it("appends sub-resources without their id, and caps them at 20", async () => {
    const m = sb.catalogue.find((x) => x.fixture === null && x.releaseDate !== "")!
    const { body } = await getJson(sb, `/movie/${m.id}`, { append_to_response: "external_ids,credits,keywords,release_dates,bogus" })
    for (const k of ["external_ids", "credits", "keywords", "release_dates"]) {
      expect(body[k], k).toBeTypeOf("object")
      expect("id" in body[k], k).toBe(false)
    }
    expect("bogus" in body).toBe(false)
    expect(Array.isArray(body.credits.cast) && Array.isArray(body.credits.crew) && Array.isArray(body.keywords.keywords)).toBe(true)
    expect(body.release_dates.results[0].release_dates[0].release_date).toBe(`${m.releaseDate}T00:00:00.000Z`)
    const fight = await getJson(sb, "/movie/550", { append_to_response: "external_ids" })
    const { id: _id, ...ids } = JSON.parse(fixture("movie-550-external-ids.json").toString())
    expect([fight.body.title, fight.body.external_ids]).toEqual(["Fight Club", ids])
    const standalone = await getJson(sb, `/movie/${m.id}/credits`)
    expect(standalone.body.id).toBe(m.id)
    const twenty = Array.from({ length: 20 }, (_, i) => `x${i}`).join(",")
    expect((await fetch(url(sb, `/movie/${m.id}`, { append_to_response: twenty }))).status).toBe(200)
    const tooMany = await getJson(sb, `/movie/${m.id}`, { append_to_response: `${twenty},credits` })
    expect([tooMany.res.status, tooMany.body]).toEqual([400, {
      success: false,
      status_code: 27,
      status_message: "Too many append to response objects: The maximum number of remote calls is 20."
    }])
  })

  it("lists changes and enforces the 14-day range", async () => {
    const { res, body } = await getJson(sb, "/movie/changes", { start_date: "2020-03-01", end_date: "2020-03-15" })
    expect(res.status).toBe(200)
    expect(Object.keys(body)).toEqual(["results", "page", "total_pages", "total_results"])
    const ids = sb.catalogue.filter((m) => {
      const d = new Date(m.changedDay * 86_400_000).toISOString().slice(0, 10)
      return d >= "2020-03-01" && d <= "2020-03-15"
    }).map((m) => m.id)
    expect(body.results.map((x: { id: number }) => x.id).sort()).toEqual(ids.sort())
    const long = await getJson(sb, "/movie/changes", { start_date: "2020-03-01", end_date: "2020-03-16" })
    expect([long.res.status, long.body]).toEqual([422, {
      success: false,
      status_code: 20,
      status_message: "Invalid date range: Should be a range no longer than 14 days."
    }])
    expect((await getJson(sb, "/movie/changes", { start_date: "2020-3-1" })).body.status_code).toBe(23)
  })
})

describe("sandbox at scale", () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox({ catalogue: { startYear: 2023, endYear: 2023, perYear: { 2023: 12000 }, includeFixtures: false } })
  })
  afterAll(() => sb.close())
  const year = {
    "primary_release_date.gte": "2023-01-01",
    "primary_release_date.lte": "2023-12-31",
    "vote_count.gte": 200,
    sort_by: "primary_release_date.desc"
  }

  it("reports more than 500 pages for a 12,000-movie year, serves page 500 and refuses 501", async () => {
    const { body } = await getJson(sb, "/discover/movie", year)
    expect(body.total_results).toBe(listed(sb, "2023-01-01", "2023-12-31").length)
    expect(body.total_results).toBeGreaterThan(10_000)
    expect(body.total_pages).toBeGreaterThan(500)
    const last = await getJson(sb, "/discover/movie", { ...year, page: 500 })
    expect([last.res.status, last.body.results.length]).toEqual([200, 20])
    const over = await getJson(sb, "/discover/movie", { ...year, page: 501 })
    expect([over.res.status, over.body.status_code]).toEqual([400, 22])
  })

  it("answers a discover page in well under 5 ms", async () => {
    await fetch(url(sb, "/discover/movie", year))
    const t = performance.now()
    for (let page = 1; page <= 100; page++) await (await fetch(url(sb, "/discover/movie", { ...year, page: page * 5 }))).text()
    expect((performance.now() - t) / 100).toBeLessThan(5)
  })

  it("pages changes 100 at a time, with some adult: null", async () => {
    const seen: Array<{ id: number; adult: boolean | null }> = []
    const first = await getJson(sb, "/movie/changes", { start_date: "2023-06-01", end_date: "2023-06-14" })
    expect(first.body.results).toHaveLength(100)
    for (let page = 1; page <= first.body.total_pages; page++) {
      const { body } = await getJson(sb, "/movie/changes", { start_date: "2023-06-01", end_date: "2023-06-14", page })
      expect(body.results.length).toBe(page < body.total_pages ? 100 : body.total_results - 100 * (page - 1))
      seen.push(...body.results)
    }
    expect(seen).toHaveLength(first.body.total_results)
    expect(new Set(seen.map((x) => x.id)).size).toBe(seen.length)
    expect(seen.some((x) => x.adult === null)).toBe(true)
  })

  it("generates 100,000 movies in under 2 s", () => {
    const t = performance.now()
    const big = generateCatalogue({ seed: 1, startYear: 2020, endYear: 2024, perYear: 20_000, includeFixtures: true })
    expect(performance.now() - t).toBeLessThan(2000)
    expect(big.length).toBe(100_006)
  })
})

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

describe("limits and faults", () => {
  it("rate-limits with 429 code 25 and Retry-After", async () => {
    await withSandbox({ rateLimit: { rps: 1, burst: 3 } }, async (sb) => {
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await fetch(url(sb, "/movie/550"))).status)
      expect(statuses).toEqual([200, 200, 200, 429])
      const res = await fetch(url(sb, "/movie/550"))
      const body = await jsonOf(res)
      expect(Object.keys(body)).toEqual(["status_code", "status_message"])
      expect(body.status_code).toBe(25)
      expect(body.status_message).toMatch(/^Your request count \(\d+\) is over the allowed limit of 40\.$/)
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
      expect(sb.counters.rateLimited).toBe(2)
      sb.setRateLimit(undefined)
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(200)
    })
  })

  it("caps requests in flight and counts them", async () => {
    await withSandbox({ latencyMs: 200, maxConnections: 2 }, async (sb) => {
      const t = performance.now()
      const statuses = await Promise.all(Array.from({ length: 4 }, () => fetch(url(sb, "/movie/550")).then((r) => r.status)))
      expect(performance.now() - t).toBeGreaterThanOrEqual(190)
      expect(statuses.sort()).toEqual([200, 200, 429, 429])
      expect(sb.counters.maxInFlight).toBe(4)
      expect(sb.counters.inFlight).toBe(0)
    })
  })

  it("injects each fault on demand", async () => {
    await withSandbox({}, async (sb) => {
      const target = url(sb, "/movie/550")
      sb.setFaults({ error500: 1 })
      expect((await getJson(sb, "/movie/550")).body.status_code).toBe(11)
      sb.setFaults({ error502: 1 })
      const r502 = await fetch(target)
      expect([r502.status, r502.headers.get("content-type")]).toEqual([502, "text/html"])
      expect((await r502.text()).startsWith("<html>")).toBe(true)
      sb.setFaults({ error503: 1, retryAfter503Seconds: 3 })
      const r503 = await fetch(target)
      expect([r503.status, r503.headers.get("retry-after")]).toEqual([503, "3"])
      sb.setFaults({ error504: 1 })
      expect((await fetch(target)).status).toBe(504)
      sb.setFaults({ reset: 1 })
      await expect(fetch(target)).rejects.toThrow()
      sb.setFaults({ hang: 1 })
      await expect(fetch(target, { signal: AbortSignal.timeout(300) })).rejects.toThrow(/aborted|timeout/i)
      sb.setFaults({ truncate: 1 })
      const cut = await fetch(target)
      expect([cut.status, cut.headers.get("content-length")]).toEqual([200, "2055"])
      await expect(cut.arrayBuffer()).rejects.toThrow()
      sb.setFaults(undefined)
      expect((await fetch(target)).status).toBe(200)
      expect(sb.counters.faultsInjected).toEqual({ error500: 1, error502: 1, error503: 1, error504: 1, reset: 1, hang: 1, truncate: 1 })
      expect(sb.counters.detailsServed.get(550)).toBe(1)
    })
  })

  it("draws random faults from the seed, and only on details when asked", async () => {
    const run = async () => {
      const out: Array<number> = []
      await withSandbox({ faults: { error500: 0.3 }, faultPaths: "details" }, async (sb) => {
        for (let i = 0; i < 60; i++) out.push((await fetch(url(sb, "/movie/550"))).status)
        expect((await fetch(url(sb, "/discover/movie"))).status).toBe(200)
      })
      return out
    }
    const [a, b] = [await run(), await run()]
    expect(a).toEqual(b)
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(5)
    expect(a.filter((s) => s === 500).length).toBeLessThan(35)
  })

  it("goes through an outage and heals", async () => {
    await withSandbox({ outage: { afterMs: 400, durationMs: 400 } }, async (sb) => {
      const t0 = performance.now()
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(200)
      await sleep(500 - (performance.now() - t0))
      const down = await fetch(url(sb, "/discover/movie"))
      expect([down.status, down.headers.get("retry-after"), (await jsonOf(down)).status_code]).toEqual([503, "1", 9])
      await sleep(900 - (performance.now() - t0))
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(200)
      sb.startOutage(100)
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(503)
      await sleep(120)
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(200)
      expect(sb.counters.faultsInjected.outage).toBe(2)
    })
  })

  it("puts latency before the rate limiter when asked, so evenly sent requests can arrive bunched", async () => {
    // 40 requests sent 40 ms apart into a 50/s bucket of 1 (a token every 20 ms): as sent, each
    // fits with 20 ms to spare. With ±30 ms of jitter in front, about one neighbour in five
    // arrives under 20 ms behind the one before and draws a 429 (all 39 pairs clear: p < 1e-4).
    const run = async (placement: "before" | "after") =>
      withSandbox({ rateLimit: { rps: 50, burst: 1 }, latencyMs: 40, jitterMs: 30, jitterPlacement: placement }, async (sb) => {
        const pending: Array<Promise<number>> = []
        for (let i = 0; i < 40; i++) {
          pending.push(fetch(url(sb, "/movie/550")).then(async (r) => (await r.arrayBuffer(), r.status)))
          await sleep(40)
        }
        await Promise.all(pending)
        counts[placement] = sb.counters.rateLimited
      })
    const counts: Record<string, number> = {}
    await run("after")
    await run("before")
    // "after" can draw one when this test's own sends bunch on a loaded machine; "before" draws
    // about 8 from the jitter alone.
    expect(counts["after"]).toBeLessThanOrEqual(2)
    expect(counts["before"]).toBeGreaterThanOrEqual((counts["after"] ?? 0) + 3)
  })

  it("reshuffles ties on every discover request when asked, so a page-by-page read loses movies", async () => {
    await withSandbox({
      unstableOrder: true,
      catalogue: { seed: 3, startYear: 2020, endYear: 2020, perYear: 1500, includeFixtures: false, crowdedDayFraction: 0.2 }
    }, async (sb) => {
      const params = {
        "primary_release_date.gte": "2020-01-01",
        "primary_release_date.lte": "2020-12-31",
        "vote_count.gte": 0,
        sort_by: "primary_release_date.desc"
      }
      const truth = listed(sb, "2020-01-01", "2020-12-31", 0)
      // January 1 holds the crowd: a run of ties many pages long.
      expect(truth.filter((m) => m.releaseDate === "2020-01-01").length).toBeGreaterThan(200)
      const items = await walk(sb, params)
      // The order between days still holds; only ties move.
      for (let i = 1; i < items.length; i++) expect((items[i - 1]!.release_date as string) >= (items[i]!.release_date as string)).toBe(true)
      const distinct = new Set(items.map((m) => m.id))
      expect(items).toHaveLength(truth.length)
      expect(distinct.size).toBeLessThan(truth.length)
      // Narrower filters are served exactly: a piece that fits one page lists all of its movies.
      const piece = {
        ...params,
        "primary_release_date.gte": "2020-01-01",
        "primary_release_date.lte": "2020-01-01",
        "vote_count.gte": 300,
        "vote_count.lte": 320,
        "vote_average.gte": 0,
        "vote_average.lte": 10
      }
      const expected = truth.filter((m) => m.releaseDate === "2020-01-01" && m.voteCount >= 300 && m.voteCount <= 320)
      const { body } = await getJson(sb, "/discover/movie", piece)
      expect(body.total_results).toBe(expected.length)
      expect(expected.length).toBeGreaterThan(0)
      expect(expected.length).toBeLessThanOrEqual(20)
      expect(new Set(body.results.map((m: { id: number }) => m.id))).toEqual(new Set(expected.map((m) => m.id)))
      const averaged = await getJson(sb, "/discover/movie", { ...params, "vote_average.gte": 7.5, "vote_average.lte": 8 })
      expect(averaged.body.total_results).toBe(truth.filter((m) => m.voteAverage >= 7.5 && m.voteAverage <= 8).length)
    })
  })

  it("adds latency", async () => {
    await withSandbox({ latencyMs: 120 }, async (sb) => {
      const t = performance.now()
      await (await fetch(url(sb, "/movie/550"))).text()
      expect(performance.now() - t).toBeGreaterThanOrEqual(115)
    })
  })
})

describe("counters, control and lifecycle", () => {
  it("counts by endpoint and status, and exposes /__sandbox controls", async () => {
    await withSandbox({}, async (sb) => {
      const root = sb.baseUrl.replace(/\/3$/, "")
      await fetch(url(sb, "/discover/movie"))
      await fetch(url(sb, "/movie/550"))
      await fetch(url(sb, "/movie/550"))
      await fetch(url(sb, "/movie/changes"))
      await fetch(url(sb, "/configuration"))
      await fetch(url(sb, "/movie/550", {}, null))
      const c = sb.counters
      expect([c.requests, c.byEndpoint, c.byStatus]).toEqual([6, { discover: 1, movie: 3, changes: 1, other: 1 }, { "200": 5, "401": 1 }])
      expect(c.detailsServed.get(550)).toBe(2)
      expect(c.discoverPages).toEqual([{ gte: null, lte: null, page: 1 }])
      const remote = await jsonOf(await fetch(`${root}/__sandbox/counters`))
      expect([remote.requests, remote.detailsServed]).toEqual([6, { "550": 2 }])
      expect((await fetch(`${root}/__sandbox/outage?ms=200`, { method: "POST" })).status).toBe(200)
      expect((await fetch(url(sb, "/movie/550"))).status).toBe(503)
      sb.resetCounters()
      expect([sb.counters.requests, sb.counters.detailsServed.size]).toEqual([0, 0])
    })
  })

  it("is an Effect scoped resource", async () => {
    const base = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const sb = yield* sandboxScoped({ catalogue: { perYear: 5 } })
      const res = yield* Effect.promise(() => fetch(url(sb, "/movie/550")))
      expect(res.status).toBe(200)
      return sb.baseUrl
    })))
    await expect(fetch(`${base}/movie/550?api_key=${KEY}`)).rejects.toThrow()
  })

  it("runs from the command line", async () => {
    const tsx = new URL("../node_modules/.bin/tsx", import.meta.url).pathname
    const script = new URL("../scripts/sandbox.ts", import.meta.url).pathname
    const child = spawn(tsx, [script, "--port", "0", "--per-year", "5"], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    const line = await new Promise<string>((resolve) =>
      child.stdout.on("data", (d) => {
        out += String(d)
        if (out.includes("\n")) resolve(out)
      })
    )
    expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/3\n$/)
    expect((await fetch(`${line.trim()}/movie/550?api_key=${KEY}`)).status).toBe(200)
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", resolve)
      child.kill("SIGTERM")
    })
    expect([code, out]).toEqual([0, line])
    const bad = spawnSync(tsx, [script, "--bogus"], { encoding: "utf8" })
    expect([bad.status, bad.stdout, bad.stderr]).toEqual([2, "", "sandbox: unknown option --bogus\n"])
  })
})
