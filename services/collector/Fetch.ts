import { Clock, Effect, Either, Queue, Stream } from "effect"
import { toEventLoop } from "../../src/Breathe.js"
import { failureKind, UnauthorizedError } from "../../src/Errors.js"
import { recordsStored } from "../../src/Metrics.js"
import type { AnyKind } from "../../src/RecordKind.js"
import { now } from "../../src/Time.js"
import type { FailureRecord } from "../MovieRepository.js"
import { type DetailsOutcome, forEachRecord } from "../tmdbClient/Details.js"
import { makeGathering } from "./Gather.js"
import { type RunState, tallyOf } from "./Tally.js"

const MAX_BATCH = 500
const GATHER_TURNS = 8
// How long the first answer of a batch may wait for others before it is committed anyway: what a
// kill costs stays the concurrency's worth of answers, whatever this is.
const GATHER_MS = 1_000

/**
 * Fetches the records of `kind` for `ids` concurrently while a writer drains the outcomes in short
 * transactions, so a kill loses at most what is in flight and memory stays flat however many
 * records there are. `fresh`: ids new since the export, kept only if its filters would keep them.
 */
export const fetchAll = <E, R>(run: RunState, kind: AnyKind, ids: Stream.Stream<number, E, R>, fresh: ReadonlySet<number>, total: number) =>
  Effect.gen(function*() {
    const { client, options, repo } = run
    const tally = tallyOf(run, kind)
    const concurrency = client.settings.maxConcurrent
    const gatherAtLeast = Math.max(1, Math.floor(concurrency / 2))
    // `null` marks the end of the outcomes.
    const queue = yield* Queue.bounded<DetailsOutcome<unknown> | null>(concurrency)
    // An id holds a permit from before its request until its outcome is committed, so a kill
    // loses at most the concurrency's worth of answers, however far a slow or loaded database
    // lets the writer fall behind: the workers wait for it instead of piling answers up.
    const unsaved = yield* Effect.makeSemaphore(concurrency)
    const gathering = yield* makeGathering(queue)
    const save = (batch: ReadonlyArray<DetailsOutcome<unknown>>) =>
      Effect.gen(function*() {
        const details: Array<unknown> = []
        const failures: Array<FailureRecord> = []
        for (const outcome of batch) {
          if (Either.isLeft(outcome.result)) {
            failures.push({ tmdbId: outcome.tmdbId, kind: failureKind(outcome.result.left), message: outcome.result.left.message })
          } else if (fresh.has(outcome.tmdbId) && kind.keepsRecord?.(options, outcome.result.right) === false) {
            tally.freshFiltered++
          } else details.push(outcome.result.right)
        }
        tally.done += batch.length
        if (details.length + failures.length > 0) {
          const presence = yield* repo.saveRecords(kind, details, failures, yield* now, run.work.leasedBy)
          tally.removed += presence.removed
          tally.restored += presence.restored
          tally.fetched += details.length
          recordsStored(kind.name, details.length)
          for (const f of failures) tally.failed[f.kind] = (tally.failed[f.kind] ?? 0) + 1
        }
        run.progress({ phase: "details", kind: kind.name, done: tally.done, total, failed: tally.done - tally.fetched - tally.freshFiltered })
        yield* unsaved.release(batch.length)
      }).pipe(Effect.uninterruptible) // never cut a transaction short
    // The writer cannot be interrupted: it stops at the end marker, which the producer always
    // sends, so every outcome taken from the queue is written (on success, failure or Ctrl-C).
    const writer = Effect.uninterruptible(Effect.gen(function*() {
      while (true) {
        const batch = Array.from(yield* Queue.takeBetween(queue, 1, MAX_BATCH))
        // While answers keep arriving, a few turns of the event loop bring more.
        for (let turn = 0; turn < GATHER_TURNS && batch.length < concurrency && !batch.includes(null); turn++) {
          yield* toEventLoop
          batch.push(...(yield* Queue.takeUpTo(queue, MAX_BATCH - batch.length)))
        }
        // A commit of a rich movie writes some 25 pages (its row, eight child tables and their
        // indexes, the payload), however few movies it holds, and a paced run's answers come one
        // at a time: one commit each cost 2.5 ms of CPU per movie even without Effect, against
        // 0.8 ms in batches (BENCHMARKS.md, CPU). So a batch still short of half the permits'
        // worth of answers waits for more, up to GATHER_MS; the other half keeps the workers
        // sending meanwhile. At full speed the turns above have filled it: no timer per answer.
        const deadline = (yield* Clock.currentTimeMillis) + GATHER_MS
        while (batch.length < gatherAtLeast && !batch.includes(null) && (yield* Clock.currentTimeMillis) < deadline) {
          yield* gathering.awaitQueued(gatherAtLeast - batch.length, deadline)
          batch.push(...(yield* Queue.takeUpTo(queue, MAX_BATCH - batch.length)))
        }
        yield* save(batch.filter((o) => o !== null))
        if (batch.includes(null)) return
      }
      // A writer that failed takes no more: the workers waiting to hand over stop at once.
    })).pipe(Effect.onError(() => Queue.shutdown(queue)))
    const counted = Effect.zipRight(unsaved.take(1), Effect.sync(() => tally.chosen++))
    const append = { appendToResponse: options.append ?? [] }
    const producer = forEachRecord(
      (id) => client.getRecord(kind, id, append),
      concurrency,
      ids,
      (outcome) =>
        Effect.zipRight(
          Effect.tap(Queue.offer(queue, outcome), gathering.offered),
          // A rejected key is fatal for the run: stop sending at once.
          Either.isLeft(outcome.result) && outcome.result.left instanceof UnauthorizedError ? Effect.fail(outcome.result.left) : Effect.void
        ),
      counted
    ).pipe(Effect.ensuring(Effect.tap(Queue.offer(queue, null), gathering.ended)))
    yield* Effect.all([producer, writer], { concurrency: 2, discard: true })
  }).pipe(Effect.scoped)
