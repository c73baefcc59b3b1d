// Testing your own app against tmdb-collector's test layers: no network, no disk, no real
// time. README.md embeds this file; `npm test` runs it.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { MovieRepository, NotFoundError, TmdbClient } from "tmdb-collector"
import { movieDetailsOf, MovieRepositoryTest, TmdbClientScripted, TmdbClientTest } from "tmdb-collector/testing"

// The code under test: a title, or "unknown" when TMDB has no such movie.
const titleOf = (id: number) =>
  TmdbClient.pipe(
    Effect.flatMap((tmdb) => tmdb.getMovieDetails(id)),
    Effect.map((movie) => movie.title),
    Effect.catchTag("NotFoundError", () => Effect.succeed("unknown"))
  )

describe("my app", () => {
  // A fake: only the methods the code calls; any other dies naming itself. A fake movie names
  // only the fields the test cares about; the rest are TMDB's "unknown".
  it.effect("reads the title of a movie", () =>
    titleOf(550).pipe(
      Effect.map((title) => expect(title).toBe("Fight Club")),
      Effect.provide(TmdbClientTest({ getMovieDetails: (id) => Effect.succeed(movieDetailsOf({ tmdbId: id, title: "Fight Club" })) }))
    ))

  it.effect("says unknown for a movie TMDB does not have", () =>
    titleOf(1).pipe(
      Effect.map((title) => expect(title).toBe("unknown")),
      Effect.provide(TmdbClientTest({ getMovieDetails: (id) => Effect.fail(new NotFoundError({ path: `/movie/${id}`, message: "gone" })) }))
    ))

  // The real client, decoding included, over scripted HTTP answers. Retries are off, so nothing
  // waits on the clock.
  it.effect("reads the title from TMDB's answer", () => {
    const tmdb = TmdbClientScripted(() => ({ status: 200, body: { id: 550, title: "Fight Club", budget: 63000000 } }))
    return titleOf(550).pipe(
      Effect.map((title) => {
        expect(title).toBe("Fight Club")
        expect(tmdb.requests.map((r) => r.path)).toEqual(["/3/movie/550"])
      }),
      Effect.provide(tmdb.layer)
    )
  })

  // The repository on an in-memory SQLite database.
  it.effect("stores what it fetched", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const movie = { tmdbId: 550, title: "Fight Club", releaseDate: "1999-10-15", voteAverage: 8.4, voteCount: 30000, popularity: 60 }
      yield* repo.upsertDiscovered([movie], "2026-01-01T00:00:00.000Z")
      const due = yield* repo.selectForDetails({ staleBefore: "2026-01-01", recentReleasedAfter: "2025-10-01", recentStaleBefore: "2026-01-01" })
      // Never fetched, so it is due for details.
      expect(due).toEqual([550])
    }).pipe(Effect.provide(MovieRepositoryTest)))
})
