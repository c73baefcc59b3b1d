import { Effect, Stream } from "effect"
import { DEFAULT_MIN_VOTE_COUNT } from "../../src/Discover.js"
import { yearsOf } from "../../src/DiscoverEvents.js"
import { now } from "../../src/Time.js"
import type { RunState } from "./Tally.js"
import type { Units } from "./Work.js"

// Phase 1: discover, storing each page as it arrives. Among collectors sharing a database,
// discovery is shared a year at a time (a unit per year).

/** The years `run` discovers, as units; none with `all` or `skipDiscovery`. */
export const discoveryUnits = (run: RunState, endYear: number): Units => {
  const o = run.options
  const discovering = o.skipDiscovery !== true && o.startYear !== undefined && o.all !== true
  const years = discovering ? yearsOf({ startYear: o.startYear!, endYear, sortBy: o.sortBy }) : []
  // What makes a year's pages differ is in the unit's name, so collectors started with other
  // flags do not skip them.
  const flags = JSON.stringify([
    o.minVoteCount ?? DEFAULT_MIN_VOTE_COUNT,
    o.includeAdult === true,
    o.includeVideo === true,
    o.maxPages ?? null,
    o.sortBy ?? null
  ])
  return run.work.units(years.map((year) => `discover:${year}:${flags}`))
}

const yearOf = (unit: string) => Number(unit.split(":")[1])

/** Discovers the years of `units` in one stream, adding what it finds to the run's tally. */
export const discover = (run: RunState) => (units: ReadonlyArray<string>) => {
  const { client, options, repo, tally } = run
  const years = units.map(yearOf)
  return client.discoverMoviesStream({
    startYear: Math.min(...years),
    endYear: Math.max(...years),
    includeAdult: options.includeAdult,
    includeVideo: options.includeVideo,
    minVoteCount: options.minVoteCount ?? DEFAULT_MIN_VOTE_COUNT,
    maxPages: options.maxPages,
    sortBy: options.sortBy
  }).pipe(
    Stream.runForEach((event) =>
      Effect.gen(function*() {
        switch (event._tag) {
          case "Page": {
            tally.discoverPages++
            tally.discovered += event.movies.length
            tally.added += yield* repo.upsertDiscovered(event.movies, yield* now)
            run.progress({ phase: "discover", pages: tally.discoverPages, movies: tally.discovered, year: event.year })
            return
          }
          case "Truncated":
            tally.truncated.push(event)
            return
          case "Incomplete":
            tally.incomplete.push(event)
            return
          case "PageFailed":
            // Nothing has come back at all (a wrong TMDB_BASE_URL, TMDB down): stop now.
            if (tally.discoverPages === 0) return yield* event.error
            tally.discoveryFailures.push(event)
        }
      })
    )
  )
}
