import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import { MovieRepositoryTest } from "../layers/TestSql.js"
import { type ExportEntry, MovieRepository } from "../services/MovieRepository.js"
import type { ExportLine } from "../src/Catalogue.js"
import { movieDetailsOf } from "../src/Movie.js"

// The whole-catalogue side of the repository, on an in-memory database: the export, the
// changes marks, removals, and which movie the selection chooses, once each.

const T0 = "2026-06-01T00:00:00.000Z"
const T1 = "2026-06-02T10:00:00.000Z"
const T2 = "2026-06-03T10:00:00.000Z"
const line = (id: number, over: Partial<ExportLine> = {}): ExportLine => ({
  id,
  originalTitle: `Original ${id}`,
  popularity: 5,
  adult: false,
  video: false,
  ...over
})
const entry = (id: number, kept = true, over: Partial<ExportLine> = {}): ExportEntry => ({ line: line(id, over), kept })
const details = (id: number) => movieDetailsOf({ tmdbId: id, title: `Movie ${id}`, voteCount: 10, popularity: 1 })
const slices = (...groups: Array<Array<ExportEntry>>) => Stream.fromIterable(groups)
const policy = { staleBefore: "2026-01-01", recentReleasedAfter: "9999-01-01", recentStaleBefore: "2026-01-01" }

describe("MovieRepository: the whole catalogue", () => {
  it.effect("an export adds the kept movies new to the store; for stored ones, kept or not, it refreshes popularity and never details", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.saveOutcomes([details(1)], [], T0)
      const added = yield* repo.storeExport(
        slices([entry(1, false, { popularity: 77 }), entry(2)], [entry(3, false), entry(4, true, { adult: true })]),
        "2026-06-02",
        T1
      )
      expect(added).toBe(2)
      const one = (yield* repo.getMovie(1))!
      expect([one.title, one.popularity, one.vote_count, one.exported_on, one.details_fetched_at]).toEqual(["Movie 1", 77, 10, "2026-06-02", T0])
      const two = (yield* repo.getMovie(2))!
      expect([two.title, two.original_title, two.popularity, two.adult, two.video, two.details_fetched_at, two.discovered_at]).toEqual([
        "Original 2",
        "Original 2",
        5,
        false,
        false,
        null,
        T1
      ])
      expect(yield* repo.getMovie(3)).toBeUndefined()
      expect((yield* repo.getMovie(4))!.adult).toBe(true)
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("an export cut off halfway leaves the store as it was", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const broken = Stream.concat(slices([entry(1), entry(2)]), Stream.fail("cut off"))
      expect(Exit.isFailure(yield* Effect.exit(repo.storeExport(broken, "2026-06-02", T1)))).toBe(true)
      expect(yield* repo.counts).toEqual({ movies: 0, with_details: 0, failures: 0 })
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("a 404 marks a stored movie removed the first time, keeping it; a fresh response clears the mark", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.saveOutcomes([details(1), details(2)], [], T0)
      expect(yield* repo.saveOutcomes([], [{ tmdbId: 1, kind: "not_found", message: "404" }, { tmdbId: 2, kind: "server", message: "500" }], T1))
        .toEqual({ removed: 1, restored: 0 })
      yield* repo.saveOutcomes([], [{ tmdbId: 1, kind: "not_found", message: "404" }], T2)
      const gone = (yield* repo.getMovie(1))!
      expect([gone.removed_at, gone.title, gone.details_fetched_at]).toEqual([T1, "Movie 1", T0])
      expect((yield* repo.getMovie(2))!.removed_at).toBeNull()
      expect(yield* repo.saveOutcomes([details(1)], [], T2)).toEqual({ removed: 0, restored: 1 })
      expect((yield* repo.getMovie(1))!.removed_at).toBeNull()
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("changes mark stored movies only, a later mark wins, and a movie fetched after its mark is not chosen", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.saveOutcomes([details(1), details(2)], [], T0)
      expect([...(yield* repo.recordChanges([1, 2, 9], T1))].sort()).toEqual([1, 2])
      yield* repo.recordChanges([1], T0)
      expect((yield* repo.getMovie(1))!.changed_at).toBe(T1)
      expect(yield* repo.selectForDetails(policy)).toEqual([1, 2])
      yield* repo.saveOutcomes([details(1)], [], T2)
      expect(yield* repo.selectForDetails(policy)).toEqual([2])
      yield* repo.setMark("changes", "2026-06-02", T1)
      yield* repo.setMark("changes", "2026-06-03", T2)
      expect(yield* repo.getMark("changes")).toBe("2026-06-03")
      expect(yield* repo.getMark("other")).toBeUndefined()
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("each movie is chosen once, in order: never fetched, changed, transient failure, missing from the export (once), stale", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      // 1 changed, 2 transient failure and changed before it failed, 3 missing from the export,
      // 4 stale, 5 fresh and listed, 6 never fetched.
      yield* repo.saveOutcomes([1, 2, 3, 5].map(details), [], "2026-05-01T00:00:00.000Z")
      yield* repo.saveOutcomes([details(4)], [], "2025-12-01T00:00:00.000Z")
      yield* repo.storeExport(slices([entry(1), entry(2), entry(3), entry(4), entry(5), entry(6)]), "2026-05-01", T0)
      yield* repo.recordChanges([1, 2], T0)
      yield* repo.saveOutcomes([], [{ tmdbId: 2, kind: "timeout", message: "slow" }], T1)
      yield* repo.storeExport(slices([entry(1), entry(2), entry(4), entry(5), entry(6)]), "2026-06-02", T1)
      const withExport = { ...policy, exportDate: "2026-06-02" }
      expect(yield* repo.selectForDetails(withExport)).toEqual([6, 1, 2, 3, 4])
      expect(yield* repo.selectForDetails(policy)).toEqual([6, 1, 2, 4])
      expect(yield* repo.selectForDetails({ ...withExport, limit: 2 })).toEqual([6, 1])
      // Checked once: fetched after it left the export, it waits for the stale horizon.
      yield* repo.saveOutcomes([details(3)], [], T2)
      yield* repo.storeExport(slices([entry(1), entry(2), entry(4), entry(5), entry(6)]), "2026-06-04", T2)
      expect(yield* repo.selectForDetails({ ...withExport, exportDate: "2026-06-04" })).toEqual([6, 1, 2, 4])
    }).pipe(Effect.provide(MovieRepositoryTest)))
})
