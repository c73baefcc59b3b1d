import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { generateCatalogue } from "../sandbox/index.js"
import { cpuMsSince, type Ctx, figure, fmtNum, root, round } from "./helpers.js"
import { makeSides, type Side, SIDE_LABEL } from "./overheadSides.js"
import { procCpuMs, startSandboxProcess } from "./processes.js"
import { profile, selfTimeTable, summarise } from "./profile.js"

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
  const ablation: ReadonlyArray<Side> = ctx.quick ? ["httpForEach", "httpStream"] : ["httpForEach", "httpStream", "httpStream", "httpForEach"]
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
    const next: Record<Side, number> = { raw: 0, stream: 0, batch: 0, httpForEach: 0, httpStream: 0 }
    for (const side of [...order, ...ablation]) {
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

    // Profile the path the CLI takes: src/Collector.ts either streams or runs Effect.forEach over getMovieDetails.
    const cliSide: Side = fs.readFileSync(path.join(root, "src/Collector.ts"), "utf8").includes("movieDetailsStream(") ? "stream" : "batch"
    const cliName = cliSide === "stream" ? "movieDetailsStream" : "getBatchMovieDetails"
    ctx.log(`overhead: profiling ${perRound} ${cliName} requests (the CLI's path)`)
    const prof = await profile(() => sides[cliSide](ids.slice(0, perRound)))
    const profileFile = path.join(os.tmpdir(), "tmdb-bench-overhead.cpuprofile")
    fs.writeFileSync(profileFile, JSON.stringify(prof.profile))
    const s = summarise(prof.profile)
    const top = s.functions.slice(0, 5).map((f) => `\`${f.name}\` (${f.where || f.group}) ${(100 * f.share).toFixed(1)}%`).join(", ")
    const groups = s.groups.slice(0, 5).map((g) => `${g.name} ${(100 * g.share).toFixed(0)}%`).join(", ")
    const ms = (x: number) => x.toFixed(3)
    const hf = t.httpForEach
    const hs = t.httpStream
    const why = `CPU per request: raw ${ms(r.cpuPerReq)} ms; Effect HttpClient + decode via Effect.forEach ${ms(hf.cpuPerReq)} ms; ` +
      `the same through \`Stream.mapEffect({ concurrency: 16, unordered: true })\` ${ms(hs.cpuPerReq)} ms (+${
        ms(hs.cpuPerReq - hf.cpuPerReq)
      } ms for the stream alone); ` +
      `\`getBatchMovieDetails\` (Effect.forEach + the client's limiter, retry, timeout and spans) ${ms(b.cpuPerReq)} ms; ` +
      `\`movieDetailsStream\` (Stream.mapEffect + the same pipeline) ${ms(c.cpuPerReq)} ms. The client is CPU-bound on one core ` +
      `(sandbox ${
        (100 * c.sandboxUtil).toFixed(0)
      }% busy). Profile of ${cliName} (the path src/Collector.ts takes), top self time: ${top}; by package: ${groups}: ` +
      "the cost is spread thinly over Effect's fiber runtime and the garbage it allocates, not one hot function. " +
      `By difference: of movieDetailsStream's ${ms(c.cpuPerReq)} ms, about ${
        ms(hs.cpuPerReq - hf.cpuPerReq)
      } ms is \`Stream.mapEffect\` with \`unordered: true\`, which Effect 3 ` +
      "implements as `Stream.flatMap(a => Stream.fromEffect(f(a)), { concurrency })` (a channel, scope and fiber per id); about " +
      `${ms(b.cpuPerReq - hf.cpuPerReq)} ms is the client's per-request pipeline in \`getJson\`/\`attempt\` (the \`Effect.fn\` span and stack capture of ` +
      "`getMovieDetails`, the `withSpan`, `Effect.retry`, the per-attempt `Effect.timeoutFail` timer fiber, and `RateLimiter.withPermit`'s two semaphores, " +
      `\`Ref\`s and \`acquireUseRelease\`); and the platform HttpClient plus decoding alone already costs ${ms(hf.cpuPerReq)} ms, ` +
      `${fmtNum(hf.rps / r.rps)}× the raw loop's rate. ` +
      (cliSide === "batch"
        ? "src/Collector.ts already fetches with `Effect.forEach`, so the CLI pays the pipeline but not the stream; the public `movieDetailsStream` still does. "
        : "") +
      "Suggested fix in services/TmdbClient.ts `movieDetailsStream`: replace " +
      "`Stream.mapEffect(ids, f, { concurrency, unordered: true })` with a fixed pool of `maxConcurrent` worker fibers feeding a `Queue` " +
      "(`Stream.fromQueue`), or with `Stream.mapChunksEffect` + `Effect.forEach(chunk, f, { concurrency })` over rechunked ids " +
      "(`getBatchMovieDetails` already shows the gain); then trim the per-request pipeline (e.g. `Effect.fnUntraced` for the per-movie " +
      "`getMovieDetails`, fewer wrappers in `attempt`)."
    return {
      title: "3. Client overhead",
      method: [
        `Sandbox in its own process (\`scripts/sandbox.ts\`, no latency, no rate limit, ${ids.length.toLocaleString("en-US")} movies). ` +
        `Collector: one \`TmdbLive({ requestsPerSecond: 1e6, burst: 1e6, maxConcurrent: ${CONCURRENCY} })\` runtime kept warm across rounds, ` +
        "fetching through `movieDetailsStream` and through `getBatchMovieDetails`, decoding included; " +
        `\`src/Collector.ts\` (so the CLI) takes the ${cliName} path (${
          cliSide === "batch" ? "`Effect.forEach` over `getMovieDetails`" : "`movieDetailsStream`"
        }). ` +
        `Raw: an undici \`Pool\` (${CONCURRENCY} connections) with ${CONCURRENCY} workers looping \`pool.request\` + \`body.text()\` + \`JSON.parse\`, on the same URLs. ` +
        `After a warm-up of ${warmup} requests on every path, rounds of ${perRound} rotate ${order.map((o) => o[0]!.toUpperCase()).join("")} ` +
        `(R raw, S stream, B batch; ${c.requests.toLocaleString("en-US")} requests per path in all). req/s = requests ÷ wall time summed over rounds; ` +
        "CPU = `process.cpuUsage()` of this process (the sandbox's CPU, from /proc, only tells whether the server was the bottleneck).",
        "Two more paths split the collector's cost (diagnosis only, no goal): the platform's HttpClient with the same decoding " +
        "through `Effect.forEach`, and through `Stream.mapEffect`.",
        `The profile is a separate \`${cliName}\` round of ${perRound} requests under the inspector's sampling profiler (250 µs), saved to \`${profileFile}\`.`
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
          round(((cliSide === "batch" ? b : c).cpuPerReq * 50) / 1000, 4),
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
        "A sandbox near 100% busy means that path was limited by the server, not by the client.",
        "",
        `### Collector profile (${cliName}, the CLI's path): top self-time functions (${fmtNum(s.busyMs)} ms busy)`,
        "",
        ...selfTimeTable(s)
      ],
      diagnosis: { "overhead.ratio": why, "overhead.batchRatio": why }
    }
  } finally {
    await close()
    await sandbox.close()
  }
}
