import { Cause, Effect, type Either, Option, Queue, Stream } from "effect"
import type { TmdbError } from "../../src/Errors.js"
import type { MovieDetails } from "../../src/Movie.js"

// The details path's types, and its one concurrent loop, shared by the client's batch and stream
// methods and by the Collector.

export interface DetailsOptions {
  /** Sub-requests to append (`external_ids`, `credits`, ...), at most 20. */
  readonly appendToResponse?: ReadonlyArray<string>
}

export interface BatchOptions extends DetailsOptions {
  readonly onProgress?: (done: number, total: number) => void
}

export interface BatchResult {
  readonly succeeded: ReadonlyArray<MovieDetails>
  readonly failed: ReadonlyArray<{ readonly tmdbId: number; readonly error: TmdbError }>
}

/** One id's answer: its record (a movie unless said otherwise), or why there is none. */
export interface DetailsOutcome<A = MovieDetails> {
  readonly tmdbId: number
  readonly result: Either.Either<A, TmdbError>
}

/** What the details path needs of a client: the real `TmdbClient`, or a test fake of it. */
export interface DetailsSource {
  readonly getMovieDetails: (tmdbId: number, options?: DetailsOptions) => Effect.Effect<MovieDetails, TmdbError>
  readonly settings: { readonly maxConcurrent: number }
}

/**
 * The one concurrent details path: a fixed pool of `maxConcurrent` workers takes the ids in
 * order and hands each outcome (with the id's position) to `onOutcome` as it completes. Ids are
 * read only as workers free up, so memory stays flat; once `onOutcome` fails, no id starts and
 * the requests in flight are interrupted. Not Stream.mapEffect: its `unordered` mode costs
 * several times the CPU per element (BENCHMARKS.md, client overhead).
 */
export const forEachMovieDetails = <E, R, E2 = never, R2 = never>(
  client: DetailsSource,
  ids: Stream.Stream<number, E2, R2>,
  onOutcome: (outcome: DetailsOutcome, index: number) => Effect.Effect<void, E, R>,
  options: DetailsOptions = {}
): Effect.Effect<void, E | E2, R | R2> => forEachRecord((id) => client.getMovieDetails(id, options), client.settings.maxConcurrent, ids, onOutcome)

/**
 * The same loop for records of any kind: `fetch` asks for one. `admit` runs before each id is
 * handed to the workers (a permit, a count): a stage of its own in the ids' stream would cost
 * some twenty fiber operations an id.
 */
export const forEachRecord = <A, E, R, E2 = never, R2 = never>(
  fetch: (id: number) => Effect.Effect<A, TmdbError>,
  workers: number,
  ids: Stream.Stream<number, E2, R2>,
  onOutcome: (outcome: DetailsOutcome<A>, index: number) => Effect.Effect<void, E, R>,
  admit: Effect.Effect<void> = Effect.void
): Effect.Effect<void, E | E2, R | R2> =>
  Effect.gen(function*() {
    // After the last id, one `null` per worker: each stops at the first it takes.
    const pending = yield* Queue.bounded<readonly [tmdbId: number, index: number] | null>(workers)
    let taken = 0
    const feed = Stream.runForEach(ids, (tmdbId) => Effect.zipRight(admit, Queue.offer(pending, [tmdbId, taken++]))).pipe(
      Effect.zipRight(Queue.offerAll(pending, Array.from({ length: workers }, () => null)))
    )
    // Interrupting the other workers takes a turn of the scheduler; meanwhile they start no id.
    let stopped = false
    const work = Effect.gen(function*() {
      while (true) {
        const next = yield* Queue.take(pending)
        if (next === null || stopped) return
        const [tmdbId, index] = next
        const result = yield* Effect.either(fetch(tmdbId))
        yield* Effect.tapError(onOutcome({ tmdbId, result }, index), () => Effect.sync(() => (stopped = true)))
        // One id per turn, as Effect.forEach does: a worker with fast answers cannot drain the queue.
        yield* Effect.yieldNow()
      }
    })
    yield* Effect.all([feed, ...Array.from({ length: workers }, () => work)], { concurrency: "unbounded", discard: true }).pipe(
      // A failed `onOutcome` interrupts the other workers; the cause is that failure alone, so a
      // caller sees a failed run, not an interrupted one.
      Effect.catchAllCause((cause) => Option.match(Cause.failureOption(cause), { onNone: () => Effect.failCause(cause), onSome: Effect.fail }))
    )
  })
