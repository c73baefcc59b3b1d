import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type Sandbox, type SandboxOptions, startSandbox } from "../sandbox/index.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { toEventLoop } from "../services/MovieWrites.js"
import {
  activeMs,
  type BenchDb,
  claimTimes,
  databases,
  decodeRich,
  dropStale,
  fillPending,
  type Holdings,
  holdings,
  migrate,
  onDb,
  rawSave,
  repositoryWriter,
  richBodies,
  sessionStats
} from "./collectorsPg.js"
import { type Ctx, type Figure, figure, fmtNum, percentile, root, round } from "./helpers.js"
import { collectCommand } from "./memoryRuns.js"
import { cliFailure, type CliResult, parseSummary, procCpuMs, runCli, sleep, startSandboxProcess, tmpDir } from "./processes.js"

/** What a sandbox process's /__sandbox/counters answers. */
interface RemoteCounters {
  readonly requests: number
  readonly rateLimited: number
  readonly byEndpoint: Record<string, number>
  readonly byStatus: Record<string, number>
  readonly detailsServed: Record<string, number>
  readonly discoverPages: ReadonlyArray<{ gte: string | null; lte: string | null; page: number }>
}

// 7. PostgreSQL and many collectors: the repository on PostgreSQL against raw `pg`; concurrent
// writers into one database; three collectors (three rate budgets) sharing one database against
// one; the cost of claiming work from a whole catalogue's queue; and what that makes of a
// 1.14-million-movie crawl with 1, 4 and 16 collectors.

const BATCH = 500
const RPS = 40
const BURST = 10
/** TMDB's catalogue: about 1.14 million movies in its daily export. */
const CATALOGUE = 1_140_000
/** A collector claims 2 × --concurrency movies at a time (services/Collector.ts); 10 by default. */
const CLAIM_SIZE = 20
const FILLER_FROM = 1_000_000
const WRITER = path.join(root, "bench/collectorsWriter.ts")

const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)
const childRowCount = (h: Holdings) => sum(Object.values(h.childRows))
const sameHoldings = (a: Holdings, b: Holdings) =>
  a.withDetails === b.withDetails && a.payloads === b.payloads && a.payloadBytes === b.payloadBytes &&
  Object.keys(a.childRows).every((t) => a.childRows[t] === b.childRows[t])
const holdingsText = (h: Holdings) =>
  `${h.withDetails} movies with details, ${childRowCount(h)} child rows (${
    Object.entries(h.childRows).map(([t, n]) => `${t.replace("movie_", "")} ${n}`).join(", ")
  }), ${h.payloads} payloads of ${h.payloadBytes} bytes`

// ---------------------------------------------------------------------------------------------
// 1. Storage on PostgreSQL: the repository against raw pg.

interface Side {
  readonly ms: number
  readonly batchMs: ReadonlyArray<number>
  readonly activeMs: number
  readonly held: Holdings
}

