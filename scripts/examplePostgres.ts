// Collecting from your own app into PostgreSQL: the whole catalogue from TMDB's daily ID export,
// `npm run collect -- --all --db $DATABASE_URL` in code. Many such apps may share one database.
// README.md embeds this file; `npm test` typechecks and runs it against the sandbox.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect } from "effect"
import { Collector, MainLive } from "tmdb-collector"

const program = Effect.gen(function*() {
  const summary = yield* Collector.run({ all: true, minPopularity: 1 })
  yield* Console.log(`${summary.export?.kept} movies listed, ${summary.detailsFetched} fetched, complete: ${summary.complete}`)
})

// TMDB_API_KEY (or TMDB_READ_ACCESS_TOKEN) is read from the environment when no credentials are given.
NodeRuntime.runMain(program.pipe(Effect.provide(MainLive({ target: process.env["DATABASE_URL"] ?? "postgres://localhost/movies" }))))
