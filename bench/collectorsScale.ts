import * as os from "node:os"
import type { Claims } from "./collectorsClaims.js"
import { BATCH, CATALOGUE, CLAIM_SIZE, RPS, type Section } from "./collectorsCommon.js"
import type { Sharing } from "./collectorsSharing.js"
import { fmtNum, round } from "./helpers.js"

// Part 5 of benchmark 7, measuring nothing itself: what the parts before it make of a crawl of
// TMDB's whole catalogue with 1, 4 and 16 collectors, and where the database becomes the bound.

export const scaleModel = (out: Section, dbRate: number, { one, rate1, three }: Sharing, claims: Claims): void => {
  const { fig, details } = out
  const { c100k, cFull, claimMsAtCatalogue, empty, long, qMovies, rateEmpty, rateLong } = claims
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
}
