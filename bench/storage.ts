import Database from "better-sqlite3"
import { Effect, Either, Layer } from "effect"
import * as path from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { SqlLive } from "../layers/Sql.js"
import { generateCatalogue } from "../sandbox/index.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { decodeMovieDetails } from "../src/Decode.js"
import type { MovieDetails } from "../src/Movie.js"
import { type Ctx, figure, fmtNum, percentile, round } from "./helpers.js"
import { tmpDir } from "./processes.js"
import { profile, selfTimeTable, summarise } from "./profile.js"

// 4. Storage: MovieRepository.saveOutcomes in batches against raw better-sqlite3 prepared
// upserts, each on a fresh file with the schema the migrations create.

const BATCH = 500

// The statement MovieRepository.saveOutcomes runs, one row at a time.
const UPSERT = `INSERT INTO movies (tmdb_id, imdb_id, title, original_title, release_date, runtime, budget, revenue,
  genres, production_companies, overview, vote_average, vote_count, popularity, discovered_at, details_fetched_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (tmdb_id) DO UPDATE SET
    imdb_id = excluded.imdb_id, title = excluded.title, original_title = excluded.original_title,
    release_date = excluded.release_date, runtime = excluded.runtime, budget = excluded.budget,
    revenue = excluded.revenue, genres = excluded.genres,
    production_companies = excluded.production_companies, overview = excluded.overview,
    vote_average = excluded.vote_average, vote_count = excluded.vote_count,
    popularity = excluded.popularity, details_fetched_at = excluded.details_fetched_at`

/** A fresh database file migrated by the project's own SqlLive, then closed. */
const migrated = async (file: string) => {
  await Effect.runPromise(Effect.scoped(Layer.build(SqlLive(file))))
  return file
}

const toEventLoop = Effect.async<void>((resume) => void setImmediate(() => resume(Effect.void)))

const viaRepository = async (file: string, movies: ReadonlyArray<MovieDetails>) => {
  const program = Effect.gen(function*() {
    const repo = yield* MovieRepository
    const at = new Date().toISOString()
    const batchMs: Array<number> = []
    const loop = monitorEventLoopDelay({ resolution: 1 })
    loop.enable()
    const t0 = performance.now()
    for (let i = 0; i < movies.length; i += BATCH) {
      const b0 = performance.now()
      yield* repo.saveOutcomes(movies.slice(i, i + BATCH), [], at)
      batchMs.push(performance.now() - b0)
      // Back to the event loop between batches, as the collector's writer is while it waits for outcomes.
      yield* toEventLoop
    }
    const wallMs = performance.now() - t0
    yield* Effect.sleep("5 millis") // lets the delay timer record the last batch
    loop.disable()
    const counts = yield* repo.counts
    return {
      wallMs,
      batchMs,
      loopP99: loop.percentile(99) / 1e6,
      loopMax: loop.max / 1e6,
      loopMean: loop.mean / 1e6,
      loopSamples: loop.count,
      rows: counts.with_details
    }
  })
  return Effect.runPromise(program.pipe(Effect.provide(MovieRepository.Default.pipe(Layer.provide(SqlLive(file))))))
}

/** Raw better-sqlite3: prepared upsert + failure delete per row, `batch` rows per transaction. */
const viaRaw = (file: string, movies: ReadonlyArray<MovieDetails>, batch: number) => {
  const db = new Database(file)
  try {
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = NORMAL")
    const upsert = db.prepare(UPSERT)
    const clear = db.prepare("DELETE FROM fetch_failures WHERE tmdb_id = ?")
    const at = new Date().toISOString()
    const write = db.transaction((rows: ReadonlyArray<MovieDetails>) => {
      for (const m of rows) {
        upsert.run(
          m.tmdbId,
          m.imdbId,
          m.title,
          m.originalTitle,
          m.releaseDate,
          m.runtime,
          m.budget,
          m.revenue,
          JSON.stringify(m.genres),
          JSON.stringify(m.productionCompanies),
          m.overview,
          m.voteAverage,
          m.voteCount,
          m.popularity,
          at,
          at
        )
        clear.run(m.tmdbId)
      }
    })
    const t0 = performance.now()
    for (let i = 0; i < movies.length; i += batch) write(movies.slice(i, i + batch))
    const wallMs = performance.now() - t0
    const rows = (db.prepare("SELECT count(details_fetched_at) AS n FROM movies").get() as { n: number }).n
    return { wallMs, rows }
  } finally {
    db.close()
  }
}

