import { Effect } from "effect"
import { MovieRepository } from "../services/MovieRepository.js"
import { toEventLoop } from "../src/Breathe.js"
import { BATCH, type Section } from "./collectorsCommon.js"
import {
  activeMs,
  type BenchDb,
  type Databases,
  decodeRich,
  type Holdings,
  holdings,
  migrate,
  onDb,
  rawSave,
  repositoryWriter,
  richBodies
} from "./collectorsPg.js"
import { type Ctx, fmtNum, percentile, round, sum } from "./helpers.js"

// Part 1 of benchmark 7: storage on PostgreSQL, MovieRepository.saveOutcomes against raw `pg`
// sending the same statements, each side on its own fresh database.

interface Side {
  readonly ms: number
  readonly batchMs: ReadonlyArray<number>
  readonly activeMs: number
  readonly held: Holdings
}

const childRowCount = (h: Holdings) => sum(Object.values(h.childRows))
const sameHoldings = (a: Holdings, b: Holdings) =>
  a.withDetails === b.withDetails && a.payloads === b.payloads && a.payloadBytes === b.payloadBytes &&
  Object.keys(a.childRows).every((t) => a.childRows[t] === b.childRows[t])
const holdingsText = (h: Holdings) =>
  `${h.withDetails} movies with details, ${childRowCount(h)} child rows (${
    Object.entries(h.childRows).map(([t, n]) => `${t.replace("movie_", "")} ${n}`).join(", ")
  }), ${h.payloads} payloads of ${h.payloadBytes} bytes`

const storeBoth = async (ctx: Ctx, dbs: Databases, n: number, rounds: number) => {
  const bodies = richBodies(n)
  const count = Math.ceil(n / BATCH)
  const batch = (i: number) => decodeRich(bodies.slice(i * BATCH, (i + 1) * BATCH))
  const viaRepository = async (db: BenchDb) => {
    const batchMs: Array<number> = []
    await Effect.runPromise(
      Effect.gen(function*() {
        const repo = yield* MovieRepository
        const at = new Date().toISOString()
        for (let i = 0; i < count; i++) {
          const movies = batch(i)
          const t0 = performance.now()
          yield* repo.saveOutcomes(movies, [], at)
          batchMs.push(performance.now() - t0)
          yield* toEventLoop
        }
      }).pipe(Effect.provide(repositoryWriter(db)))
    )
    return batchMs
  }
  const viaRaw = (db: BenchDb) =>
    onDb(db.url, async (c) => {
      const batchMs: Array<number> = []
      const at = new Date().toISOString()
      for (let i = 0; i < count; i++) {
        const movies = batch(i)
        batchMs.push(await rawSave(c, movies, at))
        await new Promise<void>((r) => setImmediate(r))
      }
      return batchMs
    })
  const side = async (label: "repo" | "raw"): Promise<Side> => {
    const db = await dbs.fresh(label)
    await migrate(db)
    const before = await activeMs(db)
    const batchMs = label === "repo" ? await viaRepository(db) : await viaRaw(db)
    const after = await activeMs(db)
    const held = await holdings(db)
    await dbs.drop(db)
    return { ms: sum(batchMs), batchMs, activeMs: after - before, held }
  }
  const repo: Array<Side> = []
  const raw: Array<Side> = []
  for (let r = 0; r < rounds; r++) {
    // Alternating which goes first, so a noisy neighbour's burst is not always on the same side.
    ctx.log(`collectors: round ${r + 1}/${rounds}, ${n} rich movies into PostgreSQL through the repository and through raw pg`)
    if (r % 2 === 0) {
      repo.push(await side("repo"))
      raw.push(await side("raw"))
    } else {
      raw.push(await side("raw"))
      repo.push(await side("repo"))
    }
  }
  for (const s of [...repo, ...raw]) {
    if (s.held.withDetails !== n || s.held.payloads !== n || !sameHoldings(s.held, repo[0]!.held)) {
      throw new Error(`the databases differ: repository ${holdingsText(repo[0]!.held)}; this one ${holdingsText(s.held)}; expected ${n} movies`)
    }
  }
  return { repo, raw }
}

