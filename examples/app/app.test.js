// The app's test, with @effect/vitest and tmdb-collector's test layers: no network, no disk.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { NotFoundError } from "tmdb-collector"
import { movieDetailsOf, TmdbClientTest } from "tmdb-collector/testing"
import { label } from "./app.js"

describe("label", () => {
  it.effect("labels a movie", () =>
    label(550).pipe(
      Effect.map((text) => expect(text).toBe("Fight Club (1999)")),
      Effect.provide(TmdbClientTest({ getMovieDetails: (id) => Effect.succeed(movieDetailsOf({ tmdbId: id, title: "Fight Club", releaseDate: "1999-10-15" })) }))
    ))

  it.effect("says unknown when TMDB has no such movie", () =>
    label(1).pipe(
      Effect.map((text) => expect(text).toBe("unknown")),
      Effect.provide(TmdbClientTest({ getMovieDetails: (id) => Effect.fail(new NotFoundError({ path: `/movie/${id}`, message: "gone" })) }))
    ))
})
