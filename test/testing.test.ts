import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Stream } from "effect"
import { Collector } from "../services/Collector.js"
import { TmdbClient } from "../services/TmdbClient.js"
import { apiKey, readAccessToken } from "../src/Config.js"
import { WITH_PEOPLE } from "../src/kinds/Kinds.js"
import { movieDetailsOf } from "../src/Movie.js"
import { movieKind } from "../src/MovieKind.js"
import { yearWindow } from "../src/Windows.js"
import { collectionOf, CollectorTest, companyOf, personOf, TmdbClientScripted, TmdbClientTest } from "../testing.js"

// The fake TmdbClient keeps no list of the client's methods: any method a test did not give it
// dies naming itself, including one added to TmdbClient after this test was written.

/** A discover page of 2024 listing `ids`. */
const pageOf = (ids: ReadonlyArray<number>) => ({
  _tag: "Page" as const,
  year: 2024,
  window: yearWindow(2024),
  page: 1,
  totalPages: 1,
  totalResults: ids.length,
  movies: ids.map((tmdbId) => ({ tmdbId, title: `Movie ${tmdbId}`, releaseDate: "2024-05-01", voteAverage: 7, voteCount: 500, popularity: 10 })),
  invalid: []
})

/** The message of the defect `effect` dies with, or what happened instead. */
const deathOf = (effect: Effect.Effect<unknown, unknown>) =>
  Effect.map(Effect.exit(effect), (exit) =>
    Exit.isSuccess(exit)
      ? "succeeded"
      : Option.match(Cause.dieOption(exit.cause), {
        onNone: () => `failed without dying: ${Cause.pretty(exit.cause)}`,
        onSome: (defect) => (defect instanceof Error ? defect.message : String(defect))
      }))

