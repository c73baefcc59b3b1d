import Database from "better-sqlite3"
import { Effect, Layer, Redacted } from "effect"
import * as path from "node:path"
import { HttpLive, TmdbClientLayer } from "../layers/Tmdb.js"
import { startSandbox } from "../sandbox/index.js"
import { TmdbClient } from "../services/TmdbClient.js"
import { fewestDiscoverRequests } from "../src/Discover.js"
import { API_KEY, type Ctx, type Figure, figure, fmtNum, movieRequests, round } from "./helpers.js"
import { cliFailure, collectArgs, parseSummary, runCli, tmpDir } from "./processes.js"

// 2. Request economy: the real CLI against an in-process sandbox. A fresh run, an immediate
// rerun, and a run SIGKILLed at ~50% of details followed by a resume.

const RPS = 200
const BURST = 50
const CONCURRENCY = 10
const START = 2019
const END = 2021

const dbCounts = (file: string) => {
  const db = new Database(file)
  try {
    return db.prepare("SELECT count(*) AS movies, count(details_fetched_at) AS details FROM movies").get() as { movies: number; details: number }
  } finally {
    db.close()
  }
}

/**
 * Discovery of one crowded year (10% of its movies on January 1, no vote threshold) with ties in
 * a fixed order and with ties reshuffled on every request: discover requests against the fewest
 * that can list every movie, and movies missed.
 */
const discoverCost = async (perYear: number, unstableOrder: boolean) => {
  const sandbox = await startSandbox({
    unstableOrder,
    catalogue: { seed: 7, startYear: 2020, endYear: 2020, perYear, includeFixtures: false, crowdedDayFraction: 0.1 }
  })
  try {
    const truth = sandbox.groundTruth({ startYear: 2020, endYear: 2020, minVoteCount: 0 })
    const layer = TmdbClientLayer({
      credentials: { _tag: "ApiKey", key: Redacted.make(API_KEY) },
      baseUrl: sandbox.baseUrl,
      requestsPerSecond: 2_000,
      burst: 100,
      maxConcurrent: CONCURRENCY
    }).pipe(Layer.provide(HttpLive))
    const found = await Effect.runPromise(
      Effect.flatMap(TmdbClient, (c) => c.discoverMovies({ startYear: 2020, minVoteCount: 0 })).pipe(Effect.provide(layer))
    )
    const ids = new Set(found.movies.map((m) => m.tmdbId))
    return {
      movies: truth.length,
      requests: sandbox.counters.byEndpoint["discover"] ?? 0,
      fewest: fewestDiscoverRequests(truth.length),
      missed: truth.filter((t) => !ids.has(t.tmdbId)).length,
      complete: found.complete
    }
  } finally {
    await sandbox.close()
  }
}

