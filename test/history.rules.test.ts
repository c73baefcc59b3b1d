import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { MovieRepositoryTest } from "../layers/TestSql.js"
import { type ExportEntry, MovieRepository } from "../services/MovieRepository.js"
import type { ExportLine } from "../src/Catalogue.js"
import { MIN_POPULARITY_CHANGE, PopularityThreshold } from "../src/MetricsHistory.js"
import { type DiscoveredMovie, movieDetailsOf } from "../src/Movie.js"

// README "History of popularity and votes" on SQLite, through the repository calls the collector
// makes: which observation adds a row to movie_metrics_history, and which adds none. Popularities
// below move by more than MIN_POPULARITY_CHANGE (10%) unless a test says otherwise.

const D1 = "2026-06-01T09:00:00.000Z"
const D2 = "2026-06-02T09:00:00.000Z"
const D3 = "2026-06-03T09:00:00.000Z"
const discovered = (id: number, over: Partial<DiscoveredMovie> = {}): DiscoveredMovie => ({
  tmdbId: id,
  title: `Movie ${id}`,
  releaseDate: "2024-05-01",
  voteAverage: 7,
  voteCount: 100,
  popularity: 10,
  ...over
})
const entry = (id: number, popularity: number, kept = true): ExportEntry<ExportLine> => ({
  line: { id, originalTitle: `Original ${id}`, popularity, adult: false, video: false },
  kept
})
const exported = (date: string, ...entries: Array<ExportEntry>) => Effect.flatMap(MovieRepository, (r) => r.storeExport(Stream.make(entries), date, D3))

const history = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`SELECT tmdb_id, observed_at, popularity, vote_count, vote_average, source FROM movie_metrics_history ORDER BY tmdb_id, observed_at`
)
const row = (tmdb_id: number, observed_at: string, popularity: number, vote_count: number | null, vote_average: number | null, source: string) => ({
  tmdb_id,
  observed_at,
  popularity,
  vote_count,
  vote_average,
  source
})

