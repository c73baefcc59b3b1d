import type { Sandbox } from "../sandbox/index.js"
import { queueClaims } from "./collectorsClaims.js"
import { section } from "./collectorsCommon.js"
import { concurrentWriters } from "./collectorsConcurrent.js"
import { databases, dropStale } from "./collectorsPg.js"
import { scaleModel } from "./collectorsScale.js"
import { sharing } from "./collectorsSharing.js"
import { pgStorage } from "./collectorsStorage.js"
import type { Ctx } from "./helpers.js"

// 7. PostgreSQL and many collectors: the repository on PostgreSQL against raw `pg`; concurrent
// writers into one database; three collectors (three rate budgets) sharing one database against
// one; the cost of claiming work from a whole catalogue's queue; and what that makes of a
// 1.14-million-movie crawl with 1, 4 and 16 collectors. One part per file, run in this order,
// each adding its figures, details and method paragraph to one outcome.

export const collectorsBench = async (ctx: Ctx) => {
  const out = section()
  const dbs = databases()
  const open: Array<Sandbox> = []
  try {
    const stale = await dropStale()
    if (stale > 0) ctx.log(`collectors: dropped ${stale} tmdb_bench_* database(s) left by runs that were stopped`)
    await pgStorage(ctx, dbs, out)
    const { dbRate } = await concurrentWriters(ctx, dbs, out)
    const shared = await sharing(ctx, dbs, open, out)
    const claims = await queueClaims(ctx, dbs, open, out)
    scaleModel(out, dbRate, shared, claims)
    return {
      title: "7. PostgreSQL and many collectors",
      method: out.method,
      figures: out.figures,
      details: out.details,
      diagnosis: out.diagnosis
    }
  } finally {
    await Promise.all(open.map((s) => s.close()))
    await dbs.dropAll()
  }
}
