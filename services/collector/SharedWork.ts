import { Chunk, Duration, Effect, Fiber, Option, Schedule, type Scope, Stream } from "effect"
import type { DatabaseError } from "../../src/Database.js"
import type { AnyKind } from "../../src/RecordKind.js"
import type { SelectionPolicy } from "../../src/Storage.js"
import type { Coordination } from "../Coordination.js"
import type { Units, Work } from "./Work.js"

/**
 * Among collectors, records that need ranking (changed, failed, stale) are claimed this many at a
 * time: their ranking scans the table, so one claim serves about 12 s of work at 40 req/s.
 */
const RANKED_CLAIM = 500

/**
 * `runId`'s share of the work among collectors on one database: it joins the live generation,
 * beats its heart while the scope lives, and gives back what it holds when the scope closes, so
 * its claims stay its own while it runs and a killed collector's pass on once they expire.
 */
export const sharedWork = (
  coordination: Coordination["Type"],
  runId: number,
  concurrency: number,
  kinds: ReadonlyArray<AnyKind>
): Effect.Effect<Work, DatabaseError, Scope.Scope> =>
  Effect.gen(function*() {
    const membership = yield* coordination.join(runId, kinds)
    const heartbeat = yield* Effect.forkScoped(
      Effect.ignore(coordination.heartbeat(runId, kinds)).pipe(Effect.repeat(Schedule.spaced(Duration.millis(coordination.leaseMs / 3))))
    )
    // The heartbeat stops first, so none lands after the release to hold the claims again; what
    // it held goes back at once, not when its leases expire.
    yield* Effect.addFinalizer(() => Effect.zipRight(Fiber.interrupt(heartbeat), Effect.ignore(coordination.release(runId, kinds))))
    const did: Array<string> = []

    const units = (names: ReadonlyArray<string>): Units => {
      // Units another collector holds: taken over if it dies before they are done.
      const open = new Set(names)
      const held = new Set<string>()
      return {
        size: names.length,
        take: (run) =>
          Effect.gen(function*() {
            let ran = false
            for (const unit of names) {
              if (!open.has(unit)) continue
              const state = yield* coordination.claimUnit(membership, runId, unit)
              if (state === "held") held.add(unit)
              else {
                open.delete(unit)
                held.delete(unit)
              }
              if (state !== "claimed") continue
              yield* run([unit])
              yield* coordination.finishUnit(membership, runId, unit)
              did.push(unit)
              ran = true
            }
            return ran
          }),
        held: () => held.size > 0
      }
    }

    // A few records at a time, leased, claimed as the workers need them.
    const claimSize = 2 * concurrency
    const claim = (kind: AnyKind, policy: SelectionPolicy, left: number) =>
      left <= 0 ? Effect.succeed([]) : coordination.claimDetails(runId, policy, Math.min(claimSize, left), Math.min(RANKED_CLAIM, left), kind)
    const next: Work["next"] = (kind, policy, left) =>
      Effect.map(claim(kind, policy, left()), (first) => {
        if (first.length === 0) return Option.none()
        const more = Stream.repeatEffectChunkOption(
          // Suspended: `left` is read at each claim, or every claim would take the first one's.
          Effect.flatMap(
            Effect.suspend(() => claim(kind, policy, left())),
            (ids) => ids.length === 0 ? Effect.fail(Option.none()) : Effect.succeed(Chunk.fromIterable(ids))
          ).pipe(
            Effect.mapError((e) => (Option.isOption(e) ? e : Option.some(e)))
          )
        )
        return Option.some(Stream.concat(Stream.fromIterable(first), more))
      })

    return {
      attemptedBefore: membership.startedAt,
      leasedBy: runId,
      units,
      next,
      // Another kind's leases never come back to this kind's loop: only the kind's own count.
      othersBusy: (kind) => coordination.othersBusy(membership, runId, [kind]),
      shared: () => ({ generation: membership.generation, did: [...did] })
    } satisfies Work
  })
