// Collecting from your own app into SQLite: `npm run collect -- --start-year 2020 --end-year 2021`
// in code. README.md embeds this file; `npm test` typechecks and runs it against the sandbox.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect } from "effect"
import { apiKey, Collector, MainLive } from "tmdb-collector"

const program = Effect.gen(function*() {
  const summary = yield* Collector.run({ startYear: 2020, endYear: 2021 })
  yield* Console.log(`${summary.detailsFetched} movies stored in movies.sqlite, complete: ${summary.complete}`)
})

// The key from wherever your app keeps it; apiKey keeps it redacted in every log and error.
const live = MainLive({ target: "movies.sqlite", client: { credentials: apiKey(process.env["MY_TMDB_KEY"] ?? "") } })
NodeRuntime.runMain(program.pipe(Effect.provide(live)))
