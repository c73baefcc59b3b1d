import { Clock, Duration, Effect, Option, type Queue } from "effect"

/**
 * A writer's wait for answers to gather in its queue: until enough are queued, the queue ends, or
 * a deadline passes. `Effect.timeout` on each `Queue.take` races two forked fibers, and a paced
 * run took about one such race per answer (bench/cpuOps.ts counts a run's fiber operations by
 * span). Here the producer opens a latch once enough are queued, and one alarm fiber, started
 * once, opens it at the deadline: it wakes about once a deadline, not once an answer.
 */
export const makeGathering = (queue: Queue.Dequeue<unknown>) =>
  Effect.gen(function*() {
    const enough = yield* Effect.makeLatch(true)
    const armed = yield* Effect.makeLatch(false)
    // What the waiting writer needs queued, and when it stops waiting; none while it does not wait.
    let wanted = Number.POSITIVE_INFINITY
    let alarmAt: number | undefined
    let ended = false
    const queued = () => Option.getOrElse(queue.unsafeSize(), () => 0)

    const alarm = Effect.gen(function*() {
      while (true) {
        if (alarmAt === undefined) {
          // Closed before the second look, so a deadline set in between still wakes it.
          yield* armed.close
          if (alarmAt === undefined) yield* armed.await
          continue
        }
        const left = alarmAt - (yield* Clock.currentTimeMillis)
        if (left > 0) {
          // A wait that ended early leaves this sleep running: the next look finds the deadline
          // gone or a later one, so it costs one wake, not a stale alarm.
          yield* Effect.sleep(Duration.millis(left))
          continue
        }
        alarmAt = undefined
        enough.unsafeOpen()
      }
    })
    yield* Effect.forkScoped(alarm)

    return {
      /** After each offer to the queue: wakes the writer once what it waits for is there. */
      offered: () => {
        if (queued() >= wanted) enough.unsafeOpen()
      },
      /** After the queue's last offer: the writer waits for nothing more. */
      ended: () => {
        ended = true
        enough.unsafeOpen()
      },
      /** Waits until `n` are queued, the queue has ended or `deadline` (Clock's ms) has passed. */
      awaitQueued: (n: number, deadline: number) =>
        Effect.suspend(() => {
          if (ended || queued() >= n) return Effect.void
          wanted = n
          alarmAt = deadline
          enough.unsafeClose()
          armed.unsafeOpen()
          return Effect.map(enough.await, () => {
            wanted = Number.POSITIVE_INFINITY
            alarmAt = undefined
          })
        })
    } as const
  })