/** A client's method by its name, as code written against a later TmdbClient would call it. */
const method = (client: TmdbClient, name: string) =>
  (client as unknown as Record<string, (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown>>)[name]!

/** The names of the real client's methods, read from the client the library builds. */
const realMethods = Effect.map(TmdbClient, (real) => Object.keys(real).filter((name) => name !== "settings" && name !== "stats")).pipe(
  Effect.provide(TmdbClientScripted(() => ({ status: 500 })).layer)
)

describe("TmdbClientTest", () => {
  it.effect("every method of the real client that the test did not give dies naming itself", () =>
    Effect.gen(function*() {
      const names = yield* realMethods
      expect(names).toEqual(expect.arrayContaining(["discoverMoviesStream", "getMovieDetails", "getMovieChanges", "movieDetailsStream"]))
      const fake = yield* TmdbClient.pipe(Effect.provide(TmdbClientTest({})))
      for (const name of names) {
        expect(yield* deathOf(method(fake, name)(550))).toBe(`TmdbClientTest: ${name} is not implemented by this fake`)
      }
    }))

  it.effect("a method TmdbClient does not have yet dies naming itself instead of being undefined", () =>
    Effect.gen(function*() {
      const fake = yield* TmdbClient.pipe(Effect.provide(TmdbClientTest({})))
      expect(yield* deathOf(method(fake, "getPersonDetails")(287))).toBe("TmdbClientTest: getPersonDetails is not implemented by this fake")
    }))

  it.effect("the methods given answer, with the library's settings and no requests counted unless given", () =>
    Effect.gen(function*() {
      const fake = yield* TmdbClient.pipe(
        Effect.provide(TmdbClientTest({ getChangedMovieIds: () => Effect.succeed([550, 551]) }))
      )
      expect(yield* fake.getChangedMovieIds({ startDate: "2024-01-01", endDate: "2024-01-02" })).toEqual([550, 551])
      expect(yield* fake.stats).toEqual({ requests: 0, retries: 0, rateLimited: 0 })
      expect(fake.settings).toMatchObject({ requestsPerSecond: 4, retries: 0 })
      expect("credentials" in fake.settings).toBe(false)

      const counted = yield* TmdbClient.pipe(Effect.provide(TmdbClientTest({ stats: Effect.succeed({ requests: 3, retries: 1, rateLimited: 1 }) })))
      expect(yield* counted.stats).toEqual({ requests: 3, retries: 1, rateLimited: 1 })
    }))

  it.effect("a fake given the movie methods answers the Collector's calls for movies; another kind dies naming it", () =>
    Effect.gen(function*() {
      const fake = yield* TmdbClient.pipe(Effect.provide(TmdbClientTest({
        getMovieDetails: (id) => Effect.succeed(movieDetailsOf({ tmdbId: id, title: "Fight Club" })),
        getMovieChanges: () => Effect.succeed({ ids: [550], adult: new Set<number>(), truncated: false })
      })))
      expect((yield* fake.getRecord(movieKind, 550)).title).toBe("Fight Club")
      expect((yield* fake.getChanges("/movie/changes", {})).ids).toEqual([550])
      expect(yield* deathOf(fake.getRecord({ ...movieKind, name: "person" }, 287))).toBe("TmdbClientTest: getRecord of person is not implemented by this fake")
      expect(yield* deathOf(fake.getChanges("/person/changes", {}))).toBe("TmdbClientTest: getChanges of /person/changes is not implemented by this fake")
    }))

  it.effect("a fake given the methods of collections, companies and people runs the whole collector with --people, each record asked once", () =>
    Effect.gen(function*() {
      const asked: Array<string> = []
      const ask = <A>(what: string, a: A) => Effect.sync(() => (asked.push(what), a))
      const movie = (id: number) =>
        movieDetailsOf({
          tmdbId: id,
          title: `Movie ${id}`,
          collection: { id: 10, name: "Saga" },
          productionCompanies: [{ id: 33, name: "Universal Pictures", originCountry: "US" }],
          credits: { cast: [{ personId: 7, name: "Ann", character: null, order: 0, creditId: null, gender: 1, castId: null }], crew: [] }
        })
      const summary = yield* Collector.run({ startYear: 2024, endYear: 2024, kinds: WITH_PEOPLE }).pipe(
        Effect.provide(CollectorTest(TmdbClientTest({
          discoverMoviesStream: () => Stream.make(pageOf([1, 2])),
          getMovieDetails: (id) => ask(`movie ${id}`, movie(id)),
          getCollection: (id) => ask(`collection ${id}`, collectionOf({ id, name: "The Saga Collection", parts: [{ id: 1 }, { id: 2 }] })),
          getCompany: (id) => ask(`company ${id}`, companyOf({ id, name: "Universal Pictures" })),
          getPerson: (id) => ask(`person ${id}`, personOf({ id, name: "Ann", gender: 1, birthday: "1980-02-29" })),
          getPersonChanges: () => Effect.succeed({ ids: [], adult: new Set<number>(), truncated: false })
        })))
      )
      expect(asked.sort()).toEqual(["collection 10", "company 33", "movie 1", "movie 2", "person 7"])
      expect(Object.fromEntries(Object.entries(summary.kinds).map(([kind, k]) => [kind, k.detailsFetched]))).toEqual({
        movie: 2,
        collection: 1,
        company: 1,
        person: 1
      })
    }))

  it.effect("apiKey(...) is credentials the real client sends, and never prints", () =>
    Effect.gen(function*() {
      const credentials = apiKey("s3cret-key")
      expect(String(credentials._tag === "ApiKey" ? credentials.key : "")).not.toContain("s3cret")
      expect(JSON.stringify(readAccessToken("t0ken"))).not.toContain("t0ken")
      const scripted = TmdbClientScripted(() => ({ status: 200, body: { id: 550, title: "Fight Club" } }), { credentials })
      const settings = yield* TmdbClient.pipe(
        Effect.tap((tmdb) => tmdb.getMovieDetails(550)),
        Effect.map((tmdb) => tmdb.settings),
        Effect.provide(scripted.layer)
      )
      expect(scripted.requests[0]?.url).toContain("api_key=s3cret-key")
      // The client's settings show everything but the credentials.
      expect(Object.keys(settings)).not.toContain("credentials")
      expect(JSON.stringify(settings)).not.toContain("s3cret")
    }))

  // A Promise resolved with a thenable waits for it: `then` must not be one of the dying methods.
  it("a Promise resolved with the fake client settles, and JSON can print it", async () => {
    const fake = Effect.runSync(TmdbClient.pipe(Effect.provide(TmdbClientTest({}))))
    expect((fake as unknown as Record<string, unknown>)["then"]).toBeUndefined()
    expect(await Promise.resolve(fake)).toBe(fake)
    expect(JSON.parse(JSON.stringify(fake))).toMatchObject({ settings: { baseUrl: "https://tmdb.test/3", requestsPerSecond: 4 } })
  })
})
