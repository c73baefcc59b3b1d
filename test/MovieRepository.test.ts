import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Exit, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { SqlLive } from "../layers/Sql.js"
import { MovieRepositoryTest } from "../layers/TestSql.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { type DiscoveredMovie, type MovieDetails, movieDetailsOf } from "../src/Movie.js"

const tmpDb = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "repo-")), "sub", "movies.sqlite")
const repoLayer = (file: string) => MovieRepository.Default.pipe(Layer.provide(SqlLive(file)))
const withRepo = <A, E>(file: string, f: (repo: MovieRepository) => Effect.Effect<A, E>) =>
  Effect.flatMap(MovieRepository, f).pipe(Effect.provide(repoLayer(file)))

const discovered = (id: number, over: Partial<DiscoveredMovie> = {}): DiscoveredMovie => ({
  tmdbId: id,
  title: `Movie ${id}`,
  releaseDate: "2024-05-01",
  voteAverage: 6.5,
  voteCount: 300,
  popularity: 12.5,
  ...over
})

const details = (id: number, over: Partial<MovieDetails> = {}): MovieDetails =>
  movieDetailsOf({
    tmdbId: id,
    imdbId: `tt${id}`,
    title: `Movie ${id} (details)`,
    originalTitle: "Original \u202eRTL \u{1F3AC} 'quote\"",
    releaseDate: "2024-05-01",
    runtime: 101,
    budget: null,
    revenue: 5_000_000_000,
    genres: [{ id: 18, name: "Drama" }, { id: 35, name: "Comedy" }],
    productionCompanies: [],
    overview: "Robert'); DROP TABLE movies;--",
    voteAverage: 7.1,
    voteCount: 1234,
    popularity: 0,
    appended: {},
    ...over
  })

