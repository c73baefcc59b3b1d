import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Either, Exit, Fiber, Option, Ref, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Collector } from "../services/Collector.js"
import { MovieRepository } from "../services/MovieRepository.js"
import type { TmdbClient } from "../services/TmdbClient.js"
import { decodeMovieDetails } from "../src/Decode.js"
import type { DiscoverEvent } from "../src/Discover.js"
import { NotFoundError, ServerError, type TmdbError, UnauthorizedError } from "../src/Errors.js"
import type { DiscoveredMovie, MovieDetails } from "../src/Movie.js"
import { movieKind } from "../src/MovieKind.js"
import { recordKind } from "../src/RecordKind.js"
import { yearWindow } from "../src/Windows.js"
import { CollectorTest, companyOf, TmdbClientTest } from "../testing.js"

// The workflow in process, over the test layers users get: a fake TmdbClient, an in-memory
// repository. No subprocess, no network, no disk; nothing here sleeps, so TestClock never moves.

const fightClub = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../sandbox/fixtures/movie-550-fight-club.json"), "utf8"))
const details = (id: number): MovieDetails => Either.getOrThrow(decodeMovieDetails({ ...fightClub, id, title: `Movie ${id}` }))
const discovered = (id: number): DiscoveredMovie => ({
  tmdbId: id,
  title: `Movie ${id}`,
  releaseDate: "2024-05-01",
  voteAverage: 7,
  voteCount: 500,
  popularity: 10
})
const page = (ids: ReadonlyArray<number>, n = 1): DiscoverEvent => ({
  _tag: "Page",
  year: 2024,
  window: yearWindow(2024),
  page: n,
  totalPages: 2,
  totalResults: 40,
  movies: ids.map(discovered),
  invalid: []
})
const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i)
const options = { startYear: 2024, endYear: 2024 }

/** A fake client that lists `events` and answers details with `answer`. */
const client = (
  events: ReadonlyArray<DiscoverEvent>,
  answer: (id: number) => Effect.Effect<MovieDetails, TmdbError>
): Partial<TmdbClient> => ({
  discoverMoviesStream: () => Stream.fromIterable(events),
  getMovieDetails: (id) => answer(id),
  // Fight Club's companies, each one request: the run keeps the companies its movies name.
  getCompany: (id) => Effect.succeed(companyOf({ id, name: `Company ${id}` }))
})

const runStatuses = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => Effect.map(sql<{ status: string }>`SELECT status FROM collection_runs ORDER BY id`, (rows) => rows.map((r) => r.status))
)

const failureTag = (exit: Exit.Exit<unknown, { readonly _tag: string }>) =>
  Exit.isFailure(exit) ? Option.match(Cause.failureOption(exit.cause), { onNone: () => "defect", onSome: (e) => e._tag }) : "success"

const stored = Effect.gen(function*() {
  const repo = yield* MovieRepository
  return yield* repo.selectForDetails({ staleBefore: "1970-01-01", recentReleasedAfter: "9999-01-01", recentStaleBefore: "1970-01-01" })
})

