import { Console, Duration, Effect, Option } from "effect"
import { MainLive } from "../layers/Main.js"
import { Collector } from "../services/Collector.js"
import type { CollectionSummary } from "../src/Collection.js"
import { ExitCode, type Parsed } from "./Cli.js"
import { beforeRun, removeWhatTheRunCreated } from "./Leftovers.js"
import { formatSummary, progressReporter } from "./Progress.js"

/** A collection with valid flags: the part of the CLI that needs TMDB and the database. */
export const collect = (a: Parsed, endYear: number) =>
  Effect.gen(function*() {
    const reporter = progressReporter()
    // A run that failed before TMDB gave it anything leaves no new database behind.
    const before = beforeRun(a.db)
    let reached = false
    const summary: CollectionSummary = yield* Collector.run({
      startYear: a.startYear,
      endYear,
      minVoteCount: a.minVoteCount,
      maxPages: Option.getOrUndefined(a.maxPages),
      refreshLimit: Option.getOrUndefined(a.refreshLimit),
      staleAfter: Duration.days(a.staleAfterDays),
      onProgress: (p) => {
        reached = true
        reporter.onProgress(p)
      }
    }).pipe(
      Effect.ensuring(Effect.sync(reporter.stop)),
      Effect.provide(MainLive({
        db: a.db,
        client: {
          requestsPerSecond: Option.getOrUndefined(a.rps),
          burst: Option.getOrUndefined(a.burst),
          maxConcurrent: Option.getOrUndefined(a.concurrency)
        }
      })),
      Effect.tapError(() => (reached ? Effect.void : removeWhatTheRunCreated(before)))
    )
    yield* Console.error(formatSummary(summary))
    if (a.json) yield* Console.log(JSON.stringify(summary))
    if (!summary.complete) {
      yield* Console.error("Discovery was incomplete: run the same command again to fill the gaps.")
      yield* Effect.sync(() => {
        process.exitCode = ExitCode.incomplete
      })
    }
  })
