import type { CollectionOptions, CollectionProgress } from "../../src/Collection.js"
import type { DiscoverIncompleteEvent, DiscoverPageFailedEvent, DiscoverTruncatedEvent } from "../../src/Discover.js"
import type { FailureKind } from "../../src/Errors.js"
import type { AnyKind } from "../../src/RecordKind.js"
import type { MovieRepository } from "../MovieRepository.js"
import type { TmdbClient } from "../TmdbClient.js"
import type { TmdbExports } from "../TmdbExports.js"
import type { ChangesRead, ExportRead } from "./Catalogue.js"
import type { Work } from "./Work.js"

/** What a run did for one kind of record: its export and changes, and its details. */
export interface KindTally {
  /** What this collector read of the kind's export and changes; undefined when another did (or none). */
  exported: ExportRead | undefined
  changes: ChangesRead | undefined
  /** Records a stored movie names that had no row (a linked kind's new records). */
  linked: number
  /** Ids taken for a request, outcomes written, records stored. */
  chosen: number
  done: number
  fetched: number
  /** New since the export, and the export's filters would not have kept their lines. */
  freshFiltered: number
  removed: number
  restored: number
  readonly failed: Partial<Record<FailureKind, number>>
}

/**
 * Everything a run counts, in one value: each phase adds to it as it goes, and the summary is
 * computed from it at the end (`./Summary.ts`).
 */
export interface Tally {
  /** Discover: pages and movies listed, movies new to the store. */
  discoverPages: number
  discovered: number
  added: number
  readonly discoveryFailures: Array<DiscoverPageFailedEvent>
  readonly truncated: Array<DiscoverTruncatedEvent>
  readonly incomplete: Array<DiscoverIncompleteEvent>
  /** Each kind's, by name, in the run's order of kinds. */
  readonly kinds: Map<string, KindTally>
}

export const emptyTally = (kinds: ReadonlyArray<AnyKind>): Tally => ({
  discoverPages: 0,
  discovered: 0,
  added: 0,
  discoveryFailures: [],
  truncated: [],
  incomplete: [],
  kinds: new Map(kinds.map((kind) => [kind.name, {
    exported: undefined,
    changes: undefined,
    linked: 0,
    chosen: 0,
    done: 0,
    fetched: 0,
    freshFiltered: 0,
    removed: 0,
    restored: 0,
    failed: {}
  }]))
})

/** A kind's part of the tally. */
export const tallyOf = (run: RunState, kind: AnyKind): KindTally => run.tally.kinds.get(kind.name)!

/** What every phase of one run reads: its options, its services, its tally and its share of the work. */
export interface RunState {
  readonly runId: number
  readonly startedMs: number
  readonly options: CollectionOptions
  /** The kinds of record it keeps, in order: movies unless the options say otherwise. */
  readonly kinds: ReadonlyArray<AnyKind>
  /** The date of today's daily ID exports, with `all`. */
  readonly exporting: { readonly exports: TmdbExports; readonly date: string } | undefined
  readonly client: TmdbClient
  readonly repo: MovieRepository
  readonly work: Work
  readonly tally: Tally
  readonly progress: (progress: CollectionProgress) => void
}
