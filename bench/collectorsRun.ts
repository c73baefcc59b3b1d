import { type Sandbox, type SandboxOptions, startSandbox } from "../sandbox/index.js"
import { BURST, RPS } from "./collectorsCommon.js"
import { type BenchDb, type Databases, type Holdings, holdings, sessionStats } from "./collectorsPg.js"
import { type Ctx, fmtNum, range, sum } from "./helpers.js"
import { collectCommand } from "./memoryRuns.js"
import { cliFailure, type CliResult, parseSummary, procCpuMs, runCli, startSandboxProcess } from "./processes.js"

// k bundled CLIs of benchmark 7, each against its own sandbox (its own rate budget), into one
// PostgreSQL database or, as a control, a database each: what they stored, what each sandbox
// served, what the database spent. Used by the sharing and the claims parts.

export interface Years {
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

export const runCollectors = async (ctx: Ctx, dbs: Databases, open: Array<Sandbox>, plan: Plan) => {
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
  const finals = await Promise.all(remote.map((r) => r.counters()))
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

export type CollectorsRun = Awaited<ReturnType<typeof runCollectors>>

/** Every movie of the ground truth stored, with details where TMDB serves them. */
export const checkTruth = (r: CollectorsRun) => {
  const withDetails = r.truth.filter((t) => t.details !== null).length
  if (r.held.withDetails !== withDetails || r.held.movies !== r.truth.length) {
    throw new Error(
      `${r.k} collector(s), ${r.label}: the database holds ${r.held.movies} movies, ${r.held.withDetails} with details; ` +
        `the ground truth has ${r.truth.length}, ${withDetails} with details`
    )
  }
  return withDetails
}

export const runText = (r: CollectorsRun) =>
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
