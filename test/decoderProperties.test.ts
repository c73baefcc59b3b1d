import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Redacted, TestClock } from "effect"
import fc from "fast-check"
import * as fs from "node:fs"
import * as path from "node:path"
import { scriptedHttp } from "../layers/TestHttp.js"
import { TmdbClientLayer } from "../layers/Tmdb.js"
import { TmdbClient } from "../services/TmdbClient.js"
import { decodeDiscoverPage, decodeMovieDetails } from "../src/Decode.js"

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../sandbox/fixtures", name), "utf8")) as Record<string, unknown>
const details = fixture("movie-550-fight-club.json")
const discover = fixture("discover-movie-page-1-2024-02.json")

const detailKeys = Object.keys(details)
const garbage = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(""),
  fc.constant(0),
  fc.constant(-1),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.anything({ maxDepth: 4 }),
  fc.array(fc.anything({ maxDepth: 3 }))
)

/** A real details body with random fields replaced by garbage, removed, or added. */
const mutatedDetails = fc
  .record({
    replace: fc.dictionary(fc.constantFrom(...detailKeys), garbage, { maxKeys: 5 }),
    remove: fc.subarray(detailKeys, { maxLength: 4 }),
    extra: fc.dictionary(fc.string(), fc.anything({ maxDepth: 5 }), { maxKeys: 5 })
  })
  .map(({ extra, remove, replace }) => {
    const body: Record<string, unknown> = { ...extra, ...details, ...replace }
    for (const k of remove) delete body[k]
    return body
  })

/** A normalized record obeys its own contract: what the database relies on. */
const assertNormalized = (m: ReturnType<typeof decodeMovieDetails> & { _tag: "Right" }) => {
  const r = m.right
  expect(Number.isInteger(r.tmdbId) && r.tmdbId > 0).toBe(true)
  expect(typeof r.title).toBe("string")
  for (const v of [r.imdbId, r.overview, r.originalTitle]) expect(v === null || (typeof v === "string" && v !== "")).toBe(true)
  expect(r.releaseDate === null || /^\d{4}-\d{2}-\d{2}$/.test(r.releaseDate)).toBe(true)
  for (const v of [r.runtime, r.budget, r.revenue]) expect(v === null || (Number.isInteger(v) && v > 0)).toBe(true)
  for (const v of [r.voteAverage, r.voteCount, r.popularity]) expect(Number.isFinite(v)).toBe(true)
  expect(r.genres.every((g) => typeof g === "string")).toBe(true)
  expect(r.productionCompanies.every((g) => typeof g === "string")).toBe(true)
}

describe("decoder robustness (fast-check)", () => {
  it("details: mutated real bodies give a normalized record or a decode message, never a throw", () => {
    fc.assert(
      fc.property(mutatedDetails, (body) => {
        const result = decodeMovieDetails(body, ["credits", "images"])
        if (result._tag === "Right") assertNormalized(result)
        else expect(result.left.length).toBeGreaterThan(0)
      }),
      { numRuns: 1500 }
    )
  })

  it("details and discover: arbitrary values never throw", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 6, withNullPrototype: true, withTypedArray: true, withMap: true }), (value) => {
        expect(["Left", "Right"]).toContain(decodeMovieDetails(value)._tag)
        expect(["Left", "Right"]).toContain(decodeDiscoverPage(value)._tag)
      }),
      { numRuns: 1500 }
    )
  })

  it("discover: garbage items fail alone and the page keeps every good item", () => {
    const results = discover["results"] as Array<Record<string, unknown>>
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(19), garbage), { maxLength: 6 }), (breaks) => {
        const broken = results.map((r) => ({ ...r }))
        const hit = new Set<number>()
        for (const [i, g] of breaks) {
          broken[i] = g as Record<string, unknown>
          hit.add(i)
        }
        const page = decodeDiscoverPage({ ...discover, results: broken })
        expect(page._tag).toBe("Right")
        if (page._tag !== "Right") return
        expect(page.right.movies.length + page.right.invalid.length).toBe(20)
        expect(page.right.movies.length).toBeGreaterThanOrEqual(20 - hit.size)
      }),
      { numRuns: 500 }
    )
  })

  it.effect("through the client, a garbage 200 body is a DecodeError failure, never a defect", () =>
    Effect.gen(function*() {
      const bodies = fc.sample(mutatedDetails, 60)
      let i = 0
      const http = scriptedHttp(() => ({ status: 200, body: bodies[i++ % bodies.length] }))
      const layer = TmdbClientLayer({
        credentials: { _tag: "ApiKey", key: Redacted.make("k".repeat(32)) },
        baseUrl: "https://tmdb.test/3",
        requestsPerSecond: 1000,
        burst: 100
      }).pipe(Layer.provide(http.layer))
      const fiber = yield* Effect.fork(
        Effect.flatMap(TmdbClient, (c) => Effect.forEach(bodies, (_, n) => Effect.exit(c.getMovieDetails(n + 1)), { concurrency: 1 })).pipe(
          Effect.provide(layer)
        )
      )
      yield* TestClock.adjust("1 hour")
      const exits = yield* Fiber.join(fiber)
      for (const exit of exits) {
        if (Exit.isFailure(exit)) {
          expect(Cause.isDie(exit.cause)).toBe(false)
          expect(exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("DecodeError")
        }
      }
      expect(exits.some(Exit.isFailure)).toBe(true)
      expect(exits.some(Exit.isSuccess)).toBe(true)
    }))
})