describe("MovieRepository", () => {
  it.effect("creates the folder and the public schema", () =>
    Effect.gen(function*() {
      const file = tmpDb()
      yield* withRepo(file, (r) => r.counts)
      const db = new Database(file, { readonly: true })
      const columns = (t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string }>).map((c) => c.name)
      expect(columns("movies")).toEqual([
        "tmdb_id",
        "imdb_id",
        "title",
        "original_title",
        "release_date",
        "runtime",
        "budget",
        "revenue",
        "genres",
        "production_companies",
        "overview",
        "vote_average",
        "vote_count",
        "popularity",
        "discovered_at",
        "details_fetched_at",
        "original_language",
        "status",
        "tagline",
        "homepage",
        "adult",
        "video",
        "poster_path",
        "backdrop_path",
        "collection_id",
        "collection_name",
        "production_countries",
        "spoken_languages",
        "wikidata_id",
        "votes_at",
        "removed_at",
        "exported_on",
        "changed_at"
      ])
      expect(columns("movie_cast")).toEqual(["tmdb_id", "person_id", "name", "character", "ord", "credit_id", "gender", "cast_id"])
      expect(columns("movie_crew")).toEqual(["tmdb_id", "person_id", "name", "department", "job", "credit_id", "gender", "ord"])
      expect(columns("movie_payloads")).toEqual(["tmdb_id", "fetched_at", "body", "encoding", "append"])
      expect(columns("fetch_failures")).toEqual(["tmdb_id", "kind", "message", "attempts", "last_attempt_at"])
      expect(columns("collection_runs")).toEqual(expect.arrayContaining(["started_at", "finished_at", "options", "summary"]))
      expect((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal")
      db.close()
    }))

  it.effect("stores details exactly (unicode, quotes, SQL-looking text, big numbers, nulls) and round-trips them", () =>
    Effect.gen(function*() {
      const file = tmpDb()
      const row = yield* withRepo(file, (r) => Effect.zipRight(r.saveOutcomes([details(7)], [], "2026-01-01T00:00:00.000Z"), r.getMovie(7)))
      expect(row).toEqual({
        tmdb_id: 7,
        imdb_id: "tt7",
        title: "Movie 7 (details)",
        original_title: "Original \u202eRTL \u{1F3AC} 'quote\"",
        release_date: "2024-05-01",
        runtime: 101,
        budget: null,
        revenue: 5_000_000_000,
        genres: ["Drama", "Comedy"],
        production_companies: [],
        overview: "Robert'); DROP TABLE movies;--",
        vote_average: 7.1,
        vote_count: 1234,
        popularity: 0,
        discovered_at: "2026-01-01T00:00:00.000Z",
        details_fetched_at: "2026-01-01T00:00:00.000Z",
        original_language: null,
        status: null,
        tagline: null,
        homepage: null,
        adult: null,
        video: null,
        poster_path: null,
        backdrop_path: null,
        collection_id: null,
        collection_name: null,
        production_countries: [],
        spoken_languages: [],
        wikidata_id: null,
        votes_at: "2026-01-01T00:00:00.000Z",
        removed_at: null,
        exported_on: null,
        changed_at: null
      })
    }))

  it.effect("storing discover results never erases stored details but refreshes their votes, and counts only new movies", () =>
    Effect.gen(function*() {
      const file = tmpDb()
      yield* withRepo(file, (r) =>
        Effect.gen(function*() {
          expect(yield* r.upsertDiscovered([discovered(1), discovered(2)], "2026-01-01T00:00:00.000Z")).toBe(2)
          yield* r.saveOutcomes([details(1)], [], "2026-01-02T00:00:00.000Z")
          expect(
            yield* r.upsertDiscovered(
              [discovered(1, { title: "changed", voteCount: 999 }), discovered(2, { voteCount: 555 }), discovered(3)],
              "2026-01-03T00:00:00.000Z"
            )
          ).toBe(1)
          const one = (yield* r.getMovie(1))!
          expect(one.title).toBe("Movie 1 (details)")
          expect(one.vote_count).toBe(999)
          expect(one.votes_at).toBe("2026-01-03T00:00:00.000Z")
          expect(one.details_fetched_at).toBe("2026-01-02T00:00:00.000Z")
          expect((yield* r.getMovie(2))!.vote_count).toBe(555)
          expect((yield* r.getMovie(2))!.discovered_at).toBe("2026-01-01T00:00:00.000Z")
        }))
    }))

  it.effect("failures accumulate attempts, keep stored details, and are removed by a later success", () =>
    Effect.gen(function*() {
      const file = tmpDb()
      yield* withRepo(file, (r) =>
        Effect.gen(function*() {
          yield* r.upsertDiscovered([discovered(1), discovered(2)], "2026-01-01T00:00:00.000Z")
          yield* r.saveOutcomes([details(2)], [{ tmdbId: 1, kind: "timeout", message: "slow" }], "2026-01-01T00:00:00.000Z")
          yield* r.saveOutcomes([], [{ tmdbId: 1, kind: "server", message: "500" }, { tmdbId: 2, kind: "server", message: "500" }], "2026-01-02T00:00:00.000Z")
          expect(yield* r.failures).toEqual([
            { tmdb_id: 1, kind: "server", message: "500", attempts: 2 },
            { tmdb_id: 2, kind: "server", message: "500", attempts: 1 }
          ])
          expect((yield* r.getMovie(2))!.title).toBe("Movie 2 (details)")
          yield* r.saveOutcomes([details(1)], [], "2026-01-03T00:00:00.000Z")
          expect((yield* r.failures).map((f) => f.tmdb_id)).toEqual([2])
        }))
    }))

  it.effect("chooses never fetched, then transient failures, then stale; permanent failures wait; limit applies", () =>
    Effect.gen(function*() {
      const file = tmpDb()
      yield* withRepo(file, (r) =>
        Effect.gen(function*() {
          yield* r.upsertDiscovered([1, 2, 3, 4, 5, 6, 7, 8].map((id) => discovered(id, { releaseDate: "2020-01-01" })), "2026-01-01T00:00:00.000Z")
          yield* r.saveOutcomes(
            [details(3, { releaseDate: "2020-01-01" }), details(4, { releaseDate: "2020-01-01" }), details(7, { releaseDate: "2026-05-01" })],
            [{ tmdbId: 5, kind: "rate_limited", message: "429" }, { tmdbId: 6, kind: "not_found", message: "gone" }],
            "2026-05-10T00:00:00.000Z"
          )
          yield* r.saveOutcomes([details(4, { releaseDate: "2020-01-01" })], [], "2026-06-20T00:00:00.000Z")
          const policy = {
            staleBefore: "2026-06-01T00:00:00.000Z",
            recentReleasedAfter: "2026-04-01",
            recentStaleBefore: "2026-06-14T00:00:00.000Z"
          }
          // 1, 2, 8: never fetched. 5: transient. 3: stale; 6: permanent, failed before the horizon; 7: recent
          // release fetched before the short horizon. 4: fresh.
          expect(yield* r.selectForDetails(policy)).toEqual([1, 2, 8, 5, 3, 6, 7])
          expect(yield* r.selectForDetails({ ...policy, limit: 4 })).toEqual([1, 2, 8, 5])
          expect(yield* r.selectForDetails({ ...policy, staleBefore: "2026-01-01T00:00:00.000Z", recentStaleBefore: "2026-01-01T00:00:00.000Z" })).toEqual([
            1,
            2,
            8,
            5
          ])
        }))
    }))

  it.effect("reopening runs no migration twice and keeps the data", () =>
    Effect.gen(function*() {
      const file = tmpDb()
      yield* withRepo(file, (r) => r.upsertDiscovered([discovered(1)], "2026-01-01T00:00:00.000Z"))
      const counts = yield* withRepo(file, (r) => r.counts)
      expect(counts).toEqual({ movies: 1, with_details: 0, failures: 0 })
    }))

  describe("MovieRepositoryTest: in memory, migrated", () => {
    it.effect("stores a movie and selects it back", () =>
      Effect.gen(function*() {
        const r = yield* MovieRepository
        yield* r.upsertDiscovered([discovered(1), discovered(2)], "2026-01-01T00:00:00.000Z")
        yield* r.saveOutcomes([details(2)], [], "2026-01-01T00:00:00.000Z")
        expect((yield* r.getMovie(2))?.genres).toEqual(["Drama", "Comedy"])
        expect(yield* r.selectForDetails({ staleBefore: "2025-01-01", recentReleasedAfter: "2026-01-01", recentStaleBefore: "2025-01-01" }))
          .toEqual([1])
      }).pipe(Effect.provide(MovieRepositoryTest)))

    it.effect("each build is a new database", () =>
      Effect.map(Effect.flatMap(MovieRepository, (r) => r.counts), (counts) => expect(counts.movies).toBe(0)).pipe(
        Effect.provide(MovieRepositoryTest)
      ))

    it.effect("a new run abandons one left running; a finished run keeps its status and JSON summary", () =>
      Effect.gen(function*() {
        const r = yield* MovieRepository
        const sql = yield* SqlClient.SqlClient
        yield* r.startRun({ limit: 1 }, "2026-01-01T00:00:00.000Z")
        const failed = yield* r.startRun({}, "2026-01-02T00:00:00.000Z")
        yield* r.finishRun(failed, "failed", null, "2026-01-02T00:01:00.000Z")
        const done = yield* r.startRun({}, "2026-01-03T00:00:00.000Z")
        yield* r.finishRun(done, "complete", { complete: true }, "2026-01-03T00:01:00.000Z")
        expect(yield* sql`SELECT status, options, summary, finished_at FROM collection_runs ORDER BY id`).toEqual([
          { status: "abandoned", options: "{\"limit\":1}", summary: null, finished_at: null },
          { status: "failed", options: "{}", summary: "null", finished_at: "2026-01-02T00:01:00.000Z" },
          { status: "complete", options: "{}", summary: "{\"complete\":true}", finished_at: "2026-01-03T00:01:00.000Z" }
        ])
      }).pipe(Effect.provide(MovieRepositoryTest)))
  })

  describe("refuses unusable paths without touching them", () => {
    const refuse = (file: string) => Effect.exit(withRepo(file, (r) => r.counts))
    const problem = (exit: Exit.Exit<unknown, unknown>) =>
      Exit.isFailure(exit) && exit.cause._tag === "Fail" ? (exit.cause.error as { problem: string; message: string }) : undefined

    it.effect("a file that is not a database stays byte for byte", () =>
      Effect.gen(function*() {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "repo-")), "notes.txt")
        fs.writeFileSync(file, "my precious notes\n".repeat(100))
        const before = fs.readFileSync(file)
        const exit = yield* refuse(file)
        expect(problem(exit)).toEqual(expect.objectContaining({ problem: "not_a_database", message: `${file} is not a SQLite database` }))
        expect(fs.readFileSync(file).equals(before)).toBe(true)
        expect(fs.readdirSync(path.dirname(file))).toEqual(["notes.txt"])
      }))

    it.effect("a directory", () =>
      Effect.gen(function*() {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repo-"))
        expect(problem(yield* refuse(dir))?.problem).toBe("is_directory")
      }))

    it.effect("a read-only database file", () =>
      Effect.gen(function*() {
        const file = tmpDb()
        yield* withRepo(file, (r) => r.upsertDiscovered([discovered(1)], "2026-01-01T00:00:00.000Z"))
        fs.chmodSync(file, 0o444)
        expect(problem(yield* refuse(file))?.problem).toBe("read_only")
      }))
  })
})
