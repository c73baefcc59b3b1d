import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Stream, TestClock } from "effect"
import { Collector } from "../services/Collector.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { TmdbExports } from "../services/TmdbExports.js"
import { exportFileName } from "../src/Catalogue.js"
import { decodeChangesPage } from "../src/Decode.js"
import { ServerError } from "../src/Errors.js"
import { movieDetailsOf } from "../src/Movie.js"
import { CollectorTest, TmdbClientTest } from "../testing.js"

// How a run reads /movie/changes from its mark, in process: a fake client records the windows
// asked; TestClock sets "today" and never moves.

const TODAY = Date.parse("2026-06-30T12:00:00.000Z")
const day = (daysAgo: number) => new Date(TODAY - daysAgo * 86_400_000).toISOString().slice(0, 10)
type Window = { readonly startDate?: string | undefined; readonly endDate?: string | undefined }

/** A collector whose client lists `changed` for every window, or fails the window starting `failFrom`. */
const collector = (asked: Array<Window>, changed: ReadonlyArray<number>, failFrom?: string, truncatedOver = false) =>
  CollectorTest(TmdbClientTest({
    getMovieDetails: (tmdbId) => Effect.succeed(movieDetailsOf({ tmdbId, title: `Movie ${tmdbId}` })),
    getMovieChanges: (window) => {
      asked.push(window)
      return window.startDate === failFrom
        ? Effect.fail(new ServerError({ path: "/movie/changes", status: 500, message: "HTTP 500" }))
        : Effect.succeed({ ids: [...changed], adult: new Set<number>(), truncated: window.startDate !== window.endDate && truncatedOver })
    }
  }))

const run = Collector.run({ startYear: 2026, skipDiscovery: true, append: [] })

/** Three stored movies fetched 10 days ago, and the changes mark. */
const store = (mark: string) =>
  Effect.gen(function*() {
    const repo = yield* MovieRepository
    yield* repo.saveOutcomes([1, 2, 3].map((tmdbId) => movieDetailsOf({ tmdbId, title: `Movie ${tmdbId}` })), [], day(10) + "T00:00:00.000Z")
    yield* repo.setMark("changes", mark, day(10) + "T00:00:00.000Z")
  })

describe("Collector: /movie/changes from the mark", () => {
  it.effect("from a mark 30 days back: windows of at most 14 days, every day read, the mark's own day included; the mark moves to today", () => {
    const asked: Array<Window> = []
    return Effect.gen(function*() {
      yield* TestClock.setTime(TODAY)
      yield* store(day(30))
      const summary = yield* run
      expect(asked).toEqual([
        { startDate: day(30), endDate: day(17) },
        { startDate: day(16), endDate: day(3) },
        { startDate: day(2), endDate: day(0) }
      ])
      expect(summary.changes).toEqual(expect.objectContaining({ status: "read", from: day(30), to: day(0), windows: 3, listed: 2, stored: 1 }))
      // Movie 2 changed; 99 is not stored and year mode leaves it to discovery.
      expect(summary.detailsChosen).toBe(1)
      expect(yield* Effect.flatMap(MovieRepository, (r) => r.getMark("changes"))).toBe(day(0))
    }).pipe(Effect.provide(collector(asked, [2, 99])))
  })

  it.effect("a failed window leaves the mark and makes the run incomplete; what was read is still fetched", () => {
    const asked: Array<Window> = []
    return Effect.gen(function*() {
      yield* TestClock.setTime(TODAY)
      yield* store(day(20))
      const summary = yield* run
      expect(asked.map((w) => w.startDate)).toEqual([day(20), day(6)])
      expect(summary.changes).toEqual(expect.objectContaining({ status: "failed", failure: expect.objectContaining({ from: day(6), kind: "server" }) }))
      expect(summary.complete).toBe(false)
      expect(summary.detailsFetched).toBe(1)
      expect(yield* Effect.flatMap(MovieRepository, (r) => r.getMark("changes"))).toBe(day(20))
    }).pipe(Effect.provide(collector(asked, [3], day(6))))
  })

  it.effect("a mark older than 90 days is not read back: the age-based refresh covers the gap, and the mark restarts today", () => {
    const asked: Array<Window> = []
    return Effect.gen(function*() {
      yield* TestClock.setTime(TODAY)
      yield* store(day(91))
      const summary = yield* run
      expect(asked).toEqual([])
      expect(summary.changes.status).toBe("too-old")
      expect(yield* Effect.flatMap(MovieRepository, (r) => r.getMark("changes"))).toBe(day(0))
    }).pipe(Effect.provide(collector(asked, [1])))
  })

  it.effect("the first run reads no changes and sets the mark to today", () => {
    const asked: Array<Window> = []
    return Effect.gen(function*() {
      yield* TestClock.setTime(TODAY)
      const summary = yield* run
      expect([asked, summary.changes.status]).toEqual([[], "first-run"])
      expect(yield* Effect.flatMap(MovieRepository, (r) => r.getMark("changes"))).toBe(day(0))
    }).pipe(Effect.provide(collector(asked, [1])))
  })
})