export const economyBench = async (ctx: Ctx) => {
  const perYear = ctx.quick ? 100 : 400
  const sandbox = await startSandbox({
    catalogue: { startYear: START, endYear: END, perYear, includeFixtures: false },
    latencyMs: 20,
    jitterMs: 10
  })
  const dir = tmpDir("economy")
  try {
    const truth = sandbox.groundTruth({ startYear: START, endYear: END, minVoteCount: 0 })
    const perYearListed = new Map<string, number>()
    for (const t of truth) perYearListed.set(t.discovered.releaseDate.slice(0, 4), (perYearListed.get(t.discovered.releaseDate.slice(0, 4)) ?? 0) + 1)
    // The fewest discover pages that can list them: 20 per page, per year (no year needs a split).
    const idealPages = [...perYearListed.values()].reduce((a, n) => a + Math.max(1, Math.ceil(n / 20)), 0)
    const movies = truth.length
    const timeoutMs = 120_000
    const figures: Array<Figure> = []
    const cli = (db: string, killWhen?: () => boolean) =>
      runCli(collectArgs({ startYear: START, endYear: END, db, rps: RPS, burst: BURST, concurrency: CONCURRENCY }), {
        baseUrl: sandbox.baseUrl,
        timeoutMs,
        ...(killWhen !== undefined ? { killWhen } : {})
      })

    // Fresh run.
    ctx.log(`economy: fresh run, ${movies} movies over ${END - START + 1} years`)
    const dbA = path.join(dir, "a.sqlite")
    sandbox.resetCounters()
    const fresh = await cli(dbA)
    if (fresh.code !== 0) throw cliFailure("fresh run", fresh)
    const c = sandbox.counters
    const stored = dbCounts(dbA)
    const freshReq = { total: c.requests, discover: c.byEndpoint["discover"] ?? 0, movie: c.byEndpoint["movie"] ?? 0 }
    const ownRequests = movieRequests(c.byEndpoint)
    const goal = 1 + idealPages / Math.max(1, stored.movies)
    figures.push(
      figure(
        "economy",
        "economy.perMovie",
        `fresh run: movie requests (discover, details, changes) per stored movie (${fmtNum(stored.movies)} movies; ${
          fmtNum(freshReq.total - ownRequests)
        } linked requests apart, section 10)`,
        round(ownRequests / Math.max(1, stored.movies), 4),
        "",
        { op: "<=", target: round(goal, 4) }
      ),
      figure("economy", "economy.stored", "fresh run: movies stored with details ÷ movies listed by the sandbox", round(stored.details / movies, 4), "×", {
        op: "=",
        target: 1
      })
    )

    // Immediate rerun.
    ctx.log("economy: immediate rerun")
    sandbox.resetCounters()
    const rerun = await cli(dbA)
    if (rerun.code !== 0) throw cliFailure("rerun", rerun)
    const rerunReq = { total: sandbox.counters.requests, movie: sandbox.counters.byEndpoint["movie"] ?? 0 }
    figures.push(figure("economy", "economy.rerunDetails", "immediate rerun: detail requests", rerunReq.movie, "", { op: "=", target: 0 }))

    // SIGKILL at ~50% of details, then resume.
    ctx.log("economy: run killed at ~50% of details, then resume")
    const dbB = path.join(dir, "b.sqlite")
    sandbox.resetCounters()
    let servedAtKill = 0
    const killed = await cli(dbB, () => {
      servedAtKill = sandbox.counters.byEndpoint["movie"] ?? 0
      return servedAtKill >= movies / 2
    })
    if (killed.signal !== "SIGKILL") throw cliFailure("the run to kill ended on its own", killed)
    const atKill = dbCounts(dbB)
    const servedBeforeResume = sandbox.counters.detailsServed.size
    const resume = await cli(dbB)
    if (resume.code !== 0) throw cliFailure("resume", resume)
    const twice = [...sandbox.counters.detailsServed.values()].filter((n) => n >= 2).length
    const after = dbCounts(dbB)
    figures.push(
      figure("economy", "economy.twice", `kill at ${fmtNum((100 * servedAtKill) / movies)}% + resume: details fetched twice`, twice, "", {
        op: "<=",
        target: CONCURRENCY
      }),
      figure("economy", "economy.resumeComplete", "kill + resume: movies with details ÷ movies listed", round(after.details / movies, 4), "×", {
        op: "=",
        target: 1
      })
    )
    // Discovery's completeness check, in order of ties fixed and reshuffled.
    ctx.log("economy: discovery of a crowded year, ties fixed and reshuffled")
    const crowdedPerYear = ctx.quick ? 1_000 : 3_000
    const stable = await discoverCost(crowdedPerYear, false)
    const unstable = await discoverCost(crowdedPerYear, true)
    figures.push(
      figure(
        "economy",
        "economy.discoverStable",
        `crowded year, ties in a fixed order: discover requests ÷ the fewest (${fmtNum(stable.fewest)})`,
        round(stable.requests / stable.fewest, 3),
        "×",
        { op: "<=", target: 1 }
      ),
      figure(
        "economy",
        "economy.discoverUnstable",
        `crowded year, ties reshuffled per request: discover requests ÷ the fewest (${fmtNum(unstable.fewest)})`,
        round(unstable.requests / unstable.fewest, 3),
        "×",
        { op: "<=", target: 3 }
      ),
      figure("economy", "economy.discoverMissed", "crowded year, both orders: movies missed", stable.missed + unstable.missed, "", { op: "=", target: 0 })
    )
    const summary = parseSummary(fresh.stdout)
    return {
      title: "2. Request economy",
      method: [
        `The real CLI (\`scripts/collect.ts --start-year ${START} --end-year ${END} --min-vote-count 0 --rps ${RPS} --burst ${BURST} --concurrency ${CONCURRENCY}\`) ` +
        `against an in-process sandbox of ${END - START + 1} years × ${perYear} movies (20 ± 10 ms latency, no rate limit); ` +
        "request counts are the sandbox's, taken after `resetCounters()`. The goal for requests per stored movie is " +
        `1 + (the fewest discover pages that list every movie: ${idealPages}) ÷ (movies stored). ` +
        "The kill is a SIGKILL once the sandbox has served half the expected detail requests; the resume is the same command on the same database, " +
        "and a detail counts as fetched twice when the sandbox served its `/movie/{id}` with 200 more than once across both runs.",
        `Discovery of one crowded year (${fmtNum(crowdedPerYear)} movies generated, 10% of them on January 1, \`vote_count.gte\` 0) through ` +
        "`TmdbClient.discoverMovies` against an in-process sandbox, once with ties in a fixed order and once with `unstableOrder` " +
        "(same-day ties reshuffled on every request, as TMDB's are). The fewest requests is one per 20 movies listed."
      ],
      figures,
      details: [
        "| Run | TMDB requests | discover pages | detail requests | movies stored | with details | wall |",
        "|---|---|---|---|---|---|---|",
        `| fresh | ${freshReq.total} | ${freshReq.discover} (fewest possible: ${idealPages}) | ${freshReq.movie} | ${stored.movies} | ${stored.details} | ${
          fmtNum(fresh.wallMs / 1000)
        } s |`,
        `| rerun | ${rerunReq.total} | ${rerunReq.total - rerunReq.movie} | ${rerunReq.movie} | ${stored.movies} | ${stored.details} | ${
          fmtNum(rerun.wallMs / 1000)
        } s |`,
        `| killed | | | ${servedAtKill} served before the kill | ${atKill.movies} | ${atKill.details} | ${fmtNum(killed.wallMs / 1000)} s |`,
        `| crowded year, ties fixed | ${stable.requests} | ${stable.requests} (fewest possible: ${stable.fewest}) | | ${
          stable.movies - stable.missed
        } of ${stable.movies} listed | | |`,
        `| crowded year, ties reshuffled | ${unstable.requests} | ${unstable.requests} (fewest possible: ${unstable.fewest}) | | ${
          unstable.movies - unstable.missed
        } of ${unstable.movies} listed | | |`,
        `| resume | ${sandbox.counters.requests} (both runs) | | ${(sandbox.counters.byEndpoint["movie"] ??
          0)} (both runs) | ${after.movies} | ${after.details} | ${fmtNum(resume.wallMs / 1000)} s |`,
        "",
        `Distinct movies served before the resume started: ${servedBeforeResume}; stored with details at the kill: ${atKill.details} ` +
        `(${servedBeforeResume - atKill.details} served but not yet committed were lost). Fresh-run summary: ` +
        `${
          summary !== undefined
            ? `${String(summary["requests"])} requests, ${String(summary["retries"])} retries, ${String(summary["discoverPages"])} discover pages`
            : "n/a"
        }.`
      ],
      diagnosis: {
        "economy.perMovie":
          `${freshReq.discover} discover pages (fewest possible ${idealPages}) and ${freshReq.movie} detail requests for ${stored.movies} movies: the excess is in ${
            freshReq.discover > idealPages ? "discovery (src/Discover.ts)" : "details (services/Collector.ts selection / services/TmdbClient.ts retries)"
          }.`,
        "economy.rerunDetails": "The rerun selected movies that already have details: see `MovieRepository.selectForDetails` (services/MovieRepository.ts).",
        "economy.twice": `${twice} ids were served twice but only ${
          servedBeforeResume - atKill.details
        } were in flight or queued at the kill: outcomes wait in the writer queue in services/Collector.ts (\`Queue.takeBetween(queue, 1, 500)\`) before they are committed.`
      }
    }
  } finally {
    await sandbox.close()
  }
}
