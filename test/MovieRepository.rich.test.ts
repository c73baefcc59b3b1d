import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { MovieRepository } from "../services/MovieRepository.js"
import { decodeMovieDetails } from "../src/Decode.js"
import type { MovieDetails } from "../src/Movie.js"
import { CHILD_TABLES } from "../src/Rows.js"
import { MovieRepositoryTest } from "../testing.js"

// Rich records in the repository: child tables replaced with their movie, the payload kept as
// sent, everything derived rebuilt from the payloads with no request.
const text = (name: string) => fs.readFileSync(path.resolve(import.meta.dirname, "../sandbox/fixtures", name), "utf8")
const riddick = JSON.parse(text("movie-87421-riddick-append-many-legacy.json"))
const RICH = ["credits", "keywords", "release_dates", "external_ids"]

/** Fight Club as TMDB would answer with the four sub-resources, and the body exactly as sent. */
const fetched = (over: Record<string, unknown> = {}, append = RICH): MovieDetails => {
  const body = JSON.stringify(
    {
      ...JSON.parse(text("movie-550-fight-club.json")),
      credits: riddick.credits,
      keywords: riddick.keywords,
      release_dates: riddick.release_dates,
      external_ids: { imdb_id: "tt0137523", wikidata_id: "Q190050" },
      ...over
    },
    null,
    1
  )
  return { ...Either.getOrThrow(decodeMovieDetails(JSON.parse(body), append)), body }
}

const T1 = "2026-01-01T00:00:00.000Z"
const T2 = "2026-02-01T00:00:00.000Z"
const count = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ n: number }>`SELECT count(*) AS n FROM ${sql(table)}`).pipe(Effect.map((r) => r[0]!.n))
const rows = (query: string) => Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<Record<string, unknown>>(query))