describe("Collector: changes, the hard cases", () => {
  it.effect("a window with more changes than TMDB pages through is read again a day at a time", () => {
    const asked: Array<Window> = []
    return Effect.gen(function*() {
      yield* TestClock.setTime(TODAY)
      yield* store(day(3))
      const summary = yield* run
      expect(asked.map((w) => `${w.startDate}..${w.endDate}`)).toEqual([
        `${day(3)}..${day(0)}`,
        ...[3, 2, 1, 0].map((d) => `${day(d)}..${day(d)}`)
      ])
      expect(summary.changes).toEqual(expect.objectContaining({ status: "read", windows: 4 }))
    }).pipe(Effect.provide(collector(asked, [2], undefined, true)))
  })

  it("an item with a null id (TMDB has sent them) is skipped, not a failed page", () => {
    const page = { page: 1, total_pages: 1, total_results: 3, results: [{ id: 5, adult: false }, { id: null, adult: null }, { id: 7, adult: true }] }
    expect(decodeChangesPage(page)).toEqual(Either.right({ ids: [5, 7], adultIds: [7], totalPages: 1 }))
  })

  it.effect("a store with details and no mark yet (written before changes were read) reads from its oldest details", () => {
    const asked: Array<Window> = []
    return Effect.gen(function*() {
      yield* TestClock.setTime(TODAY)
      const repo = yield* MovieRepository
      yield* repo.saveOutcomes([movieDetailsOf({ tmdbId: 1, title: "One" })], [], day(40) + "T08:00:00.000Z")
      yield* repo.saveOutcomes([movieDetailsOf({ tmdbId: 2, title: "Two" })], [], day(5) + "T08:00:00.000Z")
      const summary = yield* run
      expect(asked[0]?.startDate).toBe(day(40))
      expect(summary.changes).toEqual(expect.objectContaining({ status: "read", from: day(40), stored: 1 }))
    }).pipe(Effect.provide(collector(asked, [1])))
  })

  it.effect("all: a movie new since the export is fetched once; kept only if the filters would keep it", () => {
    const calls = new Map<number, number>()
    const date = day(0)
    const exportsLayer = Layer.succeed(
      TmdbExports,
      TmdbExports.make({
        filesUrl: "https://files.test",
        filesUrlChosen: true,
        fileName: exportFileName,
        locate: () => Effect.succeed(date),
        lines: () => Stream.die("the Collector reads exports through read"),
        read: <L>(stem: string, _date: string, parse: (text: string) => Either.Either<L, string>) =>
          Stream.fromIterable(stem === "movie_ids" ? [1, 2] : []).pipe(
            Stream.map((id) => ({ _tag: "Line" as const, line: Either.getOrThrow(parse(JSON.stringify({ id, original_title: `M${id}`, popularity: 5 }))) }))
          )
      })
    )
    const client = TmdbClientTest({
      getMovieDetails: (tmdbId) => {
        calls.set(tmdbId, (calls.get(tmdbId) ?? 0) + 1)
        return tmdbId === 4
          ? Effect.fail(new ServerError({ path: "/movie/4", status: 500, message: "HTTP 500" }))
          : Effect.succeed(movieDetailsOf({ tmdbId, title: `Movie ${tmdbId}`, video: tmdbId === 3 }))
      },
      getMovieChanges: () => Effect.succeed({ ids: [2, 3, 4, 6], adult: new Set([6]), truncated: false })
    })
    return Effect.gen(function*() {
      yield* TestClock.setTime(TODAY)
      const summary = yield* Collector.run({ all: true, append: [] })
      const repo = yield* MovieRepository
      // 3 is a "video" release, left out as the export's line would be; 6 is adult and not asked for.
      expect([...calls.entries()].sort()).toEqual([[1, 1], [2, 1], [3, 1], [4, 1]])
      expect(yield* repo.getMovie(3)).toBeUndefined()
      expect(summary.changes).toEqual(expect.objectContaining({ status: "read", new: 2 }))
      expect(summary.failed).toEqual({ server: 1 })
    }).pipe(Effect.provide(CollectorTest(client).pipe(Layer.provide(exportsLayer))))
  })
})
