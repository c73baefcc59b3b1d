import Database from "better-sqlite3"
import { Effect, Either, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { SqlLive } from "../layers/Sql.js"
import { withAppends } from "../sandbox/Appends.js"
import { generateCatalogue } from "../sandbox/index.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { DEFAULT_APPEND } from "../src/Appended.js"
import { toEventLoop } from "../src/Breathe.js"
import { decodeMovieDetails } from "../src/Decode.js"
import { type MovieDetails, movieDetailsOf } from "../src/Movie.js"
import { BROTLI } from "../src/Payloads.js"
import { CHILD_TABLES, childRows, movieRow } from "../src/Rows.js"
import { type Ctx, figure, fmtNum, percentile, round } from "./helpers.js"
import { tmpDir } from "./processes.js"
import { profile, selfTimeTable, summarise } from "./profile.js"

// 4. Storage: MovieRepository.saveOutcomes in batches against raw better-sqlite3 prepared
// upserts, each on a fresh file with the schema the migrations create.

const BATCH = 500

// What MovieRepository.saveOutcomes writes for a movie, one row at a time: its `movies` row, the
// rows of every child table (deleted first), its compressed payload, and no failure row.
const MOVIE_COLUMNS = Object.keys(movieRow(movieDetailsOf({ tmdbId: 1, title: "x" }), ""))
const UPSERT = `INSERT INTO movies (${MOVIE_COLUMNS.join(", ")}) VALUES (${MOVIE_COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (tmdb_id) DO UPDATE SET ${MOVIE_COLUMNS.filter((c) => c !== "tmdb_id" && c !== "discovered_at").map((c) => `${c} = excluded.${c}`).join(", ")}`
const RICH = DEFAULT_APPEND

/** What a database holds besides its movie rows: child rows, and the payloads' bytes. */
const richCounts = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0
    return {
      childRows: CHILD_TABLES.reduce((n, t) => n + count(`SELECT count(*) AS n FROM ${t}`), 0),
      payloads: count("SELECT count(*) AS n FROM movie_payloads"),
      payloadBytes: count("SELECT sum(length(body)) AS n FROM movie_payloads"),
      fileBytes: fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0)
    }
  } finally {
    db.close()
  }
}

/** A fresh database file migrated by the project's own SqlLive, then closed. */
const migrated = async (file: string) => {
  await Effect.runPromise(Effect.scoped(Layer.build(SqlLive(file))))
  return file
}

/**
 * Event-loop lateness sampled every millisecond while `active`: only while the repository commits,
 * so the bench's own decoding between batches is not counted.
 */
const latenessSampler = () => {
  const samples: Array<number> = []
  let timer: ReturnType<typeof setInterval> | undefined
  let last = 0
  return {
    samples,
    start: () => {
      last = performance.now()
      timer = setInterval(() => {
        const now = performance.now()
        samples.push(Math.max(0, now - last - 1))
        last = now
      }, 1)
    },
    // The last interval is the commit's tail: measured by hand, as the timer cannot fire inside it.
    stop: () => {
      clearInterval(timer)
      samples.push(Math.max(0, performance.now() - last - 1))
    }
  }
}

const viaRepository = async (file: string, batches: Batches) => {
  const program = Effect.gen(function*() {
    const repo = yield* MovieRepository
    const at = new Date().toISOString()
    const batchMs: Array<number> = []
    const loop = latenessSampler()
    for (let i = 0; i < batches.count; i++) {
      const movies = batches.decode(i)
      loop.start()
      const b0 = performance.now()
      yield* repo.saveOutcomes(movies, [], at)
      batchMs.push(performance.now() - b0)
      loop.stop()
      // Back to the event loop between batches, as the collector's writer is while it waits for outcomes.
      yield* toEventLoop
    }
    const counts = yield* repo.counts
    return {
      wallMs: batchMs.reduce((a, b) => a + b, 0),
      batchMs,
      loopP99: percentile(loop.samples, 99),
      loopMax: Math.max(...loop.samples),
      loopMean: loop.samples.reduce((a, b) => a + b, 0) / loop.samples.length,
      loopSamples: loop.samples.length,
      rows: counts.with_details
    }
  })
  return Effect.runPromise(program.pipe(Effect.provide(MovieRepository.Default.pipe(Layer.provide(SqlLive(file))))))
}

