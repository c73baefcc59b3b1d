import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Stream } from "effect"
import { PgLive } from "../layers/Pg.js"
import { MovieRepositoryTest } from "../layers/TestSql.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { movieDetailsOf } from "../src/Movie.js"
import { between, plain, statements } from "./support/readmeSql.js"
import { databases, requireServer } from "./support/services.js"

// The history on PostgreSQL (its own statement: LATERAL where SQLite goes by rowid) writes the
// rows SQLite writes for the same runs, and README's query of a movie's popularity over time
// answers the same on both.

const pgUp = await requireServer("PostgreSQL", "the history of popularity and votes on PostgreSQL")
const database = databases()

const at = (day: number) => `2026-06-0${day}T09:00:00.000Z`
const discovered = (tmdbId: number, voteCount = 100) => ({
  tmdbId,
  title: `Movie ${tmdbId}`,
  releaseDate: "2024-05-01",
  voteAverage: 7,
  voteCount,
  popularity: 10
})
const line = (id: number, popularity: number, kept = true) => ({ line: { id, originalTitle: `Movie ${id}`, popularity, adult: false, video: false }, kept })

/** A week of runs of every kind, and what the history then holds and what README's query says of Fight Club (550). */
const week = Effect.gen(function*() {
  const repo = yield* MovieRepository
  const sql = yield* SqlClient.SqlClient
  yield* repo.upsertDiscovered([discovered(550), discovered(551)], at(1))
  yield* repo.saveOutcomes([movieDetailsOf({ tmdbId: 550, title: "Fight Club", voteAverage: 7, voteCount: 100, popularity: 11.5 })], [], at(2))
  // 551 moves 5%, under the threshold; 553 is neither kept nor stored.
  for (const day of ["2026-06-03", "2026-06-04"]) {
    yield* repo.storeExport(Stream.make([line(550, 15), line(551, 10.5), line(552, 4), line(553, 4, false)]), day, at(4))
  }
  yield* repo.renormalize()
  yield* repo.upsertDiscovered([discovered(550), discovered(551, 150)], at(5))
  const rows = yield* sql`SELECT tmdb_id, observed_at, popularity, vote_count, vote_average, source FROM movie_metrics_history
    ORDER BY tmdb_id, observed_at`
  const [query] = statements(between("history-query"))
  return { rows: plain(rows as Array<Record<string, unknown>>), query: plain([...yield* sql.unsafe<Record<string, unknown>>(query!)]) }
})

const pgRepo = (url: string, name: string) => MovieRepository.Default.pipe(Layer.provideMerge(PgLive(Redacted.make(url), name)))

describe("movie_metrics_history on both dialects", () => {
  it.effect("a week of discover, details, two exports and a rebuild: the rows each observation adds; README's query lists Fight Club's over time", () =>
    Effect.gen(function*() {
      const { query, rows } = yield* Effect.provide(week, MovieRepositoryTest)
      const day = (d: number) => `2026-06-0${d}T00:00:00.000Z`
      expect(rows).toEqual([
        { tmdb_id: 550, observed_at: at(1), popularity: 10, vote_count: 100, vote_average: 7, source: "discover" },
        { tmdb_id: 550, observed_at: at(2), popularity: 11.5, vote_count: 100, vote_average: 7, source: "details" },
        { tmdb_id: 550, observed_at: day(3), popularity: 15, vote_count: 100, vote_average: 7, source: "export" },
        { tmdb_id: 550, observed_at: at(5), popularity: 10, vote_count: 100, vote_average: 7, source: "discover" },
        { tmdb_id: 551, observed_at: at(1), popularity: 10, vote_count: 100, vote_average: 7, source: "discover" },
        { tmdb_id: 551, observed_at: at(5), popularity: 10, vote_count: 150, vote_average: 7, source: "discover" },
        { tmdb_id: 552, observed_at: day(3), popularity: 4, vote_count: null, vote_average: null, source: "export" }
      ])
      expect(query).toEqual(rows.filter((r) => r.tmdb_id === 550).map(({ observed_at, popularity, source }) => ({ observed_at, popularity, source })))
    }))

  it.skipIf(!pgUp)("PostgreSQL writes the same rows, and README's query answers the same", async () => {
    const sqlite = await Effect.runPromise(Effect.provide(week, MovieRepositoryTest))
    const { name, url } = await database("history")
    const pg = await Effect.runPromise(Effect.provide(week, pgRepo(url, name)))
    expect(pg).toEqual(sqlite)
    expect(pg.rows).toHaveLength(7)
  })
})
