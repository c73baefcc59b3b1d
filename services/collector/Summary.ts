import type { ChangesReport, CollectionSummary, KindSummary } from "../../src/Collection.js"
import { discoveryComplete } from "../../src/Discover.js"
import { failureKind } from "../../src/Errors.js"
import type { LimiterStats } from "../RateLimiter.js"
import type { ClientStats } from "../TmdbClient.js"
import type { KindTally, Tally } from "./Tally.js"

// Phase 4: what a run came to, as the CLI prints it and collection_runs.summary stores it.

export interface SummaryInput {
  readonly runId: number
  readonly all: boolean
  readonly tally: Tally
  readonly feeds: ReadonlySet<string>
  /** Among others: the generation and the shared units this collector did, of `units`. */
  readonly shared: { readonly generation: number; readonly did: ReadonlyArray<string> } | undefined
  readonly units: number
  readonly client: ClientStats
  readonly limiter: LimiterStats
  readonly durationMs: number
}

// Another collector of this generation read the changes, and moves the mark.
const ELSEWHERE: ChangesReport = { status: "elsewhere", windows: 0, listed: 0, stored: 0, new: 0 }

const kindSummary = (kind: KindTally, feed: boolean): KindSummary => ({
  export: kind.exported?.report,
  changes: feed ? kind.changes?.report ?? ELSEWHERE : undefined,
  new: (kind.exported?.report.new ?? 0) + kind.linked,
  detailsChosen: kind.chosen,
  detailsFetched: kind.fetched,
  failed: { ...kind.failed },
  removed: kind.removed,
  restored: kind.restored
})

/** The run's summary: a function of what happened, nothing else. `feeds`: the kinds with a changes feed. */
export const summarize = ({ all, client, durationMs, feeds, limiter, runId, shared, tally, units }: SummaryInput): CollectionSummary => {
  const { discoveryFailures, incomplete, truncated } = tally
  const kinds = Object.fromEntries([...tally.kinds].map(([name, kind]) => [name, kindSummary(kind, feeds.has(name))]))
  const each = Object.values(kinds)
  // The top-level counts are the first kind's (movies unless the options say otherwise): a script
  // reading `detailsFetched` reads movies whatever else the run kept.
  const first = each[0]
  const changes: ChangesReport = first?.changes ?? ELSEWHERE
  return {
    runId,
    shared: shared === undefined ? undefined : { generation: shared.generation, did: [...shared.did], byOthers: units - shared.did.length },
    // Those that finish early leave the budget first: the most seen at once says it was shared.
    budget: { kind: limiter.budget, collectors: limiter.mostCollectors },
    mode: all ? "all" : "years",
    export: first?.export,
    changes,
    removed: first?.removed ?? 0,
    restored: first?.restored ?? 0,
    discovered: tally.discovered,
    new: tally.added + (first?.new ?? 0),
    discoverPages: tally.discoverPages,
    detailsChosen: first?.detailsChosen ?? 0,
    detailsFetched: first?.detailsFetched ?? 0,
    failed: { ...first?.failed },
    kinds,
    requests: client.requests,
    retries: client.retries,
    rateLimited: client.rateLimited,
    settledRate: Math.round(limiter.currentRate * 100) / 100,
    durationMs,
    complete: discoveryComplete({ failedPages: discoveryFailures, incomplete, truncated }) && each.every((k) => k.changes?.status !== "failed"),
    missing: incomplete.reduce((n, i) => n + i.missing, 0),
    discoveryFailures: discoveryFailures.map((f) => ({
      year: f.year,
      from: f.window.from,
      to: f.window.to,
      page: f.page,
      kind: failureKind(f.error),
      message: f.error.message
    })),
    incomplete: incomplete.map((i) => ({
      year: i.year,
      from: i.window.from,
      to: i.window.to,
      totalResults: i.totalResults,
      found: i.found,
      missing: i.missing
    })),
    truncated: truncated.map((t) => ({
      year: t.year,
      from: t.window.from,
      to: t.window.to,
      reason: t.reason,
      pagesFetched: t.pagesFetched,
      totalPages: t.totalPages
    }))
  }
}
