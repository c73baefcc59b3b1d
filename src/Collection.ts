import type { Duration } from "effect"
import type { SortBy } from "./Discover.js"
import type { FailureKind } from "./Errors.js"

// What a collection run is asked to do and what it reports: the domain side of the Collector
// service (services/Collector.ts), shared with the CLI's summary.

export interface CollectionOptions {
  readonly startYear: number
  /** Default: the current year. */
  readonly endYear?: number | undefined
  readonly minVoteCount?: number | undefined
  readonly maxPages?: number | undefined
  readonly sortBy?: SortBy | undefined
  /** At most this many movies get details this run; 0 means discover only. Default: no limit. */
  readonly refreshLimit?: number | undefined
  /** Details older than this are refreshed. Default 30 days. */
  readonly staleAfter?: Duration.DurationInput | undefined
  /**
   * Sub-resources appended to each details request. Default: `TMDB_APPEND`, else credits,
   * keywords, release_dates and external_ids (every one that has a table).
   */
  readonly append?: ReadonlyArray<string> | undefined
  /** Skip discovery and only fetch details for what is stored. */
  readonly skipDiscovery?: boolean | undefined
  readonly onProgress?: ((progress: CollectionProgress) => void) | undefined
}

export type CollectionProgress =
  | { readonly phase: "discover"; readonly pages: number; readonly movies: number; readonly year: number }
  | { readonly phase: "details"; readonly done: number; readonly total: number; readonly failed: number }

export interface CollectionSummary {
  readonly runId: number
  /** Distinct movies listed by discovery this run. */
  readonly discovered: number
  /** Of those, movies not stored before. */
  readonly new: number
  readonly discoverPages: number
  /** Movies chosen for details this run. */
  readonly detailsChosen: number
  readonly detailsFetched: number
  readonly failed: Partial<Record<FailureKind, number>>
  readonly requests: number
  readonly retries: number
  readonly rateLimited: number
  /** The limiter's rate at the end (lower than configured after repeated 429s). */
  readonly settledRate: number
  readonly durationMs: number
  /** Discovery saw every page it needed, and every window listed as many movies as it holds. */
  readonly complete: boolean
  /** Movies that windows counted in `total_results` but never listed, however they were cut. */
  readonly missing: number
  readonly discoveryFailures: ReadonlyArray<{ year: number; from: string; to: string; page: number; kind: FailureKind; message: string }>
  readonly incomplete: ReadonlyArray<{ year: number; from: string; to: string; totalResults: number; found: number; missing: number }>
  readonly truncated: ReadonlyArray<{ year: number; from: string; to: string; reason: string; pagesFetched: number; totalPages: number }>
}
