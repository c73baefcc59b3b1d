import Database from "better-sqlite3"
import { Context, Effect, Layer, Stream } from "effect"
import * as path from "node:path"
import { SqlLive } from "../layers/Sql.js"
import { mulberry32, type Rng } from "../sandbox/Random.js"
import { type ExportEntry, MovieRepository } from "../services/MovieRepository.js"
import type { ExportLine } from "../src/Catalogue.js"
import { MIN_POPULARITY_CHANGE, PopularityThreshold } from "../src/MetricsHistory.js"
import { type DiscoveredMovie, movieDetailsOf } from "../src/Movie.js"
import { movieKind } from "../src/MovieKind.js"
import { type Ctx, type Figure, figure, fmtNum, round } from "./helpers.js"
import { tmpDir } from "./processes.js"

// 11. The history of popularity and votes: what a month of daily runs adds to
// movie_metrics_history, driven through the repository calls the collector makes, on SQLite.

const DAYS = 30
const SLICE = 500
const DISCOVER_SHARE = 0.02
const DETAILS_SHARE = 0.01
const HISTORY = ["movie_metrics_history", "movie_metrics_history_tmdb_id_observed_at"]

/** A standard normal draw (Box-Muller). */
const normal = (r: Rng) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
const round3 = (n: number) => Math.round(n * 1000) / 1000

interface Movie {
  readonly id: number
  level: number
  popularity: number
  voteCount: number
  voteAverage: number
}

/**
 * TMDB's popularity is heavy-tailed: Pareto with a floor of 0.6 and shape 1.2 puts 76% of movies
 * under 2 and about 0.2% (200 of 100,000) over 100. Votes follow popularity loosely.
 */
const catalogue = (r: Rng, n: number): Array<Movie> =>
  Array.from({ length: n }, (_, i) => {
    const level = 0.6 * (1 - r()) ** (-1 / 1.2)
    const voteCount = Math.floor(level ** 1.5 * 10 * r())
    return { id: i + 1, level, popularity: round3(level), voteCount, voteAverage: voteCount === 0 ? 0 : round3(4 + 4 * r()) }
  })

/**
 * A day passes: each movie's level drifts (1% a day, a random walk) and the day's figure is that
 * level with 3% of noise, printed with 3 decimals as TMDB prints it.
 */
const drift = (r: Rng, movies: ReadonlyArray<Movie>) => {
  for (const m of movies) {
    m.level *= Math.exp(0.01 * normal(r))
    m.popularity = round3(m.level * Math.exp(0.03 * normal(r)))
  }
}

/** Votes grow slowly, more for popular movies; a new vote moves the average a little. */
const vote = (r: Rng, m: Movie) => {
  const added = Math.floor(r() * (1 + m.level / 5))
  if (added === 0) return
  const given = Math.min(10, Math.max(0, (m.voteAverage || 6) + 2 * normal(r)))
  m.voteAverage = round3((m.voteAverage * m.voteCount + given * added) / (m.voteCount + added))
  m.voteCount += added
}

const sample = (r: Rng, movies: ReadonlyArray<Movie>, share: number) => movies.filter(() => r() < share)

const dayOf = (d: number) => new Date(Date.UTC(2026, 5, 1) + d * 86_400_000).toISOString().slice(0, 10)

/** Bytes the history's table and index take (dbstat: every page, free space within them included), and their rows. */
const measure = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    const bytes = db.prepare(`SELECT sum(pgsize) FROM dbstat WHERE name IN (${HISTORY.map(() => "?").join(", ")})`).pluck().get(...HISTORY) as number
    const rows = db.prepare("SELECT count(*) FROM movie_metrics_history").pluck().get() as number
    const bySource = db.prepare("SELECT source, count(*) AS n FROM movie_metrics_history GROUP BY source ORDER BY source").all() as Array<
      { source: string; n: number }
    >
    return { bytes, rows, bySource }
  } finally {
    db.close()
  }
}