/**
 * The bodies TMDB would send with the four sub-resources, decoded one batch at a time: holding
 * 100,000 decoded records would make every garbage collection mark them, which the collector,
 * holding one batch, never pays.
 */
interface Batches {
  readonly count: number
  readonly decode: (i: number) => ReadonlyArray<MovieDetails>
}

/** Raw better-sqlite3: the same rows through prepared statements, `batch` movies per transaction. */
const viaRaw = (file: string, batches: Batches, oneTransaction: boolean) => {
  const db = new Database(file)
  try {
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = NORMAL")
    const upsert = db.prepare(UPSERT)
    const clear = db.prepare("DELETE FROM fetch_failures WHERE tmdb_id = ?")
    const payload = db.prepare(`INSERT INTO movie_payloads (tmdb_id, fetched_at, body, encoding, append) VALUES (?, ?, ?, 'br', ?)
      ON CONFLICT (tmdb_id) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body, append = excluded.append`)
    const deletes = new Map<string, Database.Statement>()
    const inserts = new Map<string, Database.Statement>()
    const once = (cache: Map<string, Database.Statement>, table: string, sql: () => string) => {
      let statement = cache.get(table)
      if (statement === undefined) cache.set(table, statement = db.prepare(sql()))
      return statement
    }
    const at = new Date().toISOString()
    const write = (rows: ReadonlyArray<MovieDetails>) => {
      for (const m of rows) {
        upsert.run(...Object.values(movieRow(m, at)))
        for (const [table, list] of Object.entries(childRows(m))) {
          once(deletes, table, () => `DELETE FROM ${table} WHERE tmdb_id = ?`).run(m.tmdbId)
          for (const row of list) {
            const columns = Object.keys(row)
            once(inserts, table, () => `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).run(...Object.values(row))
          }
        }
        payload.run(m.tmdbId, at, zlib.brotliCompressSync(m.body!, BROTLI), RICH.join(","))
        clear.run(m.tmdbId)
      }
    }
    // Timed: the writes and commits only, not the decoding of each batch.
    let wallMs = 0
    const timed = (f: () => void) => {
      const t0 = performance.now()
      f()
      wallMs += performance.now() - t0
    }
    if (oneTransaction) timed(() => db.exec("BEGIN"))
    for (let i = 0; i < batches.count; i++) {
      const movies = batches.decode(i)
      timed(() => (oneTransaction ? write(movies) : db.transaction(write)(movies)))
    }
    if (oneTransaction) timed(() => db.exec("COMMIT"))
    const rows = (db.prepare("SELECT count(details_fetched_at) AS n FROM movies").get() as { n: number }).n
    return { wallMs, rows }
  } finally {
    db.close()
  }
}

export const storageBench = async (ctx: Ctx) => {
  const n = ctx.quick ? 10_000 : 50_000
  const dir = tmpDir("storage")
  const bodies = generateCatalogue({ seed: 7, startYear: 2000, endYear: 2009, perYear: n / 10, includeFixtures: false })
    .map((m) => JSON.stringify(withAppends(m, RICH)))
  const batches: Batches = {
    count: Math.ceil(bodies.length / BATCH),
    decode: (i) => bodies.slice(i * BATCH, (i + 1) * BATCH).map((body) => ({ ...Either.getOrThrow(decodeMovieDetails(JSON.parse(body), RICH)), body }))
  }
  const rawBytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0)
  ctx.log(`storage: ${n} movies through MovieRepository.saveOutcomes (batches of ${BATCH})`)
  const repo = await viaRepository(await migrated(path.join(dir, "repo.sqlite")), batches)
  ctx.log(`storage: ${n} movies through raw better-sqlite3, one transaction`)
  const raw = viaRaw(await migrated(path.join(dir, "raw.sqlite")), batches, true)
  const rawBatched = viaRaw(await migrated(path.join(dir, "raw-batched.sqlite")), batches, false)
  if (repo.rows !== n || raw.rows !== n || rawBatched.rows !== n) {
    throw new Error(`rows stored: repository ${repo.rows}, raw ${raw.rows}, raw batched ${rawBatched.rows}; expected ${n}`)
  }
  // Both sides must have written the same rows for the ratio to mean anything.
  const repoRich = richCounts(path.join(dir, "repo.sqlite"))
  const rawRich = richCounts(path.join(dir, "raw.sqlite"))
  if (repoRich.childRows !== rawRich.childRows || repoRich.payloads !== n || rawRich.payloads !== n) {
    throw new Error(`child rows: repository ${repoRich.childRows}, raw ${rawRich.childRows}; payloads ${repoRich.payloads}, ${rawRich.payloads}; expected ${n}`)
  }
  const profiled = Math.min(n, ctx.quick ? 5_000 : 20_000)
  ctx.log(`storage: profiling ${profiled} movies through the repository`)
  const profFile = await migrated(path.join(dir, "profiled.sqlite"))
  const prof = summarise((await profile(() => viaRepository(profFile, { count: profiled / BATCH, decode: batches.decode }))).profile)
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
      `${n.toLocaleString("en-US")} movies of the sandbox's catalogue, each the body TMDB would send with credits, keywords, release_dates and ` +
      "external_ids appended, decoded to `MovieDetails`, are stored into a fresh " +
      `database migrated by \`SqlLive\`: through \`MovieRepository.saveOutcomes\` in batches of ${BATCH} (layer ` +
      "`MovieRepository.Default.pipe(Layer.provide(SqlLive(file)))`), and through raw better-sqlite3 writing the same rows as prepared " +
      "statements: the `movies` upsert, a delete and the inserts of each child table, the payload compressed the same way (brotli, synchronously), " +
      "and the `fetch_failures` delete, in one transaction (WAL, `synchronous = NORMAL` as SqlLive sets). Both databases are checked to hold the same " +
      "number of child rows and payloads. " +
      "Raw in transactions of 500 is shown too, to separate the cost of batching from the cost of the layers above SQLite.",
      "The bodies are held as text and decoded one batch at a time, outside the timed windows: a collector holds one batch, and 100,000 " +
      "decoded records held at once would make every garbage collection mark them. Rates count the time spent writing and committing only.",
      "Event-loop delay: a 1 ms interval timer's lateness, sampled only while `saveOutcomes` runs (plus the tail of each call); between batches " +
      "the loop yields to the event loop (`setImmediate`), as the collector's writer does while it waits for outcomes. better-sqlite3 and the " +
      "payloads' compression are synchronous: a write hands the loop back between its statements once it has held it for 4 ms " +
      "(`src/Breathe.ts`), and the log's checkpoints run on a worker thread (`layers/Checkpoints.ts`), so the p99 is about the longest statement " +
      "or COMMIT plus 4 ms."
    ],
    figures: [
      figure("storage", "storage.ratio", "repository ÷ raw better-sqlite3, movies/s", round(repoRate / rawRate), "×", { op: ">=", target: 0.5 }),
      figure("storage", "storage.repoRate", `repository movies/s (${n.toLocaleString("en-US")} movies, batches of ${BATCH})`, round(repoRate, 0), "movies/s"),
      figure("storage", "storage.rawRate", "raw better-sqlite3 movies/s (one transaction)", round(rawRate, 0), "movies/s"),
      figure("storage", "storage.rawBatchedRate", `raw better-sqlite3 movies/s (transactions of ${BATCH})`, round(batchedRate, 0), "movies/s"),
      figure(
        "storage",
        "storage.childRows",
        "child rows per movie (genres, companies, countries, languages, cast, crew, keywords, release dates)",
        round(repoRich.childRows / n, 1),
        "rows"
      ),
      figure("storage", "storage.payloadBytes", "stored payload per movie, compressed (brotli)", round(repoRich.payloadBytes / n, 0), "bytes"),
      figure("storage", "storage.payloadRatio", "compressed payload ÷ the body as received", round(repoRich.payloadBytes / rawBytes), "×"),
      figure("storage", "storage.fileBytes", "database file per movie, everything included", round(repoRich.fileBytes / n, 0), "bytes"),
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
      "storage.loopP99": `\`saveOutcomes\` hands the loop back once it has held it for 4 ms (mean lateness ${fmtNum(repo.loopMean)} ms); ` +
        `the longest blocks are single statements that cannot be split, chiefly the COMMIT of ${BATCH} rich movies, which writes their pages ` +
        `to the WAL synchronously, and a checkpoint in the COMMIT if the worker thread fell behind (batch p50 ${fmtNum(batchP50)} ms, ` +
        `p99 ${fmtNum(batchP99)} ms). Profile, top self time: ${top}.`
    }
  }
}
