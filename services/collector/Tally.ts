import type { CollectionOptions, CollectionProgress } from "../../src/Collection.js"
import type { DiscoverIncompleteEvent, DiscoverPageFailedEvent, DiscoverTruncatedEvent } from "../../src/Discover.js"
import type { FailureKind } from "../../src/Errors.js"
import type { MovieRepository } from "../MovieRepository.js"
import type { TmdbClient } from "../TmdbClient.js"
import type { TmdbExports } from "../TmdbExports.js"
import type { ChangesRead, ExportRead } from "./Catalogue.js"
import type { Work } from "./Work.js"

/**
 * Everything a run counts, in one value: each phase adds to it as it goes, and the summary is
 * computed from it at the end (`./Summary.ts`).
 */
export interface Tally {
  /** Discover: pages and movies listed, movies new to the store (the export's new ones too). */
  discoverPages: number
  discovered: number
  added: number
  readonly discoveryFailures: Array<DiscoverPageFailedEvent>
  readonly truncated: Array<DiscoverTruncatedEvent>
  readonly incomplete: Array<DiscoverIncompleteEvent>
  /** What this collector read of the export and the changes; undefined when another did. */
  exported: ExportRead | undefined
  changes: ChangesRead | undefined
  /** Details: ids taken for a request, outcomes written, details stored. */
  chosen: number
  done: number
  fetched: number
  /** New since the export, and the export's filters would not have kept their lines. */
  freshFiltered: number
  removed: number
  restored: number
  readonly failed: Partial<Record<FailureKind, number>>
}

export const emptyTally = (): Tally => ({
  discoverPages: 0,
  discovered: 0,
  added: 0,
  discoveryFailures: [],
  truncated: [],
  incomplete: [],
  exported: undefined,
  changes: undefined,
  chosen: 0,
  done: 0,
  fetched: 0,
  freshFiltered: 0,
  removed: 0,
  restored: 0,
  failed: {}
})

/** What every phase of one run reads: its options, its services, its tally and its share of the work. */
export interface RunState {
  readonly runId: number
  readonly startedMs: number
  readonly options: CollectionOptions
  /** Today's daily ID export, with `all`. */
  readonly exporting: { readonly exports: TmdbExports; readonly date: string } | undefined
  readonly client: TmdbClient
  readonly repo: MovieRepository
  readonly work: Work
  readonly tally: Tally
  readonly progress: (progress: CollectionProgress) => void
}