const exportOf = (movies: ReadonlyArray<Movie>) => {
  const slices: Array<Array<ExportEntry<ExportLine>>> = []
  for (let i = 0; i < movies.length; i += SLICE) {
    slices.push(
      movies.slice(i, i + SLICE).map((m) => ({
        line: { id: m.id, originalTitle: `Movie ${m.id}`, popularity: m.popularity, adult: false, video: false },
        kept: true
      }))
    )
  }
  return Stream.fromIterable(slices)
}

// The same export, with the kind's history hook left out: the export phase as it was before the history.
const { observed: _observed, ...exportsWithoutHistory } = movieKind.exports!
const withoutHistory = { ...movieKind, exports: exportsWithoutHistory }

interface Store {
  readonly file: string
  readonly repo: MovieRepository
  /** The history's popularity threshold; undefined: the export without its history hook (the baseline). */
  readonly threshold: number | undefined
  readonly exportMs: Array<number>
  start: ReturnType<typeof measure>
}

/**
 * A month of daily runs on `n` movies, the same observations fed to a store for each threshold
 * and to a baseline store that writes no history; each store's export time of each day.
 */
const month = (dir: string, n: number, thresholds: ReadonlyArray<number>, log: (m: string) => void) =>
  Effect.gen(function*() {
    const r = mulberry32(23)
    const movies = catalogue(r, n)
    const stores: Array<Store> = []
    for (const threshold of [...thresholds, undefined]) {
      const file = path.join(dir, `history-${threshold ?? "baseline"}.sqlite`)
      const repo = yield* Effect.map(Layer.build(MovieRepository.Default.pipe(Layer.provide(SqlLive(file)))), Context.get(MovieRepository))
      stores.push({ file, repo, threshold, exportMs: [], start: { bytes: 0, rows: 0, bySource: [] } })
    }
    const histories = stores.filter((s) => s.threshold !== undefined)
    const each = (f: (repo: MovieRepository) => Effect.Effect<unknown, unknown>) =>
      Effect.forEach(histories, (s) => Effect.provideService(f(s.repo), PopularityThreshold, s.threshold!), { discard: true })
    for (let d = 0; d <= DAYS; d++) {
      if (d > 0) drift(r, movies)
      const at = (hour: number) => `${dayOf(d)}T${String(hour).padStart(2, "0")}:00:00.000Z`
      // Each day's run: the export first (made overnight), then a few discover pages and details.
      for (const s of stores) {
        const t0 = performance.now()
        const stored = s.repo.storeExport(exportOf(movies), dayOf(d), at(8), s.threshold === undefined ? withoutHistory : movieKind)
        yield* Effect.provideService(stored, PopularityThreshold, s.threshold ?? 0)
        if (d > 0) s.exportMs.push(performance.now() - t0)
      }
      const seen = sample(r, movies, DISCOVER_SHARE)
      for (const m of seen) vote(r, m)
      const live = (m: Movie) => ({ voteAverage: m.voteAverage, voteCount: m.voteCount, popularity: round3(m.level * Math.exp(0.03 * normal(r))) })
      const pages: Array<Array<DiscoveredMovie>> = []
      for (let i = 0; i < seen.length; i += 20) {
        pages.push(seen.slice(i, i + 20).map((m) => ({ tmdbId: m.id, title: `Movie ${m.id}`, releaseDate: "2020-01-01", ...live(m) })))
      }
      yield* each((repo) => Effect.forEach(pages, (page) => repo.upsertDiscovered(page, at(9))))
      const fetched = sample(r, movies, DETAILS_SHARE).map((m) => movieDetailsOf({ tmdbId: m.id, title: `Movie ${m.id}`, ...live(m) }))
      const batches = Array.from({ length: Math.ceil(fetched.length / 50) }, (_, i) => fetched.slice(i * 50, i * 50 + 50))
      yield* each((repo) => Effect.forEach(batches, (batch) => repo.saveOutcomes(batch, [], at(10))))
      if (d === 0) { for (const s of histories) s.start = measure(s.file) }
      if (d % 10 === 0) log(`history: day ${d} of ${DAYS}, ${histories.map((s) => `${fmtNum(measure(s.file).rows)} rows at ${s.threshold}`).join(", ")}`)
    }
    return stores.map((s) => ({ ...s, end: s.threshold === undefined ? s.start : measure(s.file) }))
  }).pipe(Effect.scoped)

