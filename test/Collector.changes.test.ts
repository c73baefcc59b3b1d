import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Collector } from "../services/Collector.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { ServerError } from "../src/Errors.js"
import { movieDetailsOf } from "../src/Movie.js"
import { CollectorTest, TmdbClientTest } from "../testing.js"

// How a run reads /movie/changes from its mark, in process: a fake client records the windows
// asked; TestClock sets "today" and never moves.

const TODAY = Date.parse("2026-06-30T12:00:00.000Z")
const day = (daysAgo: number) => new Date(TODAY - daysAgo * 86_400_000).toISOString().slice(0, 10)
type Window = { readonly startDate?: string | undefined; readonly endDate?: string | undefined }

/** A collector whose client lists `changed` for every window, or fails the window starting `failFrom`. */
const collector = (asked: Array<Window>, changed: ReadonlyArray<number>, failFrom?: string) =>
  CollectorTest(TmdbClientTest({
    getMovieDetails: (tmdbId) => Effect.succeed(movieDetailsOf({ tmdbId, title: `Movie ${tmdbId}` })),
    getMovieChanges: (window) => {
      asked.push(window)
      return window.startDate === failFrom
        ? Effect.fail(new ServerError({ path: "/movie/changes", status: 500, message: "HTTP 500" }))
        : Effect.succeed({ ids: [...changed], adult: new Set<number>() })
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
