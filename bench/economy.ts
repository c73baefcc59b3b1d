import Database from "better-sqlite3"
import * as path from "node:path"
import { startSandbox } from "../sandbox/index.js"
import { type Ctx, type Figure, figure, fmtNum, round } from "./helpers.js"
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
    const goal = 1 + idealPages / Math.max(1, stored.movies)
    figures.push(
      figure("economy", "economy.perMovie", `fresh run: requests per stored movie (${fmtNum(stored.movies)} movies)`, round(freshReq.total / Math.max(1, stored.movies), 4), "", { op: "<=", target: round(goal, 4) }),
      figure("economy", "economy.stored", "fresh run: movies stored with details ÷ movies listed by the sandbox", round(stored.details / movies, 4), "×", { op: "=", target: 1 })
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
      figure("economy", "economy.twice", `kill at ${fmtNum((100 * servedAtKill) / movies)}% + resume: details fetched twice`, twice, "", { op: "<=", target: CONCURRENCY }),
      figure("economy", "economy.resumeComplete", "kill + resume: movies with details ÷ movies listed", round(after.details / movies, 4), "×", { op: "=", target: 1 })
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
        "and a detail counts as fetched twice when the sandbox served its `/movie/{id}` with 200 more than once across both runs."
      ],
      figures,
      details: [
        "| Run | TMDB requests | discover pages | detail requests | movies stored | with details | wall |",
        "|---|---|---|---|---|---|---|",
        `| fresh | ${freshReq.total} | ${freshReq.discover} (fewest possible: ${idealPages}) | ${freshReq.movie} | ${stored.movies} | ${stored.details} | ${fmtNum(fresh.wallMs / 1000)} s |`,
        `| rerun | ${rerunReq.total} | ${rerunReq.total - rerunReq.movie} | ${rerunReq.movie} | ${stored.movies} | ${stored.details} | ${fmtNum(rerun.wallMs / 1000)} s |`,
        `| killed | | | ${servedAtKill} served before the kill | ${atKill.movies} | ${atKill.details} | ${fmtNum(killed.wallMs / 1000)} s |`,
        `| resume | ${sandbox.counters.requests} (both runs) | | ${(sandbox.counters.byEndpoint["movie"] ?? 0)} (both runs) | ${after.movies} | ${after.details} | ${fmtNum(resume.wallMs / 1000)} s |`,
        "",
        `Distinct movies served before the resume started: ${servedBeforeResume}; stored with details at the kill: ${atKill.details} ` +
        `(${servedBeforeResume - atKill.details} served but not yet committed were lost). Fresh-run summary: ` +
        `${summary !== undefined ? `${String(summary["requests"])} requests, ${String(summary["retries"])} retries, ${String(summary["discoverPages"])} discover pages` : "n/a"}.`
      ],
      diagnosis: {
        "economy.perMovie": `${freshReq.discover} discover pages (fewest possible ${idealPages}) and ${freshReq.movie} detail requests for ${stored.movies} movies: the excess is in ${freshReq.discover > idealPages ? "discovery (src/Discover.ts)" : "details (src/Collector.ts selection / services/TmdbClient.ts retries)"}.`,
        "economy.rerunDetails": "The rerun selected movies that already have details: see `MovieRepository.selectForDetails` (services/MovieRepository.ts).",
        "economy.twice": `${twice} ids were served twice but only ${servedBeforeResume - atKill.details} were in flight or queued at the kill: outcomes wait in the writer queue in src/Collector.ts (\`Queue.takeBetween(queue, 1, 500)\`) before they are committed.`
      }
    }
  } finally {
    await sandbox.close()
  }
}
