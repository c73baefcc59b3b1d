import * as os from "node:os"
import type { Sandbox, SandboxOptions } from "../sandbox/index.js"
import { BURST, RPS, type Section } from "./collectorsCommon.js"
import type { Databases } from "./collectorsPg.js"
import { checkTruth, type CollectorsRun, runCollectors, runText, type Years } from "./collectorsRun.js"
import { type Ctx, fmtNum, round, sum } from "./helpers.js"

// Part 3 of benchmark 7: three collectors (three rate budgets) sharing one database against one
// collector, and against three sharing nothing (the control: what this machine allows).

export interface Sharing {
  readonly one: CollectorsRun
  readonly three: CollectorsRun
  /** One collector's movies stored per second, first start to exit. */
  readonly rate1: number
}

export const sharing = async (ctx: Ctx, dbs: Databases, open: Array<Sandbox>, out: Section): Promise<Sharing> => {
  const { fig, details, diagnosis } = out
  const quick = ctx.quick
  const years: Years = quick ? { startYear: 2014, endYear: 2017 } : { startYear: 2014, endYear: 2019 }
  // About 5,300 movies: a collector's start-up (about 2 s) is a tenth of a 2,100-movie run split
  // three ways, which alone kept three under 2.7x one; a real crawl is hours long.
  const sandboxOptions: SandboxOptions = {
    catalogue: { seed: 71, ...years, perYear: quick ? 180 : 1_000, includeFixtures: false },
    latencyMs: 20,
    rateLimit: { rps: RPS, burst: BURST }
  }
  const one = await runCollectors(ctx, dbs, open, { k: 1, options: sandboxOptions, years, label: "one" })
  const three = await runCollectors(ctx, dbs, open, { k: 3, options: sandboxOptions, years, label: "three, one database" })
  // The control: three collectors sharing nothing, each its own database and a third of the years.
  const apart = await runCollectors(ctx, dbs, open, { k: 3, options: sandboxOptions, years, label: "three apart, a database each", split: true })
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
  out.method.push(
    `Collectors: the bundled CLI (\`npm run collect\`'s command), each against its own sandbox, in a process of its own, serving the same catalogue ` +
      `(seed 71, ${years.startYear}–${years.endYear}) with \`rateLimit {rps: ${RPS}, burst: ${BURST}}\` and 20 ms latency, standing in for a ` +
      `machine with its own IP; all with \`--start-year ${years.startYear} --end-year ${years.endYear} --rps ${RPS} --burst ${BURST} ` +
      "--db <one fresh database> --json`. Throughput is movies with details stored ÷ wall time from the first start to the last exit. " +
      "The database is checked to hold every movie of the ground truth with details; fetched twice is the sum over sandboxes of the detail " +
      "responses minus the distinct ids. The control runs three collectors the same way but sharing nothing: each alone on its own fresh " +
      "database with a contiguous third of the years, so it shows what three collectors reach on this machine (its cores shared with " +
      "PostgreSQL, the sandboxes and other work) apart from any cost of sharing one database."
  )
  return { one, three, rate1 }
}
