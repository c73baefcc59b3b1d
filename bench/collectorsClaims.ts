import { Effect, Layer } from "effect"
import { type Sandbox, type SandboxOptions, startSandbox } from "../sandbox/index.js"
import { Coordination, CoordinationLive } from "../services/Coordination.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { BURST, CATALOGUE, CLAIM_SIZE, RPS, type Section } from "./collectorsCommon.js"
import { type BenchDb, type Databases, migrate, onDb, pgLayer } from "./collectorsPg.js"
import { checkTruth, type CollectorsRun, runCollectors, runText, type Years } from "./collectorsRun.js"
import { type Ctx, fmtNum, percentile, round } from "./helpers.js"

// Part 4 of benchmark 7: claims on a long queue. Coordination.claimDetails timed on a database
// holding many movies discovered and never fetched, as a whole-catalogue store holds them, and
// one collector's rate on that queue against its rate on an empty database.

/** The filler's ids start here, above the sandbox's, so the sandbox's movies are claimed first. */
const FILLER_FROM = 1_000_000

/** `count` movies needing details, ids `from`.., inserted in one statement, then analysed. */
const fillPending = (db: BenchDb, from: number, count: number) =>
  onDb(db.url, async (c) => {
    await c.query(
      `INSERT INTO movies (tmdb_id, title, release_date, vote_count, vote_average, popularity, discovered_at, votes_at)
       SELECT g, 'Movie ' || g, '2001-01-01', 300, 6.5, 1.0, now(), now() FROM generate_series($1::int, $2::int) g`,
      [from, from + count - 1]
    )
    await c.query("ANALYZE")
  })

const DAY = 86_400_000

/** The selection policy the Collector builds for a run in years mode (services/Collector.ts). */
const policyAt = (nowMs: number, attemptedBefore: string) => ({
  staleBefore: new Date(nowMs - 90 * DAY).toISOString(),
  recentReleasedAfter: new Date(nowMs - 90 * DAY).toISOString().slice(0, 10),
  recentStaleBefore: new Date(nowMs - 7 * DAY).toISOString(),
  attemptedBefore
})

/**
 * `claims` calls of Coordination.claimDetails for `size` movies each, as one collector of a
 * generation makes them, timed one by one; what they leased is given back and the run finished.
 */
const claimTimes = (db: BenchDb, claims: number, size: number) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const coordination = yield* Coordination
      const at = new Date().toISOString()
      const runId = yield* repo.startRun({ bench: "collectors" }, at, { alone: false, collector: `bench ${process.pid}` })
      yield* coordination.join(runId)
      const policy = policyAt(Date.now(), at)
      const times: Array<number> = []
      let claimed = 0
      for (let i = 0; i < claims; i++) {
        const t0 = performance.now()
        claimed += (yield* coordination.claimDetails(runId, policy, size)).length
        times.push(performance.now() - t0)
      }
      const end = new Date().toISOString()
      yield* coordination.release(runId)
      yield* repo.finishRun(runId, "complete", null, end)
      return { times, claimed }
    }).pipe(Effect.provide(Layer.mergeAll(MovieRepository.Default, CoordinationLive(30)).pipe(Layer.provideMerge(pgLayer(db)))))
  )

export interface Claims {
  /** A claim's median on the 100,000-movie queue and on the larger one. */
  readonly c100k: { readonly pending: number; readonly median: number }
  readonly cFull: { readonly pending: number; readonly median: number }
  /** A claim on a queue of the whole catalogue: measured, or (--quick) scaled to it linearly. */
  readonly claimMsAtCatalogue: number
  /** The sandbox's movies with details, which both collectors store. */
  readonly qMovies: number
  /** One collector on the larger queue and on an empty database, and their movies stored per second. */
  readonly long: CollectorsRun
  readonly empty: CollectorsRun
  readonly rateLong: number
  readonly rateEmpty: number
}

