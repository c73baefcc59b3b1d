import type { CatalogueMovie } from "./Catalogue.js"
import type { SandboxCounters } from "./Counters.js"
import type { LinkedExportKind } from "./Exports.js"
import type { ExportTruthFilter, GroundTruthEntry, GroundTruthQuery } from "./GroundTruth.js"
import type { CollectionTruth, CompanyTruth, LinkedIds, PersonTruth } from "./LinkedTruth.js"
import type { SandboxOptions } from "./Options.js"
import type { RichTruth } from "./RichTruth.js"
import type { AdvanceResult, AdvanceSpec } from "./Timeline.js"

// What `startSandbox` hands back (sandbox/Server.ts): the server's addresses, its counters, the
// ground truth of every kind of record, time, and the runtime controls.

export interface Sandbox {
  /** "http://127.0.0.1:PORT/3" */
  readonly baseUrl: string
  /** "http://127.0.0.1:PORT": the files host, serving `/p/exports/movie_ids_MM_DD_YYYY.json.gz`, `person_ids_…` and the rest. */
  readonly filesUrl: string
  readonly port: number
  /** Live: mutated as requests arrive. */
  readonly counters: SandboxCounters
  /** The effective options: defaults filled in, current faults and rate limit. */
  readonly options: SandboxOptions
  /** The live movies now, by id: advances change it (advance-deleted movies are not in it). */
  readonly catalogue: ReadonlyArray<CatalogueMovie>
  groundTruth(query: GroundTruthQuery): Array<GroundTruthEntry>
  /** Every live movie the export files list that the filters keep, undated ones included, by id. */
  exportTruth(filter: ExportTruthFilter): Array<GroundTruthEntry>
  /**
   * Moves the catalogue on: edits, adds, deletes and restores movies (seeded by the catalogue seed
   * and the number of earlier advances), logged in /movie/changes on today's UTC day.
   */
  advance(spec: AdvanceSpec): AdvanceResult
  /** True for an id an advance deleted (and no later advance restored). */
  isRemoved(id: number): boolean
  /** The rich rows stored for `tmdbId` fetched with these appends; undefined when none are (see RichTruth.ts). */
  richTruth(tmdbId: number, append: ReadonlyArray<string>): RichTruth | undefined
  /** The stored rows of a collection, company or person (sandbox/LinkedTruth.ts); undefined for an id that is not live. */
  collectionTruth(id: number): CollectionTruth | undefined
  companyTruth(id: number): CompanyTruth | undefined
  personTruth(id: number): PersonTruth | undefined
  /** The collections, companies and people these movies' current details name, ascending: what their collector must fetch. */
  linkedIds(tmdbIds: ReadonlyArray<number>): LinkedIds
  /** How many lines that export file has now. */
  exportLines(kind: LinkedExportKind): number
  startOutage(durationMs: number): void
  setFaults(faults: SandboxOptions["faults"]): void
  setRateLimit(rl: SandboxOptions["rateLimit"]): void
  resetCounters(): void
  /** Closes the server and destroys every open socket, hung ones included. */
  close(): Promise<void>
}
