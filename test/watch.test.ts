import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Logger, LogLevel, TestClock } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { UsageError } from "../scripts/Outcome.js"
import { watch, type Watched } from "../scripts/Watch.js"
import { Collector } from "../services/Collector.js"
import { MovieRepository } from "../services/MovieRepository.js"
import type { CollectionSummary } from "../src/Collection.js"
import { movieDetailsOf } from "../src/Movie.js"
import { movieKind } from "../src/MovieKind.js"
import { CollectorTest, TmdbClientTest } from "../testing.js"
import { tmpDir } from "./support/cli.js"
import { sandboxes } from "./support/sandbox.js"
import { collect } from "./support/workflow.js"

// `--watch` (issue 25 §1): runs one after another, on TestClock; what each run is told by the
// ones before it (the export read, the day discovered); the even share of refreshes.

const START = Date.parse("2026-06-30T07:00:00.000Z")
const summary = (over: Partial<CollectionSummary> = {}) => ({ mode: "years", complete: true, ...over }) as CollectionSummary

class Down extends Error {}

/** A watch over scripted runs: each call of `run` takes the next outcome (a summary, or an error). */
const scripted = (outcomes: ReadonlyArray<CollectionSummary | Error>, every = "1 hour") => {
  const starts: Array<{ at: number; watched: Watched }> = []
  const program = watch({
    every: Duration.decode(every as Duration.DurationInput),
    run: (watched) =>
      Effect.gen(function*() {
        starts.push({ at: (yield* TestClock.currentTimeMillis) - START, watched })
        yield* TestClock.sleep(Duration.minutes(10)) // the run itself takes 10 minutes
        const outcome = outcomes[starts.length - 1] ?? summary()
        return outcome instanceof Error ? yield* Effect.fail(outcome) : outcome
      }),
    lasting: (e) => e instanceof UsageError,
    describe: (e) => e.message
  })
  return { starts, program: Effect.provide(program, Logger.minimumLogLevel(LogLevel.None)) }
}

const minutes = (ms: number) => ms / 60_000

describe("--watch", () => {
  it.effect("a run every hour from start to start; after a failure, 30 s, 1, 2 min..., never later than the hour; a lasting failure ends it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(START)
      const down = new Down("cannot reach TMDB")
      const { program, starts } = scripted([summary(), down, down, summary(), down, down, down, down, down, new UsageError({ message: "refused" })], "1 hour")
      const fiber = yield* Effect.fork(program)
      yield* TestClock.adjust(Duration.hours(12))
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error).toBeInstanceOf(UsageError)
      // Each run takes 10 minutes: the next starts an hour after the last one started.
      const gaps = starts.slice(1).map((s, i) => minutes(s.at - starts[i]!.at))
      expect(gaps).toEqual([60, 10.5, 11, 60, 10.5, 11, 12, 14, 18])
    }))

  it.effect("tells each run the export read and the day discovered by the runs before", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(START)
      const { program, starts } = scripted([
        summary({ mode: "all", export: { date: "2026-06-29" } as CollectionSummary["export"] }),
        summary({ mode: "all" }),
        summary({ mode: "all", export: { date: "2026-06-30" } as CollectionSummary["export"] })
      ])
      const fiber = yield* Effect.fork(program)
      yield* TestClock.adjust(Duration.minutes(190))
      yield* Fiber.interrupt(fiber)
      expect(starts.map((s) => s.watched.lastExport)).toEqual([undefined, "2026-06-29", "2026-06-29", "2026-06-30"])
      // Years: discovery is done once a day, once it completed.
      expect(starts.at(-1)!.watched.discoveredOn).toBeUndefined()
    }))

  it.effect("each run refreshes an even share of the stored details, the longest fetched first", () =>
    Effect.gen(function*() {
      const now = Date.parse("2026-06-30T12:00:00.000Z")
      yield* TestClock.setTime(now)
      const repo = yield* MovieRepository
      // Movies 1..40, fetched 1..40 days ago: none is stale under the 90-day rule.
      for (let age = 1; age <= 40; age++) {
        yield* repo.saveOutcomes([movieDetailsOf({ tmdbId: age, title: `Movie ${age}` })], [], new Date(now - age * 86_400_000).toISOString())
      }
      yield* repo.setMark("changes", "2026-06-30", new Date(now).toISOString())
      const once = yield* Collector.run({ startYear: 2026, skipDiscovery: true, append: [] })
      expect(once.kinds["movie"]!.detailsChosen).toBe(0)
      // Every 9 days against 90: a tenth of the 40, the four fetched longest ago.
      const watched = yield* Collector.run({ startYear: 2026, skipDiscovery: true, append: [], every: Duration.days(9) })
      expect(watched.kinds["movie"]!.detailsFetched).toBe(4)
      const refreshed = (yield* Effect.forEach([37, 38, 39, 40, 36], (id) => repo.getMovie(id))).map((m) => m?.details_fetched_at)
      expect(refreshed.slice(0, 4)).toEqual(Array(4).fill(new Date(now).toISOString()))
      expect(refreshed[4]).not.toBe(new Date(now).toISOString())
    }).pipe(Effect.provide(CollectorTest(TmdbClientTest({
      getMovieDetails: (tmdbId) => Effect.succeed(movieDetailsOf({ tmdbId, title: `Movie ${tmdbId}` })),
      getMovieChanges: () => Effect.succeed({ ids: [], adult: new Set<number>(), truncated: false })
    })))))
})

const sandbox = sandboxes({ catalogue: { seed: 41, startYear: 2020, endYear: 2020, perYear: 30 } })

describe("--watch with --all", () => {
  it("reads an export only when one newer than the last read is out; the changes every run", async () => {
    const s = await sandbox()
    const db = path.join(tmpDir("watch-"), "movies.sqlite")
    const first = await collect(s, db, { all: true, kinds: [movieKind] })
    expect(first.export?.date).toMatch(/^\d{4}-\d\d-\d\d$/)
    const again = await collect(s, db, { all: true, kinds: [movieKind], exportsAfter: first.export!.date })
    expect(again.export).toBeUndefined()
    expect(again.kinds["movie"]!.changes?.status).toBe("read")
    expect(again.complete).toBe(true)
    const older = await collect(s, db, { all: true, kinds: [movieKind], exportsAfter: "2000-01-01" })
    expect(older.export?.date).toBe(first.export!.date)
    expect(fs.existsSync(db)).toBe(true)
  })
})

describe("--watch and --every, checked", () => {
  it("refuse what cannot be meant, in one line, exit 2", async () => {
    const { runInProcess } = await import("./support/inProcess.js")
    const refused = async (args: ReadonlyArray<string>) => {
      const r = await runInProcess(["--start-year", "2020", ...args], { env: { TMDB_API_KEY: "k" } })
      expect(r.code, args.join(" ")).toBe(2)
      return r.stderr.trim()
    }
    expect(await refused(["--every", "1h"])).toBe("--every says how often --watch runs: add --watch")
    expect(await refused(["--watch", "--every", "soon"])).toBe("--every must be an interval from 1s to 24d, such as 30m, 1h or 1d; got 'soon'")
    for (const every of ["500ms", "0.5s", "25d", "1000h"]) {
      expect(await refused(["--watch", "--every", every])).toMatch(/^--every must be an interval from 1s to 24d/)
    }
    expect(await refused(["--renormalize", "--watch"])).toBe("--renormalize rebuilds the store once, offline: drop --watch")
  })
})