describe("Collector, in process", () => {
  it.effect("a clean run stores every movie with details, and the summary and run say complete", () =>
    Effect.gen(function*() {
      const summary = yield* Collector.run(options)
      expect(summary).toEqual(expect.objectContaining({ discovered: 40, new: 40, detailsChosen: 40, detailsFetched: 40, complete: true }))
      // The companies the 40 movies name (the same few), each fetched once; no collection is named.
      const companies = fightClub.production_companies.length
      expect(summary.kinds["company"]).toEqual(expect.objectContaining({ new: companies, detailsChosen: companies, detailsFetched: companies }))
      expect(summary.kinds["collection"]).toEqual(expect.objectContaining({ new: 0, detailsChosen: 0 }))
      expect(yield* runStatuses).toEqual(["complete"])
      // Nothing is left to fetch: every movie has its details.
      expect(yield* stored).toEqual([])
    }).pipe(Effect.provide(CollectorTest(TmdbClientTest(client([page(ids(1, 20)), page(ids(21, 20), 2)], (id) => Effect.succeed(details(id))))))))

  it.effect("per-item failures are recorded by kind and never abort the batch", () =>
    Effect.gen(function*() {
      const summary = yield* Collector.run(options)
      expect(summary.detailsFetched).toBe(16)
      expect(summary.failed).toEqual({ not_found: 2, server: 2 })
      expect(summary.complete).toBe(true)
    }).pipe(Effect.provide(CollectorTest(TmdbClientTest(client([page(ids(1, 20))], (id) =>
      id % 10 === 3
        ? Effect.fail(new NotFoundError({ path: `/movie/${id}`, message: "gone" }))
        : id % 10 === 7
        ? Effect.fail(new ServerError({ path: `/movie/${id}`, status: 500, message: "boom" }))
        : Effect.succeed(details(id))))))))

  it.effect("a discover page that failed makes the run incomplete; what was listed is still fetched", () =>
    Effect.gen(function*() {
      const summary = yield* Collector.run(options)
      expect(summary.complete).toBe(false)
      expect(summary.discoveryFailures).toEqual([expect.objectContaining({ page: 2, kind: "server" })])
      expect(yield* runStatuses).toEqual(["incomplete"])
      expect(summary.detailsFetched).toBe(20)
    }).pipe(Effect.provide(CollectorTest(TmdbClientTest(client([
      page(ids(1, 20)),
      { _tag: "PageFailed", year: 2024, window: yearWindow(2024), page: 2, error: new ServerError({ path: "/discover/movie", status: 503, message: "down" }) }
    ], (id) => Effect.succeed(details(id))))))))

  it.effect("a window that listed fewer movies than it holds makes the run incomplete, with the count", () =>
    Effect.gen(function*() {
      const summary = yield* Collector.run(options)
      expect(summary.complete).toBe(false)
      expect(summary.missing).toBe(3)
    }).pipe(Effect.provide(CollectorTest(TmdbClientTest(client([
      page(ids(1, 17)),
      { _tag: "Incomplete", year: 2024, window: yearWindow(2024), totalResults: 20, found: 17, missing: 3 }
    ], (id) => Effect.succeed(details(id))))))))

  it.effect("a rejected key stops the run at once: no detail request after the 401, finished work kept", () => {
    const asked = Ref.unsafeMake(0)
    return Effect.gen(function*() {
      const exit = yield* Effect.exit(Collector.run(options))
      expect(failureTag(exit)).toBe("UnauthorizedError")
      expect(yield* runStatuses).toEqual(["failed"])
      // Ids are fetched 10 at a time; the 401 on id 5 stops the rest of the 200 from being asked.
      expect(yield* Ref.get(asked)).toBeLessThanOrEqual(20)
      const left = yield* stored
      expect(left.length).toBeGreaterThan(150)
      expect(left.length).toBeLessThan(200)
    }).pipe(Effect.provide(CollectorTest(TmdbClientTest(client(
      Array.from({ length: 10 }, (_, p) => page(ids(1 + p * 20, 20), p + 1)),
      (id) =>
        Effect.zipRight(
          Ref.update(asked, (n) => n + 1),
          id === 5 ? Effect.fail(new UnauthorizedError({ path: `/movie/${id}`, message: "Invalid API key" })) : Effect.succeed(details(id))
        )
    )))))
  })

  it.effect("an interrupt keeps every movie that finished; the run is marked interrupted", () =>
    Effect.gen(function*() {
      const halfway = yield* Deferred.make<void>()
      let done = 0
      const layer = CollectorTest(TmdbClientTest(client([page(ids(1, 20)), page(ids(21, 20), 2)], (id) =>
        id <= 10
          ? Effect.succeed(details(id)).pipe(Effect.tap(() => (++done === 10 ? Deferred.succeed(halfway, undefined) : Effect.void)))
          : Effect.never)))
      yield* Effect.gen(function*() {
        const fiber = yield* Effect.fork(Collector.run(options))
        yield* Deferred.await(halfway)
        // Let the writer drain what finished before the interrupt arrives.
        yield* Effect.yieldNow({ priority: 1 })
        yield* Fiber.interrupt(fiber)
        const left = yield* stored
        // The ten that answered are stored with details; only the thirty that hung remain.
        expect(left.length).toBe(30)
        expect(left.every((id) => id > 10)).toBe(true)
        expect(yield* runStatuses).toEqual(["interrupted"])
      }).pipe(Effect.provide(layer))
    }))
})

describe("Collector, the kinds of a run", () => {
  it.effect("no kind, or one kind twice: a ConfigError naming kinds, before the run is recorded", () =>
    Effect.gen(function*() {
      for (const kinds of [[], [movieKind, movieKind]]) {
        const exit = yield* Effect.exit(Collector.run({ ...options, kinds }))
        expect(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "succeeded").toMatch(/kinds must list at least one kind, each once/)
      }
      expect(yield* runStatuses).toEqual([])
    }).pipe(Effect.provide(CollectorTest(TmdbClientTest({})))))

  it.effect("kinds without movies, by years: refused, as discover lists movies only", () =>
    Effect.gen(function*() {
      const toys = recordKind({ ...movieKind, name: "toy", marks: undefined, units: undefined })
      const exit = yield* Effect.exit(Collector.run({ ...options, kinds: [toys] }))
      expect(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "succeeded").toMatch(/kinds without movies need all: discover lists movies only/)
      expect(yield* runStatuses).toEqual([])
    }).pipe(Effect.provide(CollectorTest(TmdbClientTest({})))))
})

// The fake client also dies loudly on a method the test did not give it.
describe("TmdbClientTest", () => {
  it.effect("a method the fake does not implement dies with its name", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.flatMap(Collector, (c) => c.run(options)))
      expect(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "succeeded").toContain("TmdbClientTest: discoverMoviesStream is not implemented")
    }).pipe(Effect.provide(CollectorTest(TmdbClientTest({})))))
})
