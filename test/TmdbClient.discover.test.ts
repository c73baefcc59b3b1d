import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import type { Script, ScriptedResponse } from "../layers/TestHttp.js"
import type { TmdbClient } from "../services/TmdbClient.js"
import type { TmdbClientOptions } from "../src/Config.js"
import { answer, failureTag, fixtureText, withClient as pacedClient } from "./support/client.js"

// The limiter never waits here: pacing is not what these tests prove (test/RateLimiter.test.ts
// does), and each of its waits is a TestClock step that polls the fibers on the wall clock, so
// a few thousand paced pages would take minutes on a loaded machine.
const UNPACED: TmdbClientOptions = { requestsPerSecond: 1_000_000, burst: 1_000_000 }
const withClient = <A, E>(script: Script, run: (client: TmdbClient) => Effect.Effect<A, E>) => pacedClient(script, run, UNPACED)

describe("TmdbClient: discover", () => {
  /**
   * A fake /discover/movie over `movies`, faithful to paging, the 500-page cap and filters. With
   * `shuffle`, each request sees same-day ties in a new order, as TMDB's are (no stable order).
   */
  const fakeDiscover = (
    unsorted: ReadonlyArray<{ id: number; date: string; votes: number; average?: number }>,
    shuffle?: () => number
  ): Script => {
    const movies = [...unsorted].sort((a, b) => (a.date === b.date ? a.id - b.id : a.date < b.date ? 1 : -1))
    // The movies a query lists, kept per query: a window's pages all list from the same ones.
    const listed = new Map<string, ReadonlyArray<(typeof movies)[number]>>()
    const query = (p: URLSearchParams) => {
      const gte = p.get("primary_release_date.gte") ?? "0000"
      const lte = p.get("primary_release_date.lte") ?? "9999"
      const bound = (key: string, fallback: number) => (p.has(key) ? Number(p.get(key)) : fallback)
      const [minVotes, maxVotes] = [bound("vote_count.gte", 0), bound("vote_count.lte", Infinity)]
      const [minAverage, maxAverage] = [bound("vote_average.gte", -Infinity), bound("vote_average.lte", Infinity)]
      return movies.filter((m) =>
        m.date >= gte && m.date <= lte && m.votes >= minVotes && m.votes <= maxVotes &&
        (m.average ?? 6) >= minAverage && (m.average ?? 6) <= maxAverage
      )
    }
    return (req) => {
      const p = req.params
      const page = Number(p.get("page") ?? "1")
      if (!(page >= 1 && page <= 500)) {
        return answer(400, JSON.parse(fixtureText("error-400-invalid-page.json")))
      }
      const rest = new URLSearchParams(p)
      rest.delete("page")
      rest.sort()
      const key = rest.toString()
      if (!listed.has(key)) listed.set(key, query(p))
      const hits = [...listed.get(key)!]
      if (shuffle !== undefined) {
        // Fisher-Yates within each day.
        for (let a = 0; a < hits.length;) {
          let b = a
          while (b < hits.length && hits[b]!.date === hits[a]!.date) b++
          for (let j = b - 1; j > a; j--) {
            const r = a + Math.floor(shuffle() * (j - a + 1))
            ;[hits[j], hits[r]] = [hits[r]!, hits[j]!]
          }
          a = b
        }
      }
      const results = hits.slice((page - 1) * 20, page * 20).map((m) => ({
        id: m.id,
        title: `M${m.id}`,
        release_date: m.date,
        vote_average: m.average ?? 6,
        vote_count: m.votes,
        popularity: 1.5
      }))
      return answer(200, { page, results, total_pages: Math.ceil(hits.length / 20), total_results: hits.length })
    }
  }

  /** A seeded [0, 1) generator, so a failing shuffle can be replayed. */
  const rng = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }

  const catalogue = (year: number, n: number, firstId = 1) =>
    Array.from({ length: n }, (_, i) => {
      // Skewed towards the end of the year, as real release dates are.
      const day = Math.floor(365 * Math.sqrt((i * 7919) % n / n))
      const date = new Date(Date.UTC(year, 0, 1 + day)).toISOString().slice(0, 10)
      return { id: firstId + i, date, votes: 200 + (i % 50) }
    })

  // Over the 10,000 results (500 pages) one query can list: the year must be cut into windows.
  it.effect("a 25,000-result year comes back whole, and no request asks for a page above 500", () =>
    Effect.gen(function*() {
      const movies = catalogue(2023, 25_000)
      const { exit, requests } = yield* withClient(fakeDiscover(movies), (c) => c.discoverMovies({ startYear: 2023 }))
      const result = Exit.getOrElse(exit, () => null as never)
      expect(result.complete).toBe(true)
      expect(result.movies).toHaveLength(25_000)
      expect(new Set(result.movies.map((m) => m.tmdbId)).size).toBe(25_000)
      expect(Math.max(...requests.map((r) => Number(r.params.get("page"))))).toBeLessThanOrEqual(500)
      expect(requests.every((r) => r.params.get("sort_by") === "primary_release_date.desc")).toBe(true)
      expect(requests.every((r) => r.params.get("vote_count.gte") === "200")).toBe(true)
      // Economy: data pages plus a few page-1 probes of windows that had to be split.
      expect(requests.length).toBeLessThanOrEqual(1250 + 10)
    }))

  it.effect("years run newest first; the year range is covered exactly", () =>
    Effect.gen(function*() {
      const movies = [...catalogue(2020, 45, 1), ...catalogue(2021, 30, 1000), ...catalogue(2022, 5, 2000)]
      const { exit } = yield* withClient(fakeDiscover(movies), (c) => c.discoverMovies({ startYear: 2020, endYear: 2021 }))
      const result = Exit.getOrElse(exit, () => null as never)
      expect(result.movies).toHaveLength(75)
      expect(result.movies[0]!.releaseDate!.slice(0, 4)).toBe("2021")
      expect(result.movies.at(-1)!.releaseDate!.slice(0, 4)).toBe("2020")
    }))

  it.effect("maxPages caps pages per year and the result says it truncated", () =>
    Effect.gen(function*() {
      const movies = catalogue(2024, 1000)
      const { exit, requests } = yield* withClient(fakeDiscover(movies), (c) => c.discoverMovies({ startYear: 2024, maxPages: 3 }))
      const result = Exit.getOrElse(exit, () => null as never)
      expect(result.movies).toHaveLength(60)
      expect(requests).toHaveLength(3)
      expect(result.truncated).toEqual([expect.objectContaining({ year: 2024, reason: "maxPages", pagesFetched: 3, totalPages: 50 })])
    }))

  it.effect("maxPages above 500 that runs out on a window boundary: every skipped window is reported", () =>
    Effect.gen(function*() {
      // Enough that the later half of the year is cut again: three windows of many pages.
      const movies = catalogue(2023, 15_000)
      // An uncapped run shows the windows and their page counts, newest first.
      const full = yield* withClient(fakeDiscover(movies), (c) => c.discoverMovies({ startYear: 2023 }))
      const pagesByWindow = new Map<string, number>()
      for (const r of full.requests) {
        const from = r.params.get("primary_release_date.gte")!
        pagesByWindow.set(from, Math.max(pagesByWindow.get(from) ?? 0, Number(r.params.get("page"))))
      }
      const leaves = [...pagesByWindow].filter(([, pages]) => pages > 1).sort(([a], [b]) => (a < b ? 1 : -1))
      expect(leaves.length).toBeGreaterThanOrEqual(3)
      const cap = leaves[0]![1] + leaves[1]![1]
      const capped = yield* withClient(fakeDiscover(movies), (c) => c.discoverMovies({ startYear: 2023, maxPages: cap }))
      const result = Exit.getOrElse(capped.exit, () => null as never)
      expect(result.pages).toBe(cap)
      const skipped = result.truncated.map((t) => t.window.from)
      for (const [from] of leaves.slice(2)) expect(skipped).toContain(from)
      expect(result.truncated.every((t) => t.reason === "maxPages")).toBe(true)
    }))

  it.effect("a page that fails after its retries is reported, the rest is kept, the result is incomplete", () =>
    Effect.gen(function*() {
      const movies = catalogue(2024, 100)
      const discover = fakeDiscover(movies)
      const { exit } = yield* withClient(
        (req, n) => (req.params.get("page") === "3" ? answer(500) : discover(req, n)),
        (c) => c.discoverMovies({ startYear: 2024 })
      )
      const result = Exit.getOrElse(exit, () => null as never)
      expect(result.complete).toBe(false)
      expect(result.movies).toHaveLength(80)
      expect(result.failedPages).toEqual([expect.objectContaining({ year: 2024, page: 3 })])
    }))

  it.effect("a bad key fails the discovery stream", () =>
    Effect.gen(function*() {
      const { exit } = yield* withClient(() => answer(401, { status_code: 7, status_message: "Invalid API key" }), (c) => c.discoverMovies({ startYear: 2024 }))
      expect(failureTag(exit)).toBe("UnauthorizedError")
    }))

  it.effect("duplicates across pages (the catalogue shifted) are dropped, and a movie they displaced is never a silent gap", () =>
    Effect.gen(function*() {
      const movies = catalogue(2024, 60)
      const discover = fakeDiscover(movies)
      const { exit } = yield* withClient(
        (req, n) => {
          const r = discover(req, n) as ScriptedResponse
          const body = r.body as { results: Array<unknown> }
          // Page 2 repeats page 1's last movie, as when a new release shifts the list.
          if (req.params.get("page") === "2") {
            const first = discover({ ...req, params: new URLSearchParams({ ...Object.fromEntries(req.params), page: "1" }) }, n) as ScriptedResponse
            body.results[0] = (first.body as { results: Array<unknown> }).results[19]
          }
          return r
        },
        (c) => c.discoverMovies({ startYear: 2024 })
      )
      const result = Exit.getOrElse(exit, () => null as never)
      expect(new Set(result.movies.map((m) => m.tmdbId)).size).toBe(result.movies.length)
      // Either the window was read again and the displaced movie found, or the gap is reported.
      const missing = result.incomplete.reduce((n, i) => n + i.missing, 0)
      expect(result.movies.length + missing).toBe(60)
      expect(result.complete).toBe(missing === 0)
    }))

  // 600 movies over 20 days of one month: 30 ties a day, so nearly every page border cuts a day.
  const crowded = (perDay: number, days: number, seed: number) => {
    const r = rng(seed)
    return Array.from({ length: perDay * days }, (_, i) => ({
      id: 10_000 + i,
      date: `2024-03-${String(1 + (i % days)).padStart(2, "0")}`,
      votes: 200 + Math.floor(r() * 5_000),
      average: Math.round(r() * 10_000) / 1000
    }))
  }

  it.effect("with ties reshuffled on every request, a crowded month still comes back whole", () =>
    Effect.gen(function*() {
      const movies = crowded(30, 20, 1)
      const naive = fakeDiscover(movies, rng(2))
      // The fake really does lose movies to a plain page-by-page read: the test could fail.
      const listed = new Set<number>()
      for (let page = 1; page <= 30; page++) {
        const r = naive({ params: new URLSearchParams({ page: String(page) }) } as never, 0) as ScriptedResponse
        for (const m of (r.body as { results: Array<{ id: number }> }).results) listed.add(m.id)
      }
      expect(listed.size).toBeLessThan(600)

      const { exit, requests } = yield* withClient(fakeDiscover(movies, rng(3)), (c) => c.discoverMovies({ startYear: 2024 }))
      const result = Exit.getOrElse(exit, () => null as never)
      expect(new Set(result.movies.map((m) => m.tmdbId))).toEqual(new Set(movies.map((m) => m.id)))
      expect(result.complete).toBe(true)
      expect(result.incomplete).toEqual([])
      // The pieces are narrower filters on the same query, never a page above 500.
      expect(requests.some((r) => r.params.has("vote_count.lte"))).toBe(true)
      expect(requests.length).toBeLessThanOrEqual(4 * 30)
    }))

  it.effect("with a stable order, the check costs no request beyond the pages themselves", () =>
    Effect.gen(function*() {
      const movies = crowded(30, 20, 1)
      const { exit, requests } = yield* withClient(fakeDiscover(movies), (c) => c.discoverMovies({ startYear: 2024 }))
      expect(Exit.getOrElse(exit, () => null as never).movies).toHaveLength(600)
      expect(requests).toHaveLength(30)
    }))

  it.effect("a window that lists fewer movies than its total, however it is cut, is reported with the count missing", () =>
    Effect.gen(function*() {
      const movies = catalogue(2024, 100)
      const discover = fakeDiscover(movies)
      const hidden = new Set([movies[10]!.id, movies[50]!.id])
      const { exit } = yield* withClient(
        (req, n) => {
          const r = discover(req, n) as ScriptedResponse
          const body = r.body as { results: Array<{ id: number }> }
          // Counted in total_results, never listed: as a movie TMDB's index holds but cannot serve.
          body.results = body.results.filter((m) => !hidden.has(m.id))
          return r
        },
        (c) => c.discoverMovies({ startYear: 2024 })
      )
      const result = Exit.getOrElse(exit, () => null as never)
      expect(result.movies).toHaveLength(98)
      expect(result.complete).toBe(false)
      expect(result.incomplete).toEqual([expect.objectContaining({ year: 2024, totalResults: 100, found: 98, missing: 2 })])
    }))
})
