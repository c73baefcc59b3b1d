import type { ChangesReport, CollectionSummary } from "../../src/Collection.js"
import { discoveryComplete } from "../../src/Discover.js"
import { failureKind } from "../../src/Errors.js"
import type { LimiterStats } from "../RateLimiter.js"
import type { ClientStats } from "../TmdbClient.js"
import type { Tally } from "./Tally.js"

// Phase 4: what a run came to, as the CLI prints it and collection_runs.summary stores it.

export interface SummaryInput {
  readonly runId: number
  readonly all: boolean
  readonly tally: Tally
  /** Among others: the generation and the shared units this collector did, of `units`. */
  readonly shared: { readonly generation: number; readonly did: ReadonlyArray<string> } | undefined
  readonly units: number
  readonly client: ClientStats
  readonly limiter: LimiterStats
  readonly durationMs: number
}

/** The run's summary: a function of what happened, nothing else. */
export const summarize = ({ all, client, durationMs, limiter, runId, shared, tally, units }: SummaryInput): CollectionSummary => {
  const { discoveryFailures, incomplete, truncated } = tally
  // Another collector of this generation read the changes, and moves the mark.
  const changes: ChangesReport = tally.changes?.report ?? { status: "elsewhere", windows: 0, listed: 0, stored: 0, new: 0 }
  return {
    runId,
    shared: shared === undefined ? undefined : { generation: shared.generation, did: [...shared.did], byOthers: units - shared.did.length },
    budget: { kind: limiter.budget, collectors: limiter.collectors },
    mode: all ? "all" : "years",
    export: tally.exported?.report,
    changes,
    removed: tally.removed,
    restored: tally.restored,
    discovered: tally.discovered,
    new: tally.added,
    discoverPages: tally.discoverPages,
    detailsChosen: tally.chosen,
    detailsFetched: tally.fetched,
    failed: { ...tally.failed },
    requests: client.requests,
    retries: client.retries,
    rateLimited: client.rateLimited,
    settledRate: Math.round(limiter.currentRate * 100) / 100,
    durationMs,
    complete: discoveryComplete({ failedPages: discoveryFailures, incomplete, truncated }) && changes.status !== "failed",
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