describe("MovieRepository: rich records", () => {
  it.effect("a details fetch writes the movie's columns, every child table and its payload, byte for byte", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const movie = fetched()
      yield* repo.saveOutcomes([movie], [], T1)
      expect(
        yield* rows("SELECT original_language, status, tagline, adult, video, collection_id, production_countries, spoken_languages, wikidata_id FROM movies")
      )
        .toEqual([{
          original_language: "en",
          status: "Released",
          tagline: "Mischief. Mayhem. Soap.",
          adult: 0,
          video: 0,
          collection_id: null,
          production_countries: "[\"DE\",\"US\"]",
          spoken_languages: "[\"en\"]",
          wikidata_id: "Q190050"
        }])
      expect(yield* rows("SELECT genre_id, name, ord FROM movie_genres")).toEqual([{ genre_id: 18, name: "Drama", ord: 0 }])
      expect(yield* count("movie_companies")).toBe(5)
      expect(yield* count("movie_cast")).toBe(11)
      expect(yield* count("movie_crew")).toBe(14)
      expect(yield* count("movie_keywords")).toBe(4)
      expect(yield* count("movie_release_dates")).toBe(movie.releaseDates!.length)
      expect((yield* rows("SELECT person_id, name, character, ord, gender FROM movie_cast WHERE ord = 0"))[0])
        .toEqual({ person_id: 12835, name: "Vin Diesel", character: "Riddick", ord: 0, gender: null })
      const [payload] = yield* rows("SELECT fetched_at, body, encoding, append FROM movie_payloads")
      expect(payload).toEqual(expect.objectContaining({ fetched_at: T1, encoding: "br", append: RICH.join(",") }))
      expect(zlib.brotliDecompressSync(payload!["body"] as Buffer).toString("utf8")).toBe(movie.body)
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("a refetch replaces all of a movie's child rows with those of the new response, so they always derive from its payload", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.saveOutcomes([fetched()], [], T1)
      // Asked for credits alone, TMDB sends no keywords, release dates or external ids.
      const fewer = fetched({
        credits: { cast: riddick.credits.cast.slice(0, 2), crew: [] },
        genres: [{ id: 35, name: "Comedy" }],
        keywords: undefined,
        release_dates: undefined,
        external_ids: undefined
      }, ["credits"])
      expect(fewer.externalIds).toBeNull()
      yield* repo.saveOutcomes([fewer, fewer], [], T2)
      expect(yield* count("movie_cast")).toBe(2)
      expect(yield* count("movie_crew")).toBe(0)
      expect(yield* rows("SELECT genre_id FROM movie_genres")).toEqual([{ genre_id: 35 }])
      expect(yield* count("movie_keywords")).toBe(0)
      expect(yield* count("movie_release_dates")).toBe(0)
      expect((yield* repo.getMovie(550))!.wikidata_id).toBeNull()
      expect(yield* rows("SELECT fetched_at, append FROM movie_payloads")).toEqual([{ fetched_at: T2, append: "credits" }])
      // A record without a body (built by hand) drops the old payload: the rows no longer derive from it.
      const { body: _body, ...bare } = fetched()
      yield* repo.saveOutcomes([bare], [], T2)
      expect(yield* count("movie_payloads")).toBe(0)
      expect(yield* count("movie_cast")).toBe(11)
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("renormalize rebuilds every derived column and table from the payloads, keeping votes a later discover page refreshed", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const sql = yield* SqlClient.SqlClient
      const other = fetched({ id: 551, title: "Other" })
      yield* repo.saveOutcomes([fetched(), other], [], T1)
      const snapshot = (table: string) => rows(`SELECT * FROM ${table} ORDER BY 1, 2, 3`)
      const tables = ["movies", ...CHILD_TABLES]
      const before = yield* Effect.forEach(tables, snapshot)
      // Damage what is derived; a later discover page brings fresher votes for 551.
      yield* sql`UPDATE movies SET tagline = 'wrong', production_countries = NULL, genres = '[]'`
      yield* sql`UPDATE movies SET vote_count = 99999, vote_average = 9.9, popularity = 1.5, votes_at = ${T2} WHERE tmdb_id = 551`
      for (const t of tables.slice(1)) yield* sql.unsafe(`DELETE FROM ${t} WHERE tmdb_id = 550`)
      const summary = yield* repo.renormalize()
      expect(summary).toEqual({ movies: 2, kinds: { movie: 2, collection: 0, company: 0, person: 0 }, failed: [] })
      const after = yield* Effect.forEach(tables, snapshot)
      const expected = before.map((t, i) =>
        i === 0 ? t.map((r) => (r["tmdb_id"] === 551 ? { ...r, vote_count: 99999, vote_average: 9.9, popularity: 1.5, votes_at: T2 } : r)) : t
      )
      expect(after).toEqual(expected)
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("a payload that no longer decodes is reported and keeps its rows; the others are rebuilt", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const sql = yield* SqlClient.SqlClient
      yield* repo.saveOutcomes([fetched(), fetched({ id: 551 })], [], T1)
      const broken = zlib.brotliCompressSync(JSON.stringify({ id: 551, title: 42 }))
      yield* sql`UPDATE movie_payloads SET body = ${broken} WHERE tmdb_id = 551`
      yield* sql`UPDATE movies SET tagline = 'kept'`
      const summary = yield* repo.renormalize()
      expect(summary.movies).toBe(1)
      expect(summary.failed).toEqual([{ kind: "movie", tmdbId: 551, message: expect.stringContaining("title") }])
      expect(yield* rows("SELECT tmdb_id, tagline FROM movies ORDER BY tmdb_id")).toEqual([
        { tmdb_id: 550, tagline: "Mischief. Mayhem. Soap." },
        { tmdb_id: 551, tagline: "kept" }
      ])
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("movie_overview: year, directors, top 3 cast, genres as text, budget, revenue and their ratio", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const crew = [
        { id: 7, name: "Ann Director", department: "Directing", job: "Director" },
        { id: 8, name: "Bo Writer", department: "Writing", job: "Screenplay" },
        { id: 7, name: "Ann Director", department: "Writing", job: "Director" },
        { id: 9, name: "Cy Codirector", department: "Directing", job: "Director" }
      ]
      const cast = ["D", "A", "C", "B"].map((name, i) => ({ id: 20 + i, name, character: "x", order: [3, 0, 2, 1][i] }))
      yield* repo.saveOutcomes([fetched({ credits: { cast, crew }, genres: [{ id: 18, name: "Drama" }, { id: 53, name: "Thriller" }] })], [], T1)
      expect(yield* rows("SELECT * FROM movie_overview")).toEqual([{
        tmdb_id: 550,
        year: 1999,
        title: "Fight Club",
        directors: "Ann Director, Cy Codirector",
        top_cast: "A, B, C",
        genres: "Drama, Thriller",
        budget: 63000000,
        revenue: 100853753,
        revenue_to_budget: 100853753 / 63000000,
        // Fight Club is in no collection.
        collection: null
      }])
    }).pipe(Effect.provide(MovieRepositoryTest)))
})
