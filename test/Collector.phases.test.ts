import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { summarize, type SummaryInput } from "../services/collector/Summary.js"
import { emptyTally, type Tally } from "../services/collector/Tally.js"
import { aloneWork } from "../services/collector/Work.js"
import type { MovieRepository } from "../services/MovieRepository.js"
import { ServerError } from "../src/Errors.js"
import { movieKind } from "../src/MovieKind.js"
import { recordKind } from "../src/RecordKind.js"
import { yearWindow } from "../src/Windows.js"

// The workflow's parts that hold no I/O: a run's summary is a function of its tally, and a
// collector alone does every unit of work itself, once.

// A second kind with no changes feed: only its name and tables matter to the summary.
const toy = recordKind({ ...movieKind, name: "toy", changes: undefined, marks: undefined, units: undefined })
const movies = () => emptyTally([movieKind])
const movieTally = (tally: Tally) => tally.kinds.get("movie")!

const input = (over: Partial<SummaryInput> = {}): SummaryInput => ({
  runId: 7,
  all: false,
  tally: movies(),
  feeds: new Set(["movie"]),
  shared: undefined,
  units: 3,
  client: { requests: 12, retries: 1, rateLimited: 0 },
  limiter: {
    currentRate: 3.3333,
    configuredRate: 4,
    inFlight: 0,
    maxInFlight: 4,
    started: 12,
    decreases: 1,
    throttleEvents: 1,
    pausedMs: 0,
    circuitOpens: 0,
    circuit: "closed",
    budget: "local",
    collectors: 1,
    mostCollectors: 1
  },
  durationMs: 1500,
  ...over
})

describe("the run summary", () => {
  it("counts what the tally holds; no changes read here means another collector read them", () => {
    const tally = { ...movies(), discovered: 40, added: 38, discoverPages: 2 }
    Object.assign(movieTally(tally), { chosen: 40, fetched: 37, failed: { not_found: 2, server: 1 } })
    const summary = summarize(input({ tally }))
    expect(summary).toEqual(expect.objectContaining({
      runId: 7,
      mode: "years",
      discovered: 40,
      new: 38,
      detailsChosen: 40,
      detailsFetched: 37,
      failed: { not_found: 2, server: 1 },
      settledRate: 3.33,
      complete: true,
      missing: 0,
      shared: undefined,
      budget: { kind: "local", collectors: 1 }
    }))
    expect(summary.changes.status).toBe("elsewhere")
  })

  it("gives the movies' records at the top, as before kinds, and each kind's own part; any changes feed that failed makes the run incomplete", () => {
    const tally = emptyTally([movieKind, toy])
    Object.assign(movieTally(tally), { chosen: 5, fetched: 4, removed: 1, failed: { server: 1 } })
    Object.assign(tally.kinds.get("toy")!, { linked: 4, chosen: 3, fetched: 2, restored: 1, failed: { server: 1, decode: 1 } })
    const summary = summarize(input({ tally }))
    expect(summary).toEqual(expect.objectContaining({ detailsChosen: 5, detailsFetched: 4, removed: 1, restored: 0, failed: { server: 1 } }))
    expect(summary.kinds["toy"]).toEqual({
      export: undefined,
      changes: undefined,
      new: 4,
      detailsChosen: 3,
      detailsFetched: 2,
      failed: { server: 1, decode: 1 },
      removed: 0,
      restored: 1
    })
    expect(summary.kinds["movie"]?.changes?.status).toBe("elsewhere")
    tally.kinds.get("toy")!.changes = {
      report: { status: "failed", from: "2026-01-01", to: "2026-01-02", windows: 0, listed: 0, stored: 0, new: 0 },
      newIds: [],
      markTo: undefined
    }
    expect(summarize(input({ tally, feeds: new Set(["movie", "toy"]) })).complete).toBe(false)
    tally.kinds.get("toy")!.changes = undefined
    movieTally(tally).changes = {
      report: { status: "failed", from: "2026-01-01", to: "2026-01-02", windows: 0, listed: 0, stored: 0, new: 0 },
      newIds: [],
      markTo: undefined
    }
    expect(summarize(input({ tally })).complete).toBe(false)
  })

  it("a failed discover page or a window that listed fewer movies than it holds makes the run incomplete", () => {
    const window = yearWindow(2024)
    const failedPage = { ...movies(), discoverPages: 1 }
    failedPage.discoveryFailures.push({
      _tag: "PageFailed",
      year: 2024,
      window,
      page: 3,
      error: new ServerError({ status: 503, path: "/discover/movie", message: "busy" })
    })
    const failed = summarize(input({ tally: failedPage }))
    expect(failed.complete).toBe(false)
    expect(failed.discoveryFailures).toEqual([{ year: 2024, from: window.from, to: window.to, page: 3, kind: "server", message: "busy" }])

    const short = movies()
    short.incomplete.push({ _tag: "Incomplete", year: 2024, window, totalResults: 50, found: 45, missing: 5 })
    expect(summarize(input({ tally: short }))).toEqual(expect.objectContaining({ complete: false, missing: 5 }))
  })

  it("among collectors: the units this one did, and how many the others did", () => {
    const summary = summarize(input({ shared: { generation: 3, did: ["discover:2024:[]"] }, units: 3 }))
    expect(summary.shared).toEqual({ generation: 3, did: ["discover:2024:[]"], byOthers: 2 })
  })
})

describe("a collector alone", () => {
  const repo = (rounds: Array<ReadonlyArray<number>>) => ({ selectForDetails: () => Effect.succeed(rounds.shift() ?? []) }) as unknown as MovieRepository

  it.effect("does every unit itself, all at once and only once; none is ever held by another", () =>
    Effect.gen(function*() {
      const work = aloneWork(repo([]), "2026-01-01T00:00:00.000Z")
      const units = work.units(["discover:2024", "discover:2023"])
      const seen: Array<ReadonlyArray<string>> = []
      const run = (names: ReadonlyArray<string>) => Effect.sync(() => void seen.push(names))
      expect(yield* units.take(run)).toBe(true)
      expect(yield* units.take(run)).toBe(false)
      expect(seen).toEqual([["discover:2024", "discover:2023"]])
      expect(units.held()).toBe(false)
      expect(yield* work.units([]).take(run)).toBe(false)
      expect(yield* work.othersBusy(movieKind)).toBe(false)
    }))

  it.effect("takes the store's choice a round at a time, and nothing once the store has nothing left", () =>
    Effect.gen(function*() {
      const work = aloneWork(repo([[1, 2, 3], []]), "2026-01-01T00:00:00.000Z")
      const policy = { staleBefore: "x", recentReleasedAfter: "y", recentStaleBefore: "z" }
      const first = yield* work.next(movieKind, policy, () => Infinity)
      expect(Option.isSome(first) ? Array.from(yield* Stream.runCollect(first.value)) : undefined).toEqual([1, 2, 3])
      expect(Option.isNone(yield* work.next(movieKind, policy, () => Infinity))).toBe(true)
    }))
})
