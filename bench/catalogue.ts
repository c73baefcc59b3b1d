import { SqlClient } from "@effect/sql"
import { Duration, Effect } from "effect"
import * as path from "node:path"
import { startSandbox } from "../sandbox/index.js"
import { Collector } from "../services/Collector.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { movieDetailsOf } from "../src/Movie.js"
import { movieKind } from "../src/MovieKind.js"
import { CollectorTest, TmdbClientTest } from "../testing.js"
import { type Ctx, type Figure, figure, fmtNum, movieRequests, round } from "./helpers.js"
import { collectCommand } from "./memoryRuns.js"
import { cliFailure, parseSummary, runCli, startSandboxProcess, tmpDir } from "./processes.js"

// 6. The whole catalogue: what a daily refresh driven by /movie/changes costs against the
// age-based refresh alone, requests per movie in --all mode, and the memory of reading a
// 1.2-million-line daily ID export.

const DAY = 86_400_000
const CHANGES_PER_PAGE = 100

interface Refresh {
  readonly details: number
  readonly changesPages: number
}

/**
 * One daily run of the real Collector over a store of `stored` movies whose details were
 * fetched `fetchedDaysAgo(i)` days ago, with a client that answers at once and counts. `changed`
 * ids are what /movie/changes lists since the mark (`undefined`: no mark, so no changes are
 * read, as before change-driven refresh).
 */
const dailyRun = (stored: number, fetchedDaysAgo: (i: number) => number, staleAfterDays: number, changed: ReadonlyArray<number> | undefined) => {
  const counted = { details: 0, changesPages: 0 }
  const client = TmdbClientTest({
    getMovieDetails: (tmdbId) =>
      Effect.sync(() => {
        counted.details++
        return movieDetailsOf({ tmdbId, title: `Movie ${tmdbId}` })
      }),
    getMovieChanges: () =>
      Effect.sync(() => {
        counted.changesPages += Math.max(1, Math.ceil((changed?.length ?? 0) / CHANGES_PER_PAGE))
        return { ids: [...(changed ?? [])], adult: new Set<number>(), truncated: false }
      })
  })
  return Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* MovieRepository
    const now = Date.now()
    yield* sql.withTransaction(Effect.gen(function*() {
      for (let from = 1; from <= stored; from += 500) {
        const rows = []
        for (let id = from; id < Math.min(from + 500, stored + 1); id++) {
          const at = new Date(now - fetchedDaysAgo(id) * DAY).toISOString()
          rows.push({ tmdb_id: id, title: `Movie ${id}`, release_date: "2001-01-01", discovered_at: at, details_fetched_at: at })
        }
        yield* sql`INSERT INTO movies ${sql.insert(rows)}`
      }
    }))
    if (changed !== undefined) yield* repo.setMark(movieKind.marks.changes, new Date(now - DAY).toISOString().slice(0, 10), new Date(now - DAY).toISOString())
    yield* Collector.run({ startYear: 2001, skipDiscovery: true, staleAfter: Duration.days(staleAfterDays), append: [] })
    return counted as Refresh
  }).pipe(Effect.provide(CollectorTest(client)))
}

const requestsOf = (r: Refresh) => r.details + r.changesPages

/** The bundled CLI as `npm run collect` runs it, against a sandbox and its export files. */
const bundled = (args: ReadonlyArray<string>, baseUrl: string, filesUrl: string) => {
  const cmd = collectCommand()
  return runCli([...args, "--json"], { baseUrl, script: cmd.script, nodeArgs: cmd.nodeArgs, env: { TMDB_FILES_URL: filesUrl }, timeoutMs: 600_000 })
}