export const queueClaims = async (ctx: Ctx, dbs: Databases, open: Array<Sandbox>, out: Section): Promise<Claims> => {
  const { fig, details } = out
  const quick = ctx.quick
  const claims = quick ? 6 : 10
  const queueSizes = quick ? [100_000] : [100_000, CATALOGUE]
  const claimCost: Array<{ pending: number; fillMs: number; median: number; times: ReadonlyArray<number> }> = []
  let queueDb: BenchDb | undefined
  for (const pending of queueSizes) {
    const db = await dbs.fresh(`claims${pending}`)
    await migrate(db)
    ctx.log(`collectors: ${fmtNum(pending)} movies pending, then ${claims} claims of ${CLAIM_SIZE}`)
    const f0 = performance.now()
    await fillPending(db, FILLER_FROM, pending)
    const fillMs = performance.now() - f0
    const { times, claimed } = await claimTimes(db, claims, CLAIM_SIZE)
    if (claimed !== claims * CLAIM_SIZE) throw new Error(`claims on ${pending} pending movies leased ${claimed}, expected ${claims * CLAIM_SIZE}`)
    claimCost.push({ pending, fillMs, median: percentile(times, 50), times })
    if (pending === queueSizes.at(-1)) queueDb = db
    else await dbs.drop(db)
  }
  const c100k = claimCost[0]!
  const cFull = claimCost.at(-1)!
  // Claims scan every movie row: measured at the catalogue's size, or scaled to it linearly.
  const claimMsAtCatalogue = cFull.pending === CATALOGUE ? cFull.median : (cFull.median * CATALOGUE) / cFull.pending
  fig("claim100k", `claimDetails of ${CLAIM_SIZE} on ${fmtNum(c100k.pending)} pending movies, median of ${claims}`, round(c100k.median, 1), "ms")
  if (cFull.pending === CATALOGUE) {
    fig("claimCatalogue", `claimDetails of ${CLAIM_SIZE} on ${fmtNum(CATALOGUE)} pending movies, median of ${claims}`, round(cFull.median, 1), "ms")
  }
  // A collector on that queue, against one on an empty database: the sandbox's movies have the
  // lowest ids, so they are claimed first, and --refresh-limit stops it when they are done.
  const qYears: Years = { startYear: 2010, endYear: 2013 }
  const qOptions: SandboxOptions = {
    catalogue: { seed: 72, ...qYears, perYear: quick ? 80 : 150, includeFixtures: false },
    latencyMs: 20,
    rateLimit: { rps: RPS, burst: BURST }
  }
  const qMovies = await (async () => {
    const s = await startSandbox(qOptions)
    try {
      return s.groundTruth(qYears).filter((t) => t.details !== null).length
    } finally {
      await s.close()
    }
  })()
  const limit = ["--refresh-limit", String(qMovies)]
  const empty = await runCollectors(ctx, dbs, open, { k: 1, options: qOptions, years: qYears, label: "empty queue", extra: limit })
  const long = await runCollectors(ctx, dbs, open, {
    k: 1,
    options: qOptions,
    years: qYears,
    label: `${fmtNum(cFull.pending)} more pending`,
    db: queueDb!,
    extra: limit
  })
  checkTruth(empty)
  const sandboxStored = await onDb(
    queueDb!.url,
    async (c) => Number((await c.query(`SELECT count(*)::int AS n FROM movies WHERE tmdb_id < $1 AND details_fetched_at IS NOT NULL`, [FILLER_FROM])).rows[0].n)
  )
  if (sandboxStored !== qMovies || long.held.withDetails !== qMovies) {
    throw new Error(`on the long queue: ${sandboxStored} of the sandbox's ${qMovies} movies stored (${long.held.withDetails} in all)`)
  }
  const rateEmpty = (qMovies * 1000) / empty.wallMs
  const rateLong = (qMovies * 1000) / long.wallMs
  ctx.log(`collectors: ${runText(empty)}`)
  ctx.log(`collectors: ${runText(long)}`)
  fig(
    "queueRate",
    `one collector with ${fmtNum(cFull.pending)} more movies pending ÷ on an empty database, movies/s (${qMovies} movies)`,
    round(rateLong / rateEmpty),
    "×"
  )
  fig("queueRateLong", `one collector with ${fmtNum(cFull.pending)} movies pending, movies stored per second`, round(rateLong, 1), "movies/s")
  details.push(
    `**Claims.** ${
      claimCost.map((c) =>
        `${fmtNum(c.pending)} pending (inserted in ${fmtNum(c.fillMs / 1000)} s): claims of ${CLAIM_SIZE} took ${c.times.map((t) => fmtNum(t)).join(", ")} ms`
      ).join("; ")
    }. ${runText(empty)} ${runText(long)}`,
    ""
  )
  out.method.push(
    `Claims: ${claims} calls of \`Coordination.claimDetails\` (${CLAIM_SIZE} movies, the CLI's claim with the default concurrency) on a database ` +
      `holding ${queueSizes.map((q) => fmtNum(q)).join(" and ")} discovered, never-fetched movies; then one collector (\`--refresh-limit\` = the ` +
      `sandbox's ${qMovies} movies, whose ids are below the filler's) on the larger one against one on an empty database.`
  )
  return { c100k, cFull, claimMsAtCatalogue, qMovies, long, empty, rateLong, rateEmpty }
}