/** The stores' thresholds: the one in force, and none (every change a row), to show what it saves. */
const THRESHOLDS = [MIN_POPULARITY_CHANGE, 0]

export const historyBench = async (ctx: Ctx) => {
  const movies = ctx.quick ? 10_000 : 100_000
  ctx.log(`history: ${DAYS} daily runs on ${fmtNum(movies)} movies`)
  const stores = await Effect.runPromise(month(tmpDir("history"), movies, THRESHOLDS, ctx.log))
  const baseline = median(stores.find((s) => s.threshold === undefined)!.exportMs)
  const movieDays = movies * DAYS
  const figures: Array<Figure> = []
  const details = [
    "| Popularity threshold | rows per movie per day | bytes per movie per day | bytes per row | rows: discover / details / export | MiB after the month | export phase (median day) |",
    "|---|---|---|---|---|---|---|"
  ]
  for (const s of stores) {
    if (s.threshold === undefined) continue
    const rows = s.end.rows - s.start.rows
    const bytes = s.end.bytes - s.start.bytes
    const pct = `${round(s.threshold * 100, 1)}%`
    const by = (source: string) => fmtNum(s.end.bySource.find((b) => b.source === source)?.n ?? 0)
    const fig = (id: string, label: string, value: number, unit: string) =>
      figures.push(figure("history", `history.${id}.${pct}`, `${label}, threshold ${pct}`, value, unit))
    fig("bytesPerMovieDay", `history bytes per movie per day (table + index, days 1-${DAYS}, ${fmtNum(movies)} movies)`, round(bytes / movieDays, 1), "B")
    fig("rowsPerMovieDay", "history rows per movie per day", round(rows / movieDays, 3), "")
    fig("exportRatio", `export phase, ${fmtNum(movies)} lines: with the history ÷ without (median day)`, round(median(s.exportMs) / baseline, 2), "×")
    details.push(
      `| ${pct} | ${round(rows / movieDays, 3)} | ${round(bytes / movieDays, 1)} | ${round(bytes / Math.max(1, rows), 1)} | ` +
        `${by("discover")} / ${by("details")} / ${by("export")} | ${round(s.end.bytes / 2 ** 20, 1)} | ${fmtNum(round(median(s.exportMs), 0))} ms |`
    )
  }
  const first = stores[0]!.start
  details.push(
    "",
    `Day 0, every movie's first row: ${fmtNum(round(first.bytes / movies, 1))} bytes per movie. The export phase without the history ` +
      `(the baseline): ${fmtNum(round(baseline, 0))} ms on the median day.`
  )
  return {
    title: "11. History of popularity and votes",
    method: [
      `${DAYS + 1} daily runs (day 0, then a month) on ${fmtNum(movies)} movies, through the repository calls the collector makes, on SQLite: ` +
      "`storeExport` of every movie's export line (slices of 500), then `upsertDiscovered` of 2% of the movies in pages of 20 and " +
      "`saveOutcomes` of 1% in batches of 50. Popularity is Pareto (floor 0.6, shape 1.2: 76% under 2, about 0.2% over 100); each day " +
      "a movie's level drifts 1% (a random walk) and each observation adds 3% of noise, printed with 3 decimals as TMDB prints it. " +
      "Vote counts grow by a few votes a day, more for popular movies. The same observations go to one store per popularity threshold " +
      "(`MIN_POPULARITY_CHANGE`, and 0: every change a row). Bytes are the pages of `movie_metrics_history` and its index " +
      `(SQLite's \`dbstat\`, free space in them included), days 1 to ${DAYS} beyond what day 0 left.`,
      "Export phase: each day's `storeExport` timed on each store, against a baseline store fed the same lines through the movie " +
      "kind without its history hook, as the export was before the history."
    ],
    figures,
    details,
    diagnosis: {}
  }
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
