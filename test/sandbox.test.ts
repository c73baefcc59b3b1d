import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { generateCatalogue, startSandbox } from "../sandbox/index.js"
import type { Sandbox } from "../sandbox/index.js"

import { DETAILS_KEYS, DISCOVER_KEYS, fixture, getJson, listed, url, walk, YEARS } from "./support/sandboxHttp.js"

// The CPU time this process spent (client and sandbox both live here), in ms: the work done,
// which a loaded machine does not stretch as it stretches the wall clock.
const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

// The sandbox is exercised with plain fetch, as any client on the other side of the wire would.

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
    const t = cpuMs()
    for (let page = 1; page <= 100; page++) await (await fetch(url(sb, "/discover/movie", { ...year, page: page * 5 }))).text()
    expect((cpuMs() - t) / 100).toBeLessThan(5)
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
    const t = cpuMs()
    const big = generateCatalogue({ seed: 1, startYear: 2020, endYear: 2024, perYear: 20_000, includeFixtures: true })
    expect(cpuMs() - t).toBeLessThan(2000)
    expect(big.length).toBe(100_006)
  })
})