export const storageBench = async (ctx: Ctx) => {
  const n = ctx.quick ? 10_000 : 100_000
  const dir = tmpDir("storage")
  const movies: Array<MovieDetails> = generateCatalogue({ seed: 7, startYear: 2000, endYear: 2009, perYear: n / 10, includeFixtures: false })
    .map((m) => Either.getOrThrow(decodeMovieDetails(m.details())))
  ctx.log(`storage: ${n} movies through MovieRepository.saveOutcomes (batches of ${BATCH})`)
  const repo = await viaRepository(await migrated(path.join(dir, "repo.sqlite")), movies)
  ctx.log(`storage: ${n} movies through raw better-sqlite3, one transaction`)
  const raw = viaRaw(await migrated(path.join(dir, "raw.sqlite")), movies, movies.length)
  const rawBatched = viaRaw(await migrated(path.join(dir, "raw-batched.sqlite")), movies, BATCH)
  if (repo.rows !== n || raw.rows !== n || rawBatched.rows !== n) {
    throw new Error(`rows stored: repository ${repo.rows}, raw ${raw.rows}, raw batched ${rawBatched.rows}; expected ${n}`)
  }
  const profiled = Math.min(n, ctx.quick ? 5_000 : 20_000)
  ctx.log(`storage: profiling ${profiled} movies through the repository`)
  const profFile = await migrated(path.join(dir, "profiled.sqlite"))
  const prof = summarise((await profile(() => viaRepository(profFile, movies.slice(0, profiled)))).profile)
  const repoRate = (n * 1000) / repo.wallMs
  const rawRate = (n * 1000) / raw.wallMs
  const batchedRate = (n * 1000) / rawBatched.wallMs
  const top = prof.functions.slice(0, 5).map((f) => `\`${f.name}\` (${f.where || f.group}) ${(100 * f.share).toFixed(1)}%`).join(", ")
  const groups = prof.groups.slice(0, 6).map((g) => `${g.name} ${(100 * g.share).toFixed(0)}%`).join(", ")
  const batchP50 = percentile(repo.batchMs, 50)
  const batchP99 = percentile(repo.batchMs, 99)
  return {
    title: "4. Storage",
    method: [
      `${n.toLocaleString("en-US")} normalized \`MovieDetails\` (the sandbox's catalogue through its \`normalizeDetails\`) are upserted into a fresh ` +
      `database migrated by \`SqlLive\`: through \`MovieRepository.saveOutcomes\` in batches of ${BATCH} (layer ` +
      "`MovieRepository.Default.pipe(Layer.provide(SqlLive(file)))`), and through raw better-sqlite3 with the same `INSERT ... ON CONFLICT DO UPDATE` " +
      "and the same per-row `DELETE FROM fetch_failures` as prepared statements, in one transaction (WAL, `synchronous = NORMAL` as SqlLive sets). " +
      "Raw in transactions of 500 is shown too, to separate the cost of batching from the cost of the layers above SQLite.",
      "Event-loop delay: `monitorEventLoopDelay({ resolution: 1 })` while the repository commits; between batches the loop yields to the " +
      "event loop (`setImmediate`), as the collector's writer does while it waits for outcomes. better-sqlite3 is synchronous, so the loop " +
      "is blocked for each whole batch: the p99 is the per-batch blocking time. The repository's rows/s include these yields (microseconds each)."
    ],
    figures: [
      figure("storage", "storage.ratio", "repository ÷ raw better-sqlite3, rows/s", round(repoRate / rawRate), "×", { op: ">=", target: 0.5 }),
      figure("storage", "storage.repoRate", `repository rows/s (${n.toLocaleString("en-US")} upserts, batches of ${BATCH})`, round(repoRate, 0), "rows/s"),
      figure("storage", "storage.rawRate", "raw better-sqlite3 rows/s (one transaction)", round(rawRate, 0), "rows/s"),
      figure("storage", "storage.rawBatchedRate", `raw better-sqlite3 rows/s (transactions of ${BATCH})`, round(batchedRate, 0), "rows/s"),
      figure("storage", "storage.loopP99", "event-loop delay p99 while committing through the repository", round(repo.loopP99, 1), "ms", {
        op: "<",
        target: 20
      }),
      figure("storage", "storage.batchP99", `repository commit time per batch of ${BATCH}, p99`, round(batchP99, 1), "ms")
    ],
    details: [
      `Repository: ${fmtNum(repo.wallMs)} ms; commit per batch p50 ${fmtNum(batchP50)} ms, p99 ${fmtNum(batchP99)} ms, max ${
        fmtNum(Math.max(...repo.batchMs))
      } ms; ` +
      `event-loop delay mean ${fmtNum(repo.loopMean)} ms, p99 ${fmtNum(repo.loopP99)} ms, max ${fmtNum(repo.loopMax)} ms (${repo.loopSamples} samples). ` +
      `Raw, one transaction: ${fmtNum(raw.wallMs)} ms. Raw, transactions of ${BATCH}: ${fmtNum(rawBatched.wallMs)} ms.`,
      "",
      `### Repository profile: top self-time functions (${profiled.toLocaleString("en-US")} rows, ${fmtNum(prof.busyMs)} ms busy)`,
      "",
      ...selfTimeTable(prof)
    ],
    diagnosis: {
      "storage.ratio": `The repository takes ${fmtNum(repo.wallMs / n * 1000)} µs per row against ${fmtNum(raw.wallMs / n * 1000)} µs raw ` +
        `(${fmtNum(rawBatched.wallMs / n * 1000)} µs raw in transactions of ${BATCH}). Profile, top self time: ${top}. By package: ${groups}.`,
      "storage.loopP99": `Each \`saveOutcomes\` batch of ${BATCH} blocks the event loop for its whole synchronous transaction ` +
        `(p50 ${fmtNum(batchP50)} ms, p99 ${fmtNum(batchP99)} ms per batch). Profile, top self time: ${top}.`
    }
  }
}
