import { Clock, Console, Duration, Effect, Option } from "effect"
import * as fs from "node:fs"
import { MainLive, RenormalizeLive } from "../layers/Main.js"
import { Collector } from "../services/Collector.js"
import { MovieRepository } from "../services/MovieRepository.js"
import type { CollectionSummary } from "../src/Collection.js"
import { DatabaseError, type DatabaseTarget } from "../src/Database.js"
import { DEFAULT_KINDS, WITH_PEOPLE } from "../src/kinds/Kinds.js"
import { dayOf } from "../src/Time.js"
import type { Checked } from "./Checks.js"
import type { Parsed } from "./Flags.js"
import { beforeRun, removeWhatTheRunCreated } from "./Leftovers.js"
import { describeFailure, ExitCode, lastingFailure } from "./Outcome.js"
import { formatSummary, progressReporter, records } from "./Progress.js"
import { watch, type Watched } from "./Watch.js"

/**
 * One run with valid flags: the part of the CLI that needs TMDB and the database. Its summary is
 * printed (and on stdout with --json); `watched`, in a watch, says what the runs before did.
 */
const runOnce = (a: Parsed, checked: Checked, watched?: Watched) =>
  Effect.gen(function*() {
    const reporter = progressReporter()
    // A run that failed before TMDB gave it anything leaves no new database file behind.
    const target = checked.target
    const before = target._tag === "sqlite" ? beforeRun(target.path) : undefined
    let reached = false
    const today = dayOf(yield* Clock.currentTimeMillis)
    const summary: CollectionSummary = yield* Collector.run({
      startYear: checked.startYear,
      endYear: checked.endYear,
      all: a.all,
      minPopularity: Option.getOrUndefined(a.minPopularity),
      includeAdult: a.includeAdult,
      includeVideo: a.includeVideo,
      append: checked.append,
      minVoteCount: Option.getOrUndefined(a.minVoteCount),
      maxPages: Option.getOrUndefined(a.maxPages),
      refreshLimit: Option.getOrUndefined(a.refreshLimit),
      staleAfter: Duration.days(a.staleAfterDays),
      kinds: a.people ? WITH_PEOPLE : DEFAULT_KINDS,
      every: checked.every,
      // A watch discovers once a day and reads each day's export once; the changes every run.
      skipDiscovery: watched !== undefined && watched.discoveredOn === today ? true : undefined,
      exportsAfter: watched?.lastExport,
      onProgress: (p) => {
        reached = true
        reporter.onProgress(p)
      }
    }).pipe(
      Effect.ensuring(Effect.sync(reporter.stop)),
      Effect.provide(MainLive({
        target,
        leaseSeconds: Option.getOrUndefined(a.leaseSeconds),
        redis: checked.redis,
        client: {
          requestsPerSecond: Option.getOrUndefined(a.rps),
          burst: Option.getOrUndefined(a.burst),
          maxConcurrent: Option.getOrUndefined(a.concurrency)
        }
      })),
      Effect.tapError(() => (reached || before === undefined ? Effect.void : removeWhatTheRunCreated(before)))
    )
    yield* Console.error(formatSummary(summary))
    if (a.json) yield* Console.log(JSON.stringify(summary))
    return summary
  })

/** A collection with valid flags: one run, or with --watch one after another. */
export const collect = (a: Parsed, checked: Checked) =>
  checked.every === undefined
    ? Effect.flatMap(runOnce(a, checked), (summary) => summary.complete ? Effect.void : incomplete(summary))
    : watch({
      every: checked.every,
      run: (watched) => runOnce(a, checked, watched),
      lasting: lastingFailure,
      describe: describeFailure
    })

// A run that ends incomplete says what to do, and exits 3; a watch's next run does it.
const incomplete = (summary: CollectionSummary) =>
  Effect.gen(function*() {
    const feed = Object.entries(summary.kinds).find(([, k]) => k.changes?.status === "failed")?.[0]
    yield* Console.error(
      feed !== undefined
        ? `Reading /${feed}/changes failed: run the same command again to read them.`
        : "Discovery was incomplete: run the same command again to fill the gaps."
    )
    yield* Effect.sync(() => {
      process.exitCode = ExitCode.incomplete
    })
  })

/** `--renormalize`: every derived column and table rebuilt from the stored payloads. */
export const renormalize = (a: Parsed, target: DatabaseTarget) =>
  Effect.gen(function*() {
    // An existing database only: renormalizing a path that holds nothing would create one.
    if (target._tag === "sqlite" && !fs.existsSync(target.path)) {
      return yield* new DatabaseError({ problem: "cannot_open", path: target.path, message: `no database at ${target.path}` })
    }
    const started = Date.now()
    const summary = yield* Effect.flatMap(MovieRepository, (repo) => repo.renormalize()).pipe(Effect.provide(RenormalizeLive(target)))
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const others = Object.entries(summary.kinds).filter(([kind]) => kind !== "movie").map(([kind, n]) => records(n, kind))
    yield* Console.error(
      `Renormalized ${[records(summary.movies, "movie"), ...others].join(", ")} from their stored payloads in ${seconds}s, with no request.`
    )
    if (summary.failed.length > 0) {
      const first = summary.failed[0]!
      yield* Console.error(
        `${summary.failed.length} payloads no longer decode and kept their rows as they were; the first, ${first.kind} ${first.tmdbId}: ${first.message}`
      )
    }
    if (a.json) yield* Console.log(JSON.stringify(summary))
  })