const storeBoth = async (ctx: Ctx, dbs: ReturnType<typeof databases>, n: number, rounds: number) => {
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

// ---------------------------------------------------------------------------------------------
// Concurrent writers: k processes, each its own repository and pool, into one database.

const writers = async (ctx: Ctx, dbs: ReturnType<typeof databases>, k: number, perWriter: number) => {
  const db = await dbs.fresh(`w${k}`)
  await migrate(db)
  const dir = tmpDir("collectors")
  ctx.log(`collectors: ${k} concurrent repository writer${k > 1 ? "s" : ""} of ${perWriter} movies each into one database`)
  const settled = range(k).map(() => false)
  const runs = range(k).map((index) =>
    runCli([JSON.stringify({ db, count: perWriter, offset: index * 1_000_000, dir, index })], {
      baseUrl: "",
      script: WRITER,
      nodeArgs: ["--import", "tsx"],
      timeoutMs: 240_000
    }).then((r) => {
      settled[index] = true
      return r
    })
  )
  // Every writer has decoded its movies and opened its pool: then all start at once.
  while (range(k).some((i) => !fs.existsSync(path.join(dir, `ready-${i}`)))) {
    if (settled.some((s) => s)) break
    await sleep(10)
  }
  fs.writeFileSync(path.join(dir, "go"), "")
  const results = await Promise.all(runs)
  results.forEach((r, i) => {
    if (r.code !== 0) throw cliFailure(`writer ${i + 1} of ${k}`, r)
  })
  const spans = results.map((r) => JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { start: number; end: number; movies: number })
  const wallMs = Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start))
  const active = await activeMs(db)
  const held = await holdings(db)
  await dbs.drop(db)
  if (held.withDetails !== k * perWriter) throw new Error(`${k} writers: ${held.withDetails} movies stored, expected ${k * perWriter}`)
  return {
    k,
    movies: k * perWriter,
    wallMs,
    rate: (k * perWriter * 1000) / wallMs,
    eachMs: spans.map((s) => s.end - s.start),
    activeMsPerMovie: active / (k * perWriter),
    cpuMsPerMovie: sum(results.map((r) => r.procCpuMs)) / (k * perWriter)
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Collectors: the bundled CLI, each against its own sandbox (its own rate budget), one database.

interface Years {
  readonly startYear: number
  readonly endYear: number
}

interface Plan {
  readonly k: number
  readonly options: SandboxOptions
  readonly years: Years
  readonly label: string
  /** The database to share (default: a fresh one). */
  readonly db?: BenchDb
  readonly extra?: ReadonlyArray<string>
  /** The control: each collector alone on its own fresh database, with its own contiguous share of the years. */
  readonly split?: boolean
}

/** The years of collector `i` of `k` when they are split. */
const share = (years: Years, i: number, k: number): Years => {
  const span = years.endYear - years.startYear + 1
  return { startYear: years.startYear + Math.floor((i * span) / k), endYear: years.startYear + Math.floor(((i + 1) * span) / k) - 1 }
}

const addHoldings = (hs: ReadonlyArray<Holdings>): Holdings => ({
  movies: sum(hs.map((h) => h.movies)),
  withDetails: sum(hs.map((h) => h.withDetails)),
  failures: sum(hs.map((h) => h.failures)),
  childRows: Object.fromEntries(Object.keys(hs[0]!.childRows).map((t) => [t, sum(hs.map((h) => h.childRows[t]!))])),
  payloads: sum(hs.map((h) => h.payloads)),
  payloadBytes: sum(hs.map((h) => h.payloadBytes)),
  databaseBytes: sum(hs.map((h) => h.databaseBytes))
})

const collectors = async (ctx: Ctx, dbs: ReturnType<typeof databases>, open: Array<Sandbox>, plan: Plan) => {
  const { k, label, years } = plan
  // Each sandbox in a process of its own, as each stands in for TMDB seen from its own machine:
  // three in this process shared one event loop, which bunched their arrivals into 429s and
  // slowed their answers. One in this process (serving nothing) gives the ground truth.
  const truthSandbox = await startSandbox(plan.options)
  open.push(truthSandbox)
  const remote = await Promise.all(range(k).map(() => startSandboxProcess(plan.options)))
  const live = remote.map(() => ({ requests: 0 }))
  let polling = false
  const poll = () => {
    if (polling) return
    polling = true
    void Promise.all(remote.map((r) => r.counters())).then((cs) => cs.forEach((c, i) => (live[i]!.requests = c.requests))).catch(() => {}).finally(() =>
      polling = false
    )
  }
  const shared = plan.split === true ? undefined : plan.db ?? (await dbs.fresh(label.replace(/,/g, "")))
  const targets = shared !== undefined ? range(k).map(() => shared) : await Promise.all(range(k).map((i) => dbs.fresh(`split${i}`)))
  const distinct = [...new Set(targets)]
  const before = await Promise.all(distinct.map((d) => sessionStats(d)))
  const cmd = collectCommand()
  const args = (i: number) => {
    const y = plan.split === true ? share(years, i, k) : years
    return [
      "--start-year",
      String(y.startYear),
      "--end-year",
      String(y.endYear),
      ...(plan.extra ?? []),
      "--rps",
      String(RPS),
      "--burst",
      String(BURST),
      "--db",
      targets[i]!.url,
      "--json"
    ]
  }
  ctx.log(`collectors: ${k} collector${k > 1 ? "s" : ""} (${label}), each against its own sandbox at ${RPS} req/s`)
  const t0 = performance.now()
  // When each sandbox saw its first and its last request, sampled every 250 ms (each sample is a
  // request for all of a sandbox's counters, which a tighter poll would make it spend its CPU
  // on): what is start-up and tail, and what rate the collector kept in between.
  const seen = remote.map(() => ({ first: Number.NaN, last: Number.NaN, requests: 0 }))
  const sampler = setInterval(() => {
    const now = performance.now() - t0
    poll()
    live.forEach((s, i) => {
      const w = seen[i]!
      if (s.requests > w.requests) {
        if (w.requests === 0) w.first = now
        w.last = now
        w.requests = s.requests
      }
    })
  }, 250)
  const results: Array<CliResult> = await Promise.all(
    remote.map((s, i) => runCli(args(i), { baseUrl: s.baseUrl, script: cmd.script, nodeArgs: cmd.nodeArgs, timeoutMs: 300_000 }))
  ).finally(() => clearInterval(sampler))
  const wallMs = performance.now() - t0
  // The sandboxes' own processes.
  const sandboxCpuMs = sum(remote.map((r) => procCpuMs(r.pid) ?? 0))
  const finals = await Promise.all(remote.map((r) => r.counters() as unknown as Promise<RemoteCounters>))
  const sandboxes = finals.map((c) => ({
    counters: {
      ...c,
      detailsServed: new Map(Object.entries(c.detailsServed).map(([id, n]) => [Number(id), n]))
    }
  }))
  results.forEach((r, i) => {
    if (r.code !== 0) throw cliFailure(`collector ${i + 1} of ${k} (${label})`, r)
  })
  const summaries = results.map((r) =>
    (parseSummary(r.stdout) ?? {}) as {
      detailsFetched?: number
      discoverPages?: number
      requests?: number
      rateLimited?: number
      retries?: number
      durationMs?: number
    }
  )
  const served = new Map<number, number>()
  for (const s of sandboxes) for (const [id, times] of s.counters.detailsServed) served.set(id, (served.get(id) ?? 0) + times)
  const pages = sandboxes.flatMap((s) => s.counters.discoverPages.map((p) => `${p.gte}..${p.lte}#${p.page}`))
  const statuses: Record<string, number> = {}
  for (const s of sandboxes) for (const [code, n] of Object.entries(s.counters.byStatus)) statuses[code] = (statuses[code] ?? 0) + n
  const out = {
    k,
    label,
    split: plan.split === true,
    wallMs,
    sandboxCpuMs,
    truth: truthSandbox.groundTruth(years),
    held: addHoldings(await Promise.all(distinct.map((d) => holdings(d)))),
    fetchedTwice: sum([...served.values()]) - served.size,
    discoverTwice: pages.length - new Set(pages).size,
    rateLimited: sum(sandboxes.map((s) => s.counters.rateLimited)),
    clientRateLimited: sum(summaries.map((s) => s.rateLimited ?? 0)),
    retries: sum(summaries.map((s) => s.retries ?? 0)),
    requests: sum(sandboxes.map((s) => s.counters.requests)),
    detailRequests: sum(sandboxes.map((s) => s.counters.byEndpoint["movie"] ?? 0)),
    statuses,
    perCollector: results.map((r, i) => ({
      wallMs: r.wallMs,
      cpuMs: r.procCpuMs,
      peakRssMB: r.peakRssMB,
      detailsFetched: summaries[i]!.detailsFetched ?? 0,
      discoverPages: summaries[i]!.discoverPages ?? 0,
      requests: sandboxes[i]!.counters.requests,
      runMs: summaries[i]!.durationMs ?? 0,
      firstRequestMs: seen[i]!.first,
      lastRequestMs: seen[i]!.last,
      // Requests between the first and the last, per second of that span.
      keptRate: (seen[i]!.requests - 1) / ((seen[i]!.last - seen[i]!.first) / 1000)
    }))
  }
  const after = await Promise.all(distinct.map((d) => sessionStats(d)))
  const db = {
    activeMs: sum(after.map((x, i) => x.activeMs - before[i]!.activeMs)),
    commits: sum(after.map((x, i) => x.commits - before[i]!.commits))
  }
  await Promise.all(remote.map((s) => s.close()))
  await truthSandbox.close()
  open.splice(open.indexOf(truthSandbox), 1)
  return { ...out, ...db }
}

type CollectorsRun = Awaited<ReturnType<typeof collectors>>

/** Every movie of the ground truth stored, with details where TMDB serves them. */
const checkTruth = (r: CollectorsRun) => {
  const withDetails = r.truth.filter((t) => t.details !== null).length
  if (r.held.withDetails !== withDetails || r.held.movies !== r.truth.length) {
    throw new Error(
      `${r.k} collector(s), ${r.label}: the database holds ${r.held.movies} movies, ${r.held.withDetails} with details; ` +
        `the ground truth has ${r.truth.length}, ${withDetails} with details`
    )
  }
  return withDetails
}

const runText = (r: CollectorsRun) =>
  `${r.k} collector${r.k > 1 ? "s" : ""} (${r.label}): ${fmtNum(r.held.withDetails)} movies in ${fmtNum(r.wallMs / 1000)} s, first start to last exit; ` +
  `the sandboxes' CPU ${fmtNum(r.sandboxCpuMs / 1000)} s; ` +
  `requests ${fmtNum(r.requests)} (details ${fmtNum(r.detailRequests)}), HTTP statuses ${JSON.stringify(r.statuses)}; ` +
  `per collector: ${
    r.perCollector.map((c) =>
      `${fmtNum(c.detailsFetched)} details, ${c.discoverPages} discover pages, ${fmtNum(c.requests)} requests, ${fmtNum(c.wallMs / 1000)} s (${
        fmtNum(c.runMs / 1000)
      } s in Collector.run; requests from ${fmtNum(c.firstRequestMs / 1000)} s to ${fmtNum(c.lastRequestMs / 1000)} s at ${fmtNum(c.keptRate)} req/s), CPU ${
        fmtNum(c.cpuMs / 1000)
      } s, peak RSS ${fmtNum(c.peakRssMB)} MB`
    ).join("; ")
  }; database active time ${fmtNum(r.activeMs)} ms (${fmtNum(r.activeMs / Math.max(1, r.held.withDetails))} ms per movie), ${fmtNum(r.commits)} transactions (${
    fmtNum(r.held.withDetails / Math.max(1, r.commits))
  } movies per transaction); ` +
  `retries ${r.retries}, 429s seen by the collectors ${r.clientRateLimited}.`

// ---------------------------------------------------------------------------------------------

export const collectorsBench = async (ctx: Ctx) => {
  const figures: Array<Figure> = []
  const details: Array<string> = []
  const diagnosis: Record<string, string> = {}
  const fig = (id: string, label: string, value: number | null, unit: string, goal?: Parameters<typeof figure>[5], note?: string) =>
    figures.push(figure("collectors", `collectors.${id}`, label, value, unit, goal, note))
  const dbs = databases()
  const open: Array<Sandbox> = []
  const quick = ctx.quick
  try {
    const stale = await dropStale()
    if (stale > 0) ctx.log(`collectors: dropped ${stale} tmdb_bench_* database(s) left by runs that were stopped`)

    // 1. Storage on PostgreSQL.
    const n = quick ? 2_000 : 5_000
    const rounds = quick ? 1 : 2
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

    // Concurrent writers into one database.
    const perWriter = quick ? 1_000 : 2_500
    const w1 = await writers(ctx, dbs, 1, perWriter)
    const w4 = await writers(ctx, dbs, 4, perWriter)
    const dbRate = Math.max(w1.rate, w4.rate)
    ctx.log(`collectors: writers, 1: ${fmtNum(w1.rate)} movies/s, 4: ${fmtNum(w4.rate)} movies/s`)
    fig("writers1", `one repository writer process, movies/s (${fmtNum(perWriter)} movies)`, round(w1.rate, 0), "movies/s")
    fig(
      "writers4",
      `4 concurrent repository writer processes into one database, aggregate movies/s (${fmtNum(4 * perWriter)} movies)`,
      round(w4.rate, 0),
      "movies/s"
    )
    fig("writersGain", "4 writers ÷ 1 writer, aggregate movies/s", round(w4.rate / w1.rate), "×")
    details.push(
      `**Concurrent writers.** ${
        [w1, w4].map((w) =>
          `${w.k} writer${w.k > 1 ? "s" : ""}: ${fmtNum(w.movies)} movies in ${fmtNum(w.wallMs)} ms (each writer ${
            w.eachMs.map((ms) => fmtNum(ms)).join(", ")
          } ms), ${fmtNum(w.rate)} movies/s; server active ${fmtNum(w.activeMsPerMovie)} ms and writer CPU ${fmtNum(w.cpuMsPerMovie)} ms per movie`
        ).join("; ")
      }. The writers run on the same ${os.cpus().length} cores as PostgreSQL, so this is a lower bound on what the database sustains.`,
      ""
    )

    // 2. Three collectors, three rate budgets, one database; against one.
    const years: Years = quick ? { startYear: 2014, endYear: 2017 } : { startYear: 2014, endYear: 2019 }
    const sandboxOptions: SandboxOptions = {
      catalogue: { seed: 71, ...years, perYear: quick ? 180 : 400, includeFixtures: false },
      latencyMs: 20,
      rateLimit: { rps: RPS, burst: BURST }
    }
    const one = await collectors(ctx, dbs, open, { k: 1, options: sandboxOptions, years, label: "one" })
    const three = await collectors(ctx, dbs, open, { k: 3, options: sandboxOptions, years, label: "three, one database" })
    // The control: three collectors sharing nothing, each its own database and a third of the years.
    const apart = await collectors(ctx, dbs, open, { k: 3, options: sandboxOptions, years, label: "three apart, a database each", split: true })
    const truthMovies = checkTruth(one)
    checkTruth(three)
    checkTruth(apart)
    const rate1 = (one.held.withDetails * 1000) / one.wallMs
    const rate3 = (three.held.withDetails * 1000) / three.wallMs
    ctx.log(`collectors: ${runText(one)}`)
    ctx.log(`collectors: ${runText(three)}`)
    ctx.log(`collectors: ${runText(apart)}`)
    const rateApart = (apart.held.withDetails * 1000) / apart.wallMs
    fig(
      "throughput3",
      `3 collectors (3 rate budgets) ÷ 1 collector sharing one PostgreSQL database, movies/s (${fmtNum(truthMovies)} movies at ${RPS} req/s each)`,
      round(rate3 / rate1),
      "×",
      { op: ">=", target: 2.7 }
    )
    fig("rate1", "one collector, movies stored per second, first start to exit", round(rate1, 1), "movies/s")
    fig("rate3", "3 collectors, movies stored per second, first start to last exit", round(rate3, 1), "movies/s")
    fig(
      "apart3",
      "control: 3 collectors sharing nothing (a database and a third of the years each) ÷ 1 collector, movies/s: what this machine allows",
      round(rateApart / rate1),
      "×"
    )
    fig("sharing", "3 collectors on one database ÷ 3 collectors sharing nothing, movies/s: the cost of sharing", round(rate3 / rateApart), "×")
    fig("fetchedTwice", "3 collectors: movies fetched more than once (all sandboxes)", three.fetchedTwice, "", { op: "=", target: 0 })
    fig("discoverTwice", "3 collectors: discover pages fetched more than once (all sandboxes)", three.discoverTwice, "", { op: "=", target: 0 })
    fig("rateLimited", "429s answered, 1 and 3 collectors", one.rateLimited + three.rateLimited, "", { op: "=", target: 0 })
    fig("collectorDbMs", "database active time per movie, 3 collectors (pg_stat_database.active_time)", round(three.activeMs / three.held.withDetails, 3), "ms")
    fig("collectorCpuMs", "CLI CPU per movie, one collector at 40 req/s (start-up included)", round(one.perCollector[0]!.cpuMs / one.held.withDetails, 2), "ms")
    fig("moviesPerCommit", "movies per database transaction, 3 collectors (pg_stat_database.xact_commit)", round(three.held.withDetails / three.commits, 2), "")
    details.push(`**Collectors.** ${runText(one)}`, "", runText(three), "", `Control: ${runText(apart)}`, "")
    const busy = (r: CollectorsRun) => sum(r.perCollector.map((c) => c.cpuMs)) / r.wallMs
    diagnosis["collectors.throughput3"] = `One collector took ${fmtNum(one.wallMs / 1000)} s, three ${fmtNum(three.wallMs / 1000)} s; at ${RPS} req/s ` +
      `their requests alone take ${fmtNum(one.requests / RPS)} s and ${fmtNum(three.requests / 3 / RPS)} s. Per collector, process start to ` +
      `exit / time in Collector.run / first to last request / rate kept in between: ${
        [...one.perCollector, ...three.perCollector].map((c) =>
          `${fmtNum(c.wallMs / 1000)} s / ${fmtNum(c.runMs / 1000)} s / ${fmtNum(c.firstRequestMs / 1000)}–${fmtNum(c.lastRequestMs / 1000)} s / ${
            fmtNum(c.keptRate)
          } req/s`
        ).join("; ")
      } (the first is the single collector). Three collectors sharing nothing (each its own database and a third of the years) reached ` +
      `${fmtNum(rateApart / rate1)}× one in the same run, and ${fmtNum(rate3 / rateApart)}× of that when sharing one database. ` +
      `The collectors' CPU: ${fmtNum(busy(one))} cores for one, ${fmtNum(busy(three))} for three, ${fmtNum(busy(apart))} for three apart ` +
      `(${fmtNum(three.perCollector[0]!.cpuMs / Math.max(1, three.perCollector[0]!.detailsFetched))} ms per movie), on ${os.cpus().length} cores ` +
      `shared with PostgreSQL, the three sandboxes and whatever else runs (load average ${os.loadavg().map((l) => l.toFixed(1)).join(", ")} after the runs).`
    diagnosis["collectors.rateLimited"] = `Every sandbox limits at ${RPS} req/s with a burst of ${BURST}, exactly the --rps and --burst the collectors ` +
      `are given, so any lateness between a token taken and the request arriving can empty the server's bucket: 429s ${one.rateLimited} of ` +
      `${fmtNum(one.requests)} requests with one collector, ${three.rateLimited} of ${fmtNum(three.requests)} with three (each retried: ` +
      `retries ${one.retries} and ${three.retries}).`
    diagnosis["collectors.fetchedTwice"] = `${three.fetchedTwice} detail responses beyond one per movie, over ${fmtNum(three.detailRequests)} detail ` +
      `requests for ${fmtNum(three.held.withDetails)} movies.`
    diagnosis["collectors.discoverTwice"] = `${three.discoverTwice} discover pages fetched by more than one collector.`

    // 3. Claims on a long queue: claimDetails, and a collector's rate on it.
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
    const empty = await collectors(ctx, dbs, open, { k: 1, options: qOptions, years: qYears, label: "empty queue", extra: limit })
    const long = await collectors(ctx, dbs, open, {
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
      async (c) =>
        Number((await c.query(`SELECT count(*)::int AS n FROM movies WHERE tmdb_id < $1 AND details_fetched_at IS NOT NULL`, [FILLER_FROM])).rows[0].n)
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

    // The scale model.
    const hours = (seconds: number) => seconds / 3600
    const cores = os.cpus().length
    // Database time per movie as collectors write it (small transactions, leases, heartbeats),
    // and what each claim adds on a table of the whole catalogue.
    const a = three.activeMs / three.held.withDetails
    const b = claimMsAtCatalogue / CLAIM_SIZE
    const bulkH = hours(CATALOGUE / dbRate)
    const dbH = hours((CATALOGUE * (a + b)) / 1000 / cores)
    const nBulk = dbRate / rate1
    const nDb = (cores * 1000) / (a + b) / rate1
    const nNoClaims = (cores * 1000) / a / rate1
    const rows = [1, 4, 16].map((k) => {
      const request = hours(CATALOGUE / (k * rate1))
      return { k, request, bound: request >= dbH ? "requests" : "database", total: Math.max(request, dbH) }
    })
    for (const r of rows) {
      fig(`hours${r.k}`, `scale model: the ${fmtNum(CATALOGUE)}-movie catalogue with ${r.k} collector(s), hours (bound: ${r.bound})`, round(r.total, 2), "h")
    }
    fig("dbBoundAt", "scale model: collectors at which the database becomes the bottleneck (claims included)", round(nDb, 1), "collectors")
    details.push(
      "### Scale model: the whole catalogue",
      "",
      `Measured above, M = ${fmtNum(CATALOGUE)} movies: one collector stores r₁ = ${fmtNum(rate1)} movies/s against its ${RPS} req/s budget (${
        fmtNum(one.requests / one.held.withDetails)
      } requests per movie, discovery and start-up included; with \`--all\` about 1 request per movie). ` +
        `Repository writes in batches of ${BATCH} reach D = ${fmtNum(dbRate)} movies/s (best of 1 and 4 concurrent writer processes, which share ` +
        `this machine's k = ${cores} cores with PostgreSQL: a lower bound). Collectors do not write like that: at ${RPS} req/s each commits ` +
        `${fmtNum(three.held.withDetails / Math.max(1, three.commits))} movies per transaction (claims, leases and heartbeats included), and the ` +
        `database spends a = ${fmtNum(a)} ms per movie (pg_stat_database.active_time of the 3-collector run, a small table). A claim of ${CLAIM_SIZE} ` +
        `movies on a table of the whole catalogue, every movie pending, costs c = ${fmtNum(claimMsAtCatalogue)} ms${
          cFull.pending === CATALOGUE ? "" : ` (--quick: scaled linearly from ${fmtNum(cFull.median)} ms at ${fmtNum(cFull.pending)})`
        } (${fmtNum(c100k.median)} ms at ${fmtNum(c100k.pending)}); the model charges every claim that: b = c / ${CLAIM_SIZE} = ${fmtNum(b)} ms per movie.`,
      "",
      `Request-limited hours = M / (n × r₁) / 3600. Database-limited hours = M × (a + b) / (1000 × k) / 3600, taking the database's time ` +
        `as CPU spread over its k cores; with bulk writes alone it would be M / D / 3600 = ${fmtNum(bulkH)} h. The crawl takes the larger.`,
      "",
      "| collectors | request-limited hours | database-limited hours | bound |",
      "|---|---|---|---|",
      ...rows.map((r) => `| ${r.k} | ${fmtNum(r.request)} | ${fmtNum(dbH)} | ${r.bound} |`),
      "",
      `The database becomes the bottleneck at n = 1000 k / ((a + b) r₁) ≈ ${fmtNum(nDb)} collectors; without claims (b = 0) at ` +
        `${fmtNum(nNoClaims)}; with bulk writes, D / r₁ ≈ ${fmtNum(nBulk)}. Measured directly: one collector with ${fmtNum(cFull.pending)} more ` +
        `movies pending stored ${fmtNum(rateLong)} movies/s against ${fmtNum(rateEmpty)} on an empty database (${fmtNum(rateLong / rateEmpty)}×), ` +
        `the database spending ${fmtNum(long.activeMs / qMovies)} ms per movie against ${fmtNum(empty.activeMs / qMovies)}.`
    )

    return {
      title: "7. PostgreSQL and many collectors",
      method: [
        `Storage: ${fmtNum(n)} rich movies (the sandbox catalogue's bodies with ${"credits, keywords, release_dates and external_ids"} appended, decoded ` +
        `a batch at a time outside the timed window) stored into a fresh PostgreSQL database migrated by \`PgLive\`, through ` +
        `\`MovieRepository.saveOutcomes\` in batches of ${BATCH} (\`MovieRepository.Default\` over \`PgLive\`), and through raw \`pg\` sending the ` +
        "same statements by hand: per slice of 50 movies the multi-row `movies` upsert, per child table a `DELETE ... WHERE tmdb_id = ANY($1)` and " +
        "multi-row inserts of 256, 128, ... rows, the `movie_payloads` upsert with the same brotli bodies, the `fetch_failures` delete, then the " +
        `\`removed_at\` update, one transaction per batch. ${rounds} round(s), alternating which side goes first, each side on its own fresh database; ` +
        "both are checked to hold the same movies, child rows per table, payloads and payload bytes. Server time is pg_stat_database.active_time.",
        `Concurrent writers: 1 and then 4 processes (\`bench/collectorsWriter.ts\`, each its own repository and pool), ${fmtNum(perWriter)} movies each ` +
        "with their own ids, released together once all have decoded their movies; aggregate movies/s over first start to last end.",
        `Collectors: the bundled CLI (\`npm run collect\`'s command), each against its own sandbox, in a process of its own, serving the same catalogue ` +
        `(seed 71, ${years.startYear}–${years.endYear}) with \`rateLimit {rps: ${RPS}, burst: ${BURST}}\` and 20 ms latency, standing in for a ` +
        `machine with its own IP; all with \`--start-year ${years.startYear} --end-year ${years.endYear} --rps ${RPS} --burst ${BURST} ` +
        "--db <one fresh database> --json`. Throughput is movies with details stored ÷ wall time from the first start to the last exit. " +
        "The database is checked to hold every movie of the ground truth with details; fetched twice is the sum over sandboxes of the detail " +
        "responses minus the distinct ids. The control runs three collectors the same way but sharing nothing: each alone on its own fresh " +
        "database with a contiguous third of the years, so it shows what three collectors reach on this machine (its cores shared with " +
        "PostgreSQL, the sandboxes and other work) apart from any cost of sharing one database.",
        `Claims: ${claims} calls of \`Coordination.claimDetails\` (${CLAIM_SIZE} movies, the CLI's claim with the default concurrency) on a database ` +
        `holding ${queueSizes.map((q) => fmtNum(q)).join(" and ")} discovered, never-fetched movies; then one collector (\`--refresh-limit\` = the ` +
        `sandbox's ${qMovies} movies, whose ids are below the filler's) on the larger one against one on an empty database.`
      ],
      figures,
      details,
      diagnosis
    }
  } finally {
    await Promise.all(open.map((s) => s.close()))
    await dbs.dropAll()
  }
}
