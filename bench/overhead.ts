import { generateCatalogue } from "../sandbox/index.js"
import { cpuMsSince, type Ctx, figure, fmtNum, round } from "./helpers.js"
import { makeSides, type Side, SIDE_LABEL } from "./overheadSides.js"
import { procCpuMs, startSandboxProcess } from "./processes.js"

// 3. Client overhead: the collector's TmdbClient against a raw undici Pool loop, on the same
// detail URLs, rate limit off, zero latency, the sandbox in its own process.

const CONCURRENCY = 16
const CATALOGUE = { seed: 42, startYear: 2019, endYear: 2020, perYear: 10_500, includeFixtures: false }

interface Round {
  readonly side: Side
  readonly requests: number
  readonly wallMs: number
  readonly cpuMs: number
  readonly sandboxCpuMs: number
  readonly failed: number
}

export const overheadBench = async (ctx: Ctx) => {
  const perRound = ctx.quick ? 1_000 : 5_000
  const warmup = ctx.quick ? 500 : 2_000
  const abc: ReadonlyArray<Side> = ["raw", "stream", "batch"]
  const cba: ReadonlyArray<Side> = ["batch", "stream", "raw"]
  const order: ReadonlyArray<Side> = ctx.quick ? [...abc, ...cba] : [...abc, ...cba, ...abc, ...cba]
  const ids = generateCatalogue(CATALOGUE).map((m) => m.id)
  const sandbox = await startSandboxProcess({ catalogue: CATALOGUE })
  const { sides, close } = makeSides(sandbox.baseUrl, sandbox.origin, CONCURRENCY)
  try {
    const measure = async (side: Side, slice: ReadonlyArray<number>): Promise<Round> => {
      const sb0 = procCpuMs(sandbox.pid) ?? 0
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      const failed = await sides[side](slice)
      const wallMs = performance.now() - t0
      return { side, requests: slice.length, wallMs, cpuMs: cpuMsSince(cpu0), sandboxCpuMs: (procCpuMs(sandbox.pid) ?? 0) - sb0, failed }
    }

    ctx.log(`overhead: warm-up, ${warmup} requests on each of ${Object.keys(sides).length} paths`)
    for (const side of Object.keys(sides) as Array<Side>) await measure(side, ids.slice(0, warmup))
    const rounds: Array<Round> = []
    const next: Record<Side, number> = { raw: 0, stream: 0, batch: 0 }
    for (const side of order) {
      const from = next[side]++ * perRound
      const r = await measure(side, ids.slice(from, from + perRound))
      rounds.push(r)
      ctx.log(`overhead: ${side} ${r.requests} req in ${fmtNum(r.wallMs)} ms (${fmtNum((r.requests * 1000) / r.wallMs)}/s)`)
    }
    const total = (side: Side) => {
      const rs = rounds.filter((r) => r.side === side)
      const sum = (f: (r: Round) => number) => rs.reduce((a, r) => a + f(r), 0)
      return {
        requests: sum((r) => r.requests),
        rps: (sum((r) => r.requests) * 1000) / sum((r) => r.wallMs),
        cpuPerReq: sum((r) => r.cpuMs) / sum((r) => r.requests),
        sandboxUtil: sum((r) => r.sandboxCpuMs) / sum((r) => r.wallMs),
        failed: sum((r) => r.failed),
        perRound: rs.map((r) => (r.requests * 1000) / r.wallMs)
      }
    }
    const t = Object.fromEntries((Object.keys(sides) as Array<Side>).map((side) => [side, total(side)])) as Record<Side, ReturnType<typeof total>>
    const c = t.stream
    const b = t.batch
    const r = t.raw
    const pairRatios = c.perRound.map((rps, i) => rps / (r.perRound[i] ?? Number.NaN))

    const ms = (x: number) => x.toFixed(3)
    return {
      title: "3. Client overhead",
      method: [
        `Sandbox in its own process (\`scripts/sandbox.ts\`, no latency, no rate limit, ${ids.length.toLocaleString("en-US")} movies). ` +
        `Collector: one \`TmdbLive({ requestsPerSecond: 1e6, burst: 1e6, maxConcurrent: ${CONCURRENCY} })\` runtime kept warm across rounds, ` +
        "fetching through `movieDetailsStream` and through `getBatchMovieDetails`, decoding included; " +
        "The CLI fetches through `forEachMovieDetails`, the same path as `getBatchMovieDetails`. " +
        `Raw: an undici \`Pool\` (${CONCURRENCY} connections) with ${CONCURRENCY} workers looping \`pool.request\` + \`body.text()\` + \`JSON.parse\`, on the same URLs. ` +
        `After a warm-up of ${warmup} requests on every path, rounds of ${perRound} rotate ${order.map((o) => o[0]!.toUpperCase()).join("")} ` +
        `(R raw, S stream, B batch; ${c.requests.toLocaleString("en-US")} requests per path in all). req/s = requests ÷ wall time summed over rounds; ` +
        "CPU = `process.cpuUsage()` of this process (the sandbox's CPU, from /proc, only tells whether the server was the bottleneck)."
      ],
      figures: [
        // No goal: at TMDB's 4-50 req/s the client's ceiling is not the user's cost; CPU per
        // request and the share of a core at 50 req/s are.
        figure("overhead", "overhead.ratio", "collector (movieDetailsStream) ÷ raw undici, requests/s at saturation", round(c.rps / r.rps), "×"),
        figure("overhead", "overhead.batchRatio", "collector (getBatchMovieDetails) ÷ raw undici, requests/s at saturation", round(b.rps / r.rps), "×"),
        figure(
          "overhead",
          "overhead.coreAt50",
          "CPU share of one core at TMDB's ~50 req/s ceiling (CLI path)",
          round((b.cpuPerReq * 50) / 1000, 4),
          "×",
          { op: "<", target: 0.1 }
        ),
        figure("overhead", "overhead.collectorRps", "movieDetailsStream requests/s (concurrency 16)", round(c.rps, 0), "req/s"),
        figure("overhead", "overhead.batchRps", "getBatchMovieDetails requests/s (concurrency 16)", round(b.rps, 0), "req/s"),
        figure("overhead", "overhead.rawRps", "raw undici requests/s (concurrency 16)", round(r.rps, 0), "req/s"),
        figure("overhead", "overhead.collectorCpu", "movieDetailsStream CPU per request", round(c.cpuPerReq), "ms"),
        figure("overhead", "overhead.batchCpu", "getBatchMovieDetails CPU per request", round(b.cpuPerReq), "ms"),
        figure("overhead", "overhead.rawCpu", "raw undici CPU per request", round(r.cpuPerReq), "ms"),
        figure("overhead", "overhead.failed", "failed requests (all paths)", Object.values(t).reduce((a, x) => a + x.failed, 0), "", { op: "=", target: 0 })
      ],
      details: [
        "| Path | requests | req/s | CPU ms/request | per-round req/s | sandbox CPU busy |",
        "|---|---|---|---|---|---|",
        ...(Object.keys(sides) as Array<Side>).map((k) =>
          `| ${SIDE_LABEL[k]} | ${t[k].requests} | ${fmtNum(t[k].rps)} | ${ms(t[k].cpuPerReq)} | ${t[k].perRound.map((x) => fmtNum(x)).join(", ")} | ${
            (100 * t[k].sandboxUtil).toFixed(0)
          }% |`
        ),
        "",
        `Per-pair ratios (movieDetailsStream ÷ raw, round by round): ${pairRatios.map((x) => x.toFixed(2)).join(", ")}. ` +
        "A sandbox near 100% busy means that path was limited by the server, not by the client."
      ],
      diagnosis: {}
    }
  } finally {
    await close()
    await sandbox.close()
  }
}
