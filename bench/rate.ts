import * as path from "node:path"
import { type Ctx, type Figure, figure, fmtNum, round } from "./helpers.js"
import { collectCommand } from "./memoryRuns.js"
import { cliFailure, collectArgs, parseSummary, runCli, startSandboxProcess, tmpDir } from "./processes.js"

// 1. Rate fidelity: `npm run collect`, as package.json runs it, against the sandbox in its own
// process, which limits at R with its own burst after 80 ms ± uniform jitter of network in front
// of its limiter, as a CDN edge's limiter sees arrivals (requests reach the bucket as bunched as
// the path made them).

interface Scenario {
  readonly rps: number
  /** The client's --burst. */
  readonly burst: number
  /** The server bucket's burst. */
  readonly serverBurst: number
  readonly jitterMs: number
  readonly movies: number
}

const LATENCY_MS = 80
const CONCURRENCY = 10
const RUNS = 3
const GOAL = 0.98

const runScenario = async (s: Scenario, run: number) => {
  // About 95% of generated movies are listed; a year per run keeps each run's ids its own.
  const year = 2000 + run
  const catalogue = { seed: 42 + run, startYear: year, endYear: year, perYear: Math.ceil(s.movies / 0.95), includeFixtures: false }
  const sandbox = await startSandboxProcess({
    catalogue,
    rateLimit: { rps: s.rps, burst: s.serverBurst },
    latencyMs: LATENCY_MS,
    jitterMs: s.jitterMs,
    jitterPlacement: "before"
  })
  try {
    const cmd = collectCommand()
    const db = path.join(tmpDir("rate-"), "rate.sqlite")
    const args = collectArgs({ startYear: year, endYear: year, db, rps: s.rps, burst: s.burst, concurrency: CONCURRENCY })
    const r = await runCli(args, { baseUrl: sandbox.baseUrl, script: cmd.script, nodeArgs: cmd.nodeArgs, timeoutMs: (3 * s.movies * 1000) / s.rps + 60_000 })
    if (r.code !== 0) throw cliFailure(`collect at R=${s.rps}`, r)
    const summary = parseSummary(r.stdout) ?? {}
    const counters = await sandbox.counters()
    const details = counters.received["movie"]
    if (details === undefined || details.count < 2) throw new Error(`the sandbox saw ${details?.count ?? 0} detail requests`)
    return {
      sent: details.count,
      stored: Number(summary["detailsFetched"] ?? Number.NaN),
      rate: (details.count - 1) / ((details.lastMs - details.firstMs) / 1000),
      detailsSeconds: (details.lastMs - details.firstMs) / 1000,
      rateLimited: counters.rateLimited,
      maxInFlight: counters.maxInFlight,
      wallMs: r.wallMs,
      cpuMs: r.procCpuMs
    }
  } finally {
    await sandbox.close()
  }
}

export const rateBench = async (ctx: Ctx) => {
  // The servers' bursts are one over the client's, as TMDB-like headroom (its own is unpublished:
  // https://developer.themoviedb.org/docs/rate-limiting).
  const scenarios: ReadonlyArray<Scenario> = [
    { rps: 40, burst: 5, serverBurst: 6, jitterMs: 60, movies: ctx.quick ? 400 : 1_200 },
    { rps: 20, burst: 2, serverBurst: 3, jitterMs: 40, movies: ctx.quick ? 200 : 600 }
  ]
  const figures: Array<Figure> = []
  const details: Array<string> = [
    "| R (client burst, server burst, jitter) | run | detail requests sent | movies stored | achieved ÷ R | 429s | most in flight (cap 10) | details phase | wall | CLI CPU |",
    "|---|---|---|---|---|---|---|---|---|---|"
  ]
  const diagnosis: Record<string, string> = {}
  for (const s of scenarios) {
    const label = `R=${s.rps} (burst ${s.burst}, server ${s.serverBurst}, ${LATENCY_MS} ± ${s.jitterMs} ms before its limiter)`
    const ratios: Array<number> = []
    const throttled: Array<number> = []
    for (let run = 1; run <= RUNS; run++) {
      ctx.log(`rate: ${label}, run ${run} of ${RUNS}, ${s.movies} movies (~${Math.round(s.movies / s.rps)} s)`)
      try {
        const r = await runScenario(s, run)
        ratios.push(r.rate / s.rps)
        throttled.push(r.rateLimited)
        details.push(
          `| ${s.rps} (${s.burst}, ${s.serverBurst}, ± ${s.jitterMs} ms) | ${run} | ${r.sent} | ${r.stored} | ${fmtNum(round(r.rate / s.rps))}× | ` +
            `${r.rateLimited} | ${r.maxInFlight} | ${fmtNum(r.detailsSeconds)} s | ${fmtNum(r.wallMs / 1000)} s | ${fmtNum(r.cpuMs / 1000)} s |`
        )
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        ctx.log(`rate: ${label} run ${run} FAILED: ${message}`)
        diagnosis[`rate${s.rps}.worst`] = message
        ratios.push(Number.NaN)
      }
    }
    const worst = ratios.some(Number.isNaN) ? null : round(Math.min(...ratios))
    figures.push(
      figure("rate", `rate${s.rps}.worst`, `${label}: achieved rate ÷ R, worst of ${RUNS} runs`, worst, "×", { op: ">=", target: GOAL }),
      figure("rate", `rate${s.rps}.429`, `${label}: 429s, most in one of ${RUNS} runs`, throttled.length === 0 ? null : Math.max(...throttled), "", {
        op: "=",
        target: 0
      })
    )
  }
  return {
    title: "1. Rate fidelity",
    method: [
      `\`npm run collect\` (the command package.json runs: \`node ${collectCommand().nodeArgs.join(" ")} dist/collect.js\`), ` +
      `\`--rps R --burst B --concurrency ${CONCURRENCY} --min-vote-count 0\` on a fresh SQLite database, against the sandbox in its own process ` +
      `(\`scripts/sandbox.ts\`) that limits at R req/s with its own burst after ${LATENCY_MS} ms ± uniform jitter placed before its limiter. ` +
      "**Achieved rate** = (detail requests − 1) ÷ (last − first), as the sandbox received them: the rate the collector sent at " +
      "while it had work, discovery excluded. 429s are the sandbox's own count over the whole run. The limiter paces at 0.985 of R " +
      "(`PACE` in services/rateLimiter/Bucket.ts): the margin that lets the server's bucket drift back to full between arrivals bunched by jitter."
    ],
    figures,
    details,
    diagnosis
  }
}