export const catalogueBench = async (ctx: Ctx) => {
  const figures: Array<Figure> = []
  const details: Array<string> = []
  const fig = (id: string, label: string, value: number | null, unit: string, goal?: Parameters<typeof figure>[5], note?: string) =>
    figures.push(figure("catalogue", `catalogue.${id}`, label, value, unit, goal, note))

  // 1. A daily refresh. 1% of the store changed today and 1% yesterday: yesterday's were fetched
  // yesterday, and the mark's day is read again (changes carry dates), so they come back once.
  const stored = ctx.quick ? 10_000 : 100_000
  const onePercent = stored / 100
  const changed = Array.from({ length: 2 * onePercent }, (_, i) => 1 + i * 50)
  const yesterdays = new Set(changed.slice(onePercent))
  ctx.log(`catalogue: daily refresh of ${fmtNum(stored)} stored movies`)
  // A: the store was filled 31 days ago, the day the old 30-day rule comes due.
  const monthOld = (id: number) => (yesterdays.has(id) ? 1 : 31)
  const oldA = await Effect.runPromise(dailyRun(stored, monthOld, 30, undefined))
  const newA = await Effect.runPromise(dailyRun(stored, monthOld, 90, changed))
  // B: as the old rule's daily runs leave a store: fetched evenly over the last 30 days, so that
  // a thirtieth is just past the horizon each day.
  const spread = (id: number) => (yesterdays.has(id) ? 1 : (id % 30) + 1.01)
  const oldB = await Effect.runPromise(dailyRun(stored, spread, 30, undefined))
  const newB = await Effect.runPromise(dailyRun(stored, spread, 90, changed))
  fig(
    "refreshA",
    `daily refresh, a store filled 31 days ago, 1% changed: requests, changes ÷ age-based (${fmtNum(requestsOf(newA))} ÷ ${fmtNum(requestsOf(oldA))})`,
    round(requestsOf(newA) / requestsOf(oldA), 4),
    "×",
    { op: "<=", target: 0.1 }
  )
  fig(
    "refreshB",
    `daily refresh, a store fetched evenly over 30 days, 1% changed: requests, changes ÷ age-based (${fmtNum(requestsOf(newB))} ÷ ${fmtNum(requestsOf(oldB))})`,
    round(requestsOf(newB) / requestsOf(oldB), 4),
    "×",
    undefined,
    "at 1% a day the changed movies alone are 0.3× of the age-based rule's 1/30 a day; the rest is the one day of overlap"
  )
  details.push(
    "| Store | age-based (30 days) | changes + 90-day safety net: details | changes pages |",
    "|---|---|---|---|",
    `| filled 31 days ago | ${fmtNum(oldA.details)} | ${fmtNum(newA.details)} | ${fmtNum(newA.changesPages)} |`,
    `| fetched evenly over 30 days | ${fmtNum(oldB.details)} | ${fmtNum(newB.details)} | ${fmtNum(newB.changesPages)} |`
  )

  // 2. Requests per movie in --all mode, through the CLI against the sandbox.
  const dir = tmpDir("catalogue")
  const sandbox = await startSandbox({ catalogue: { seed: 31, startYear: 2015, endYear: 2020, perYear: ctx.quick ? 200 : 800, includeFixtures: false } })
  try {
    const run = await bundled(["--all", "--rps", "1000", "--burst", "100", "--db", path.join(dir, "all.sqlite")], sandbox.baseUrl, sandbox.filesUrl)
    if (run.code !== 0) throw cliFailure("--all run", run)
    const summary = parseSummary(run.stdout) as { detailsFetched: number } | undefined
    const movies = summary?.detailsFetched ?? 0
    // The linked kinds' export files are left out with their requests.
    const api = movieRequests(sandbox.counters.byEndpoint)
    const exportRequests = sandbox.counters.exportRequests.filter((r) => r.file.includes("movie_ids_")).length
    fig(
      "allPerMovie",
      `--all: movie requests per movie stored (${fmtNum(movies)} movies; API ${fmtNum(api)} + export files ${exportRequests}; ${
        fmtNum(sandbox.counters.requests - api)
      } linked requests apart, section 10)`,
      round((api + exportRequests) / Math.max(1, movies), 4),
      "",
      { op: "<=", target: round(1 + (exportRequests + (sandbox.counters.byEndpoint["changes"] ?? 0)) / Math.max(1, movies), 4) }
    )
    fig("allDiscover", "--all: discover pages requested", sandbox.counters.byEndpoint["discover"] ?? 0, "", { op: "=", target: 0 })
  } finally {
    await sandbox.close()
  }

  // 3. Peak RSS reading a 1.2-million-line export into a fresh store (no detail request).
  const lines = ctx.quick ? 120_000 : 1_200_000
  ctx.log(`catalogue: a ${fmtNum(lines)}-line export (the sandbox takes a while to build it)`)
  const big = await startSandboxProcess({ catalogue: { seed: 1, startYear: 1926, endYear: 2025, perYear: lines / 100, includeFixtures: false } })
  try {
    const read = await bundled(
      ["--all", "--include-adult", "--include-video", "--refresh-limit", "0", "--db", path.join(dir, "big.sqlite")],
      big.baseUrl,
      big.origin
    )
    if (read.code !== 0) throw cliFailure("export run", read)
    const report = (parseSummary(read.stdout) as { export?: { lines: number; new: number } } | undefined)?.export
    const readLines = report?.lines ?? 0
    fig("exportPeakRss", `peak RSS reading and storing a ${fmtNum(readLines)}-line export (bundled CLI)`, round(read.peakRssMB, 0), "MB", {
      op: "<=",
      target: 160
    })
    fig("exportRate", "export lines stored per second, gunzip to commit", round(readLines / (read.wallMs / 1000), 0), "lines/s")
    details.push("", `The export run stored ${fmtNum(report?.new ?? 0)} movies in ${fmtNum(read.wallMs / 1000)} s (wall, start-up included).`)
    // The next day's crawl on that store: every movie is pending, and ids are chosen in rounds.
    const crawlLimit = ctx.quick ? 5_000 : 20_000
    const crawl = await bundled(
      [
        "--all",
        "--include-adult",
        "--include-video",
        "--refresh-limit",
        String(crawlLimit),
        "--rps",
        "5000",
        "--burst",
        "500",
        "--db",
        path.join(dir, "big.sqlite")
      ],
      big.baseUrl,
      big.origin
    )
    if (crawl.code !== 0) throw cliFailure("crawl run", crawl)
    const fetched = (parseSummary(crawl.stdout) as { detailsFetched?: number } | undefined)?.detailsFetched ?? 0
    fig(
      "crawlPeakRss",
      `peak RSS of --refresh-limit ${fmtNum(crawlLimit)} on that store (${fmtNum(readLines)} movies pending, ${fmtNum(fetched)} fetched)`,
      round(crawl.peakRssMB, 0),
      "MB",
      { op: "<=", target: 160 }
    )
  } finally {
    await big.close()
  }

  return {
    title: "6. The whole catalogue",
    method: [
      `Daily refresh: the real \`Collector\` (\`CollectorTest\`: the repository on an in-memory SQLite) over a store of ${fmtNum(stored)} movies ` +
      "with details, and a client that answers at once and counts what is asked. 1% of the store changed today and 1% yesterday; yesterday's " +
      "were fetched yesterday, and since changes carry dates the mark's day is read again, so they are asked once more (the overlap). " +
      "The age-based rule is the collector without a mark (no changes read) and a 30-day horizon, as before; change-driven is the mark set " +
      "yesterday and the 90-day safety net. Requests are details plus /movie/changes pages (100 ids each). Store A was filled 31 days ago; " +
      "store B was fetched evenly over the last 30 days.",
      "Requests per movie: the bundled CLI with `--all` against the in-process sandbox: API requests (details, and today's changes, " +
      "the first request a first run makes) plus export files fetched, per movie stored. The export is fetched twice: once to find the " +
      "newest file and check it is gzip before anything is written, then streamed.",
      `Export memory: the bundled CLI (\`npm run collect\`'s command and heap flags) with \`--all --include-adult --include-video --refresh-limit 0\` ` +
      `against a sandbox process holding a ${fmtNum(lines)}-movie catalogue: every line is gunzipped, parsed and stored; peak RSS is VmHWM. ` +
      "Then the same store's next run with a refresh limit: the whole catalogue is pending, the ids are counted and chosen 10,000 at a time."
    ],
    figures,
    details,
    diagnosis: {}
  }
}
