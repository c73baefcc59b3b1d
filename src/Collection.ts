import type { Duration } from "effect"
import type { ExportReport } from "./Catalogue.js"
import type { SortBy } from "./Discover.js"
import type { FailureKind } from "./Errors.js"
import type { AnyKind } from "./RecordKind.js"

// What a collection run is asked to do and what it reports: the domain side of the Collector
// service (services/Collector.ts), shared with the CLI's summary.

export interface CollectionOptions {
  /** First release year to discover; required unless `all`. */
  readonly startYear?: number | undefined
  /**
   * The whole catalogue: ids come from TMDB's latest daily ID export instead of discover
   * (which is then skipped). Needs the `TmdbExports` service.
   */
  readonly all?: boolean | undefined
  /** `all`: keep export lines with at least this popularity. Default 0. */
  readonly minPopularity?: number | undefined
  /** Adult titles too (discover's include_adult; `all`: the adult export file). Default false. */
  readonly includeAdult?: boolean | undefined
  /** "Video" releases too (discover's include_video; `all`: video lines). Default false. */
  readonly includeVideo?: boolean | undefined
  /** Default: the current year. */
  readonly endYear?: number | undefined
  readonly minVoteCount?: number | undefined
  readonly maxPages?: number | undefined
  readonly sortBy?: SortBy | undefined
  /** At most this many movies get details this run; 0 means discover only. Default: no limit. */
  readonly refreshLimit?: number | undefined
  /**
   * Details older than this are refreshed, however /movie/changes reads. Default 90 days: the
   * safety net for changes TMDB does not list (README "Keeping the catalogue fresh").
   */
  readonly staleAfter?: Duration.DurationInput | undefined
  /**
   * Sub-resources appended to each details request. Default: `TMDB_APPEND`, else credits,
   * keywords, release_dates and external_ids (every one that has a table).
   */
  readonly append?: ReadonlyArray<string> | undefined
  /**
   * The kinds of record to keep, in order (`RecordKind`). Default: `DEFAULT_KINDS`, movies with
   * their collections and companies (`WITH_PEOPLE` adds people; `[movieKind]` keeps movies alone). Each is read
   * from its export (with `all`) and its changes feed, and fetched as it needs; `refreshLimit`
   * applies to each.
   */
  readonly kinds?: ReadonlyArray<AnyKind> | undefined
  /** Skip discovery and only fetch details for what is stored. */
  readonly skipDiscovery?: boolean | undefined
  /**
   * `all`: read the daily ID export only when TMDB has published one newer than this day
   * (YYYY-MM-DD), the last one read; the changes are read either way. A run repeated through the
   * day (`--watch`) reads each day's export once.
   */
  readonly exportsAfter?: string | undefined
  /**
   * How often this run is repeated (`--watch --every`): each run then also refreshes an even
   * share of the stored details, those fetched longest ago (`every` ÷ `staleAfter` of them), so the
   * stale rule costs about the same every run instead of arriving in waves.
   */
  readonly every?: Duration.DurationInput | undefined
  readonly onProgress?: ((progress: CollectionProgress) => void) | undefined
}

export type CollectionProgress =
  | { readonly phase: "export"; readonly lines: number; readonly kept: number; readonly kind?: string | undefined }
  | { readonly phase: "discover"; readonly pages: number; readonly movies: number; readonly year: number }
  | { readonly phase: "details"; readonly done: number; readonly total: number; readonly failed: number; readonly kind?: string | undefined }

/** What reading /movie/changes came to. */
export interface ChangesReport {
  /**
   * `read`: every page of every window; `failed`: a page failed, the mark stays; `first-run`: no
   * mark yet, one is set; `too-old`: the mark is older than changes are read back (90 days), the
   * age-based refresh covers the gap and the mark restarts today; `elsewhere`: another collector
   * sharing the database reads them this time (README "Many collectors").
   */
  readonly status: "read" | "failed" | "first-run" | "too-old" | "elsewhere"
  /** The days read, both included: from the mark to today. */
  readonly from?: string | undefined
  readonly to?: string | undefined
  readonly windows: number
  /** Distinct ids listed. */
  readonly listed: number
  /** Of those, movies the store holds, chosen for details when fetched before the change. */
  readonly stored: number
  /** `all`: listed ids neither stored nor in the export, fetched as new movies. */
  readonly new: number
  readonly failure?: { readonly from: string; readonly to: string; readonly kind: FailureKind; readonly message: string } | undefined
}

/** What a run did for one kind of record. */
export interface KindSummary {
  /** `all`: what its export held and what was kept. */
  readonly export?: ExportReport | undefined
  /** Its changes feed; none for a kind TMDB keeps no feed for. */
  readonly changes?: ChangesReport | undefined
  /**
   * Records new to the store: from its export, or (collections, companies, people) named by a
   * stored movie for the first time. The top-level `new` adds what discovery found.
   */
  readonly new: number
  readonly detailsChosen: number
  readonly detailsFetched: number
  readonly failed: Partial<Record<FailureKind, number>>
  readonly removed: number
  readonly restored: number
}

/**
 * What a run did. The counts of records (`new`, `details*`, `failed`, `removed`, `restored`),
 * `export` and `changes` are its first kind's (movies by default), and `kinds` has each kind's own
 * (`collection`, `company`, `person`, ...).
 */
export interface CollectionSummary {
  readonly runId: number
  /** `years` (discover) or `all` (the daily ID export). */
  readonly mode: "years" | "all"
  /** `all`: what the export held and what was kept. */
  readonly export?: ExportReport | undefined
  readonly changes: ChangesReport
  /** Stored records TMDB now answers with 404: marked `removed_at`, kept. */
  readonly removed: number
  /** Removed records TMDB serves again. */
  readonly restored: number
  /** Distinct movies listed by discovery this run. */
  readonly discovered: number
  /** Of those (and of the export's lines), records not stored before. */
  readonly new: number
  readonly discoverPages: number
  /** Records chosen for details this run. */
  readonly detailsChosen: number
  readonly detailsFetched: number
  readonly failed: Partial<Record<FailureKind, number>>
  /** Each kind's part, by name, in the run's order. */
  readonly kinds: Readonly<Record<string, KindSummary>>
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
  /**
   * Among collectors sharing a database (PostgreSQL): the generation it joined (the first
   * collector's run id) and the shared units it did itself; the rest were others'.
   */
  readonly shared?: { readonly generation: number; readonly did: ReadonlyArray<string>; readonly byOthers: number } | undefined
  /**
   * The request budget: this collector's own (`local`), shared in Redis (`shared`), or its own
   * after Redis went away (`fallback`); with the most collectors seen on it at once.
   */
  readonly budget?: { readonly kind: "local" | "shared" | "fallback"; readonly collectors: number } | undefined
}
