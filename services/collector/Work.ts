import { Effect, Option, Stream } from "effect"
import type { DatabaseError } from "../../src/Database.js"
import type { AnyKind } from "../../src/RecordKind.js"
import type { SelectionPolicy } from "../../src/Storage.js"
import type { MovieRepository } from "../MovieRepository.js"

/** Ids chosen per round: a whole catalogue's million would not fit the CLI's 128 MB heap. */
const ROUND = 10_000

/**
 * A set of units of shared work (a year's discovery, the changes): done once per generation of
 * collectors, by whichever claims it.
 */
export interface Units {
  readonly size: number
  /**
   * Runs `run` on the units this collector can claim now (alone: all of them, in one call), and
   * remembers those another collector holds, to take them over if it dies. Whether it ran any.
   */
  readonly take: <E, R>(run: (units: ReadonlyArray<string>) => Effect.Effect<void, E, R>) => Effect.Effect<boolean, E | DatabaseError, R>
  /** Whether another collector holds one of them, not done yet. */
  readonly held: () => boolean
}

/**
 * Who does what: alone (SQLite, whose file lock lets one collector in) or among collectors
 * sharing a database (PostgreSQL, `./SharedWork.ts`). The workflow is written once over this.
 */
export interface Work {
  /** What this run or its generation tried since this instant waits for the next run. */
  readonly attemptedBefore: string
  /** The run whose leases a stored outcome releases; none alone. */
  readonly leasedBy: number | undefined
  readonly units: (names: ReadonlyArray<string>) => Units
  /**
   * The next ids of `kind` to fetch, or none when nothing is left now. Alone, a round of the
   * store's choice, written before the next is chosen; among others, leased as the workers need them.
   */
  readonly next: (
    kind: AnyKind,
    policy: SelectionPolicy,
    left: () => number
  ) => Effect.Effect<Option.Option<Stream.Stream<number, DatabaseError>>, DatabaseError>
  /** Whether another live collector holds work of `kind` (or a shared unit) that may come back to this one. */
  readonly othersBusy: (kind: AnyKind) => Effect.Effect<boolean, DatabaseError>
  /** Among others: the generation joined and the units this collector did. */
  readonly shared: () => { readonly generation: number; readonly did: ReadonlyArray<string> } | undefined
}

/** A collector alone: every unit is its own, and the store chooses what to fetch a round at a time. */
export const aloneWork = (repo: MovieRepository, startedAt: string): Work => ({
  attemptedBefore: startedAt,
  leasedBy: undefined,
  units: (names) => {
    let taken = false
    return {
      size: names.length,
      take: (run) =>
        Effect.suspend(() => {
          if (taken || names.length === 0) return Effect.succeed(false)
          taken = true
          return Effect.as(run(names), true)
        }),
      held: () => false
    }
  },
  next: (kind, policy, left) =>
    Effect.map(
      repo.selectForDetails({ ...policy, limit: Math.min(ROUND, left()) }, kind),
      (ids) => ids.length === 0 ? Option.none() : Option.some(Stream.fromIterable(ids))
    ),
  othersBusy: () => Effect.succeed(false),
  shared: () => undefined
})
