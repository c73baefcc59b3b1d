// Using tmdb-collector from another Effect app. README.md embeds this file; `npm test`
// typechecks it and runs it against the sandbox.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect } from "effect"
import { TmdbClient, TmdbLive } from "tmdb-collector"

const program = Effect.gen(function*() {
  const tmdb = yield* TmdbClient

  // One movie and its credits in one request; other appended sub-requests are kept raw on `appended`.
  const fightClub = yield* tmdb.getMovieDetails(550, { appendToResponse: ["credits", "external_ids", "videos"] })
  const director = fightClub.credits?.crew.find((c) => c.job === "Director")
  yield* Console.log(fightClub.title, fightClub.budget, director?.name, fightClub.externalIds?.wikidataId, fightClub.appended["videos"])

  // Everything released in 2023 with 500+ votes, complete past TMDB's 500-page cap.
  const found = yield* tmdb.discoverMovies({ startYear: 2023, minVoteCount: 500 })
  yield* Console.log(`${found.movies.length} movies, complete: ${found.complete}`)

  // Details for many ids: failures are collected per id, never abort the batch.
  const batch = yield* tmdb.getBatchMovieDetails(found.movies.slice(0, 20).map((m) => m.tmdbId))
  yield* Console.log(`${batch.succeeded.length} fetched, ${batch.failed.length} failed`)
}).pipe(
  // Branch on typed errors.
  Effect.catchTags({
    UnauthorizedError: (e) => Console.error(`bad key: ${e.message}`),
    NotFoundError: (e) => Console.error(`no such movie: ${e.path}`)
  })
)

// Reads TMDB_API_KEY (or TMDB_READ_ACCESS_TOKEN) and TMDB_BASE_URL from the environment;
// options given here win over the environment.
NodeRuntime.runMain(program.pipe(Effect.provide(TmdbLive({ requestsPerSecond: 4, maxConcurrent: 10 }))))