describe("movie_metrics_history", () => {
  it.effect("discover: the first sighting is a row, equal numbers add none, a vote that moved adds one", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.upsertDiscovered([discovered(1), discovered(2)], D1)
      yield* repo.upsertDiscovered([discovered(1), discovered(2, { voteCount: 101 })], D2)
      yield* repo.upsertDiscovered([discovered(1), discovered(2, { voteCount: 101, voteAverage: 7.1, popularity: 10.001 })], D3)
      expect(yield* history).toEqual([
        row(1, D1, 10, 100, 7, "discover"),
        row(2, D1, 10, 100, 7, "discover"),
        row(2, D2, 10, 101, 7, "discover"),
        row(2, D3, 10.001, 101, 7.1, "discover")
      ])
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("one row per movie and instant: a movie seen again at the same moment keeps the first, so the latest row is never a tie", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.upsertDiscovered([discovered(1)], D1)
      yield* repo.upsertDiscovered([discovered(1, { voteCount: 150, popularity: 40 })], D1)
      expect(yield* history).toEqual([row(1, D1, 10, 100, 7, "discover")])
      yield* repo.upsertDiscovered([discovered(1, { voteCount: 150, popularity: 40 })], D2)
      expect((yield* history).at(-1)).toEqual(row(1, D2, 40, 150, 7, "discover"))
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect(`popularity alone: a move under ${MIN_POPULARITY_CHANGE * 100}% of the latest row's adds no row, even as the moves add up; one over it does`, () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const seen = (popularity: number, at: string) => repo.upsertDiscovered([discovered(1, { popularity })], at)
      yield* seen(10, D1)
      yield* seen(10.9, D2)
      // 10.9 to 11.6 is under 10%, but 10 to 11.6 is over: the latest row is the measure.
      yield* seen(11.6, D3)
      yield* seen(10.5, "2026-06-04T09:00:00.000Z")
      expect((yield* history).map((r) => r.popularity)).toEqual([10, 11.6])
      // Without a threshold (the benchmark's comparison), any change is a row.
      yield* Effect.provideService(seen(10.501, "2026-06-05T09:00:00.000Z"), PopularityThreshold, 0)
      expect((yield* history).map((r) => r.popularity)).toEqual([10, 11.6, 10.501])
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect(`popularity alone: a move of exactly ${MIN_POPULARITY_CHANGE * 100}%, up or down, is a row`, () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.upsertDiscovered([discovered(1, { popularity: 10 }), discovered(2, { popularity: 20 })], D1)
      yield* repo.upsertDiscovered([discovered(1, { popularity: 11 }), discovered(2, { popularity: 18 })], D2)
      expect((yield* history).map((r) => [r.tmdb_id, r.popularity])).toEqual([[1, 10], [1, 11], [2, 20], [2, 18]])
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("details: a stored response is a row when its numbers moved; a failure adds none", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.upsertDiscovered([discovered(1)], D1)
      const fetched = movieDetailsOf({ tmdbId: 1, title: "One", voteAverage: 7, voteCount: 100, popularity: 10 })
      yield* repo.saveOutcomes([fetched], [{ tmdbId: 2, kind: "server", message: "500" }], D2)
      yield* repo.saveOutcomes([{ ...fetched, popularity: 12 }], [], D3)
      expect(yield* history).toEqual([row(1, D1, 10, 100, 7, "discover"), row(1, D3, 12, 100, 7, "details")])
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("export: popularity alone, the votes carried from the latest row (the movie's own without one); NULL equals NULL, and differs from a number", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.upsertDiscovered([discovered(1)], D1)
      yield* exported("2026-06-02", entry(1, 12), entry(2, 3))
      yield* exported("2026-06-03", entry(1, 12), entry(2, 3))
      // Votes where the latest row had none: a row, though popularity is the same.
      yield* repo.upsertDiscovered([discovered(2, { popularity: 3 })], D3)
      expect(yield* history).toEqual([
        row(1, D1, 10, 100, 7, "discover"),
        row(1, "2026-06-02T00:00:00.000Z", 12, 100, 7, "export"),
        row(2, "2026-06-02T00:00:00.000Z", 3, null, null, "export"),
        row(2, D3, 3, 100, 7, "discover")
      ])
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("export: a line the run does not keep adds a row only for a stored movie; an export older than the movie's numbers adds none", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const sql = yield* SqlClient.SqlClient
      yield* repo.upsertDiscovered([discovered(1), discovered(2)], D2)
      // As a store from before migration 6 holds them: movies with numbers and no row yet.
      yield* sql`DELETE FROM movie_metrics_history`
      // Today's export was made before the discover page at 09:00: its popularity is older.
      yield* exported("2026-06-02", entry(1, 50, false), entry(3, 50, false))
      expect(yield* history).toEqual([])
      yield* exported("2026-06-03", entry(1, 50, false), entry(3, 50, false))
      // Its votes are those `movies` holds: the store's latest, though no row had them.
      expect(yield* history).toEqual([row(1, "2026-06-03T00:00:00.000Z", 50, 100, 7, "export")])
      expect((yield* repo.getMovie(1))!.popularity).toBe(50)
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("--renormalize rewrites the numbers from the payloads and adds no row", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      // The body says 93.958 where the record stored said 1: the rebuild writes the body's.
      const body = fs.readFileSync(path.resolve(import.meta.dirname, "../sandbox/fixtures/movie-550-fight-club.json"), "utf8")
      yield* repo.saveOutcomes([movieDetailsOf({ tmdbId: 550, title: "Fight Club", popularity: 1, body })], [], D1)
      const before = yield* history
      expect((yield* repo.renormalize()).movies).toBe(1)
      expect((yield* repo.getMovie(550))!.popularity).toBe(93.958)
      expect(yield* history).toEqual(before)
      expect(before).toHaveLength(1)
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("a row is written with its observation or not at all: an export cut off halfway leaves neither, a history write that fails leaves no movie", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const sql = yield* SqlClient.SqlClient
      const broken = Stream.concat(Stream.make([entry(1, 5)], [entry(2, 5)]), Stream.fail("cut off"))
      expect(Exit.isFailure(yield* Effect.exit(repo.storeExport(broken, "2026-06-02", D2)))).toBe(true)
      expect([(yield* repo.counts).movies, yield* history]).toEqual([0, []])
      yield* sql`ALTER TABLE movie_metrics_history RENAME TO elsewhere`
      yield* sql`CREATE TABLE movie_metrics_history (tmdb_id INTEGER CHECK (tmdb_id < 0), observed_at TEXT, popularity REAL,
        vote_count INTEGER, vote_average REAL, source TEXT)`
      expect(Exit.isFailure(yield* Effect.exit(repo.upsertDiscovered([discovered(1)], D1)))).toBe(true)
      expect(Exit.isFailure(yield* Effect.exit(repo.saveOutcomes([movieDetailsOf({ tmdbId: 1 })], [], D1)))).toBe(true)
      expect((yield* repo.counts).movies).toBe(0)
    }).pipe(Effect.provide(MovieRepositoryTest)))
})