export const pgStorage = async (ctx: Ctx, dbs: Databases, out: Section): Promise<void> => {
  const { fig, details, diagnosis } = out
  const n = ctx.quick ? 2_000 : 5_000
  const rounds = ctx.quick ? 1 : 2
  const { repo, raw } = await storeBoth(ctx, dbs, n, rounds)
  const repoMs = sum(repo.map((s) => s.ms)) / rounds
  const rawMs = sum(raw.map((s) => s.ms)) / rounds
  const repoRate = (n * 1000) / repoMs
  const rawRate = (n * 1000) / rawMs
  const repoActive = sum(repo.map((s) => s.activeMs)) / rounds / n
  const rawActive = sum(raw.map((s) => s.activeMs)) / rounds / n
  const held = repo[0]!.held
  ctx.log(`collectors: repository ${fmtNum(repoRate)} movies/s, raw pg ${fmtNum(rawRate)} movies/s`)
  fig("pgStorage", `PostgreSQL: repository ÷ raw pg, movies/s (${fmtNum(n)} rich movies, batches of ${BATCH})`, round(repoRate / rawRate), "×", {
    op: ">=",
    target: 0.5
  })
  fig("pgRepoRate", "PostgreSQL: repository movies/s (MovieRepository.saveOutcomes)", round(repoRate, 0), "movies/s")
  fig("pgRawRate", "PostgreSQL: raw pg movies/s (the same statements, a transaction per batch)", round(rawRate, 0), "movies/s")
  fig("pgRepoMsPerMovie", "PostgreSQL: repository time per movie, client and server", round(repoMs / n, 3), "ms")
  fig("pgActivePerMovie", "PostgreSQL: server time per movie stored by the repository (pg_stat_database.active_time)", round(repoActive, 3), "ms")
  fig("pgBytesPerMovie", "PostgreSQL: database size per rich movie, everything included", round(held.databaseBytes / n, 0), "bytes")
  details.push(
    `**Storage.** Each side, each round: ${holdingsText(held)} (checked equal on both sides). ` +
      `Repository ${repo.map((s) => `${fmtNum(s.ms)} ms`).join(", ")} (batch p50 ${fmtNum(percentile(repo.flatMap((s) => s.batchMs), 50))} ms, max ${
        fmtNum(Math.max(...repo.flatMap((s) => s.batchMs)))
      } ms; server active ${fmtNum(repoActive)} ms per movie); ` +
      `raw pg ${raw.map((s) => `${fmtNum(s.ms)} ms`).join(", ")} (batch p50 ${fmtNum(percentile(raw.flatMap((s) => s.batchMs), 50))} ms; server active ${
        fmtNum(rawActive)
      } ms per movie). Database size ${fmtNum(held.databaseBytes / 1e6)} MB for ${fmtNum(n)} movies.`,
    ""
  )
  diagnosis["collectors.pgStorage"] = `Repository ${fmtNum(repoMs / n)} ms per movie against raw ${fmtNum(rawMs / n)} ms; the server's own time ` +
    `(active_time) is ${fmtNum(repoActive)} against ${fmtNum(rawActive)} ms per movie, so the difference is on the client side.`
  out.method.push(
    `Storage: ${fmtNum(n)} rich movies (the sandbox catalogue's bodies with ${"credits, keywords, release_dates and external_ids"} appended, decoded ` +
      `a batch at a time outside the timed window) stored into a fresh PostgreSQL database migrated by \`PgLive\`, through ` +
      `\`MovieRepository.saveOutcomes\` in batches of ${BATCH} (\`MovieRepository.Default\` over \`PgLive\`), and through raw \`pg\` sending the ` +
      "same statements by hand: per slice of 50 movies the multi-row `movies` upsert, per child table a `DELETE ... WHERE tmdb_id = ANY($1)` and " +
      "multi-row inserts of 256, 128, ... rows, the `movie_payloads` upsert with the same brotli bodies, the `fetch_failures` delete, then the " +
      `\`removed_at\` update, one transaction per batch. ${rounds} round(s), alternating which side goes first, each side on its own fresh database; ` +
      "both are checked to hold the same movies, child rows per table, payloads and payload bytes. Server time is pg_stat_database.active_time."
  )
}
