// The app's test, with plain node's test runner and tmdb-collector's test layers.
import assert from "node:assert/strict"
import { test } from "node:test"
import { Effect } from "effect"
import { NotFoundError } from "tmdb-collector"
import { TmdbClientTest } from "tmdb-collector/testing"
import { label } from "./app.js"

test("labels a movie", async () => {
  const tmdb = TmdbClientTest({ getMovieDetails: (id) => Effect.succeed({ tmdbId: id, title: "Fight Club", releaseDate: "1999-10-15" }) })
  assert.equal(await Effect.runPromise(label(550).pipe(Effect.provide(tmdb))), "Fight Club (1999)")
})

test("says unknown when TMDB has no such movie", async () => {
  const tmdb = TmdbClientTest({ getMovieDetails: (id) => Effect.fail(new NotFoundError({ path: `/movie/${id}`, message: "gone" })) })
  assert.equal(await Effect.runPromise(label(1).pipe(Effect.provide(tmdb))), "unknown")
})
