import { Clock, Data, Duration, Effect } from "effect"

// The limiter's shared circuit breaker. During an outage every worker would otherwise spend its
// retries against a server that is down; with the circuit open they wait, and one probe at a
// time asks whether TMDB is back.

/**
 * The shared circuit is open and has been for longer than `maxOutage`: the request fails without
 * being sent. (Each caller maps it to its own error.)
 */
export class CircuitOpen extends Data.TaggedError("CircuitOpen")<{ readonly openForMs: number }> {}

type Breaker =
  | { readonly mode: "closed"; readonly failures: number }
  /** No request starts before `retryAt`; the first after it is the probe. */
  | { readonly mode: "open"; readonly openedAt: number; readonly retryAt: number; readonly cooldownMs: number }
  /** One probe is in flight; everyone else waits for its outcome. */
  | { readonly mode: "probing"; readonly openedAt: number; readonly cooldownMs: number }

/** Consecutive transient failures that open the circuit. */
const THRESHOLD = 5
const FIRST_COOLDOWN_MS = 1_000
// Capped low so that throughput is back within seconds of the server healing.
const MAX_COOLDOWN_MS = 4_000

const nowMs = Clock.currentTimeMillis

export const makeCircuit = (maxOutageMs: number) =>
  Effect.gen(function*() {
    let breaker: Breaker = { mode: "closed", failures: 0 }
    let opens = 0
    const probeDone = yield* Effect.makeLatch(true)

    /**
     * Waits while a probe is out or the circuit is cooling down; fails unsent once it has been
     * open longer than `maxOutageMs` (one probe still goes every cooldown).
     */
    const admitted: Effect.Effect<void, CircuitOpen> = Effect.gen(function*() {
      while (true) {
        const now = yield* nowMs
        if (breaker.mode === "probing") {
          yield* probeDone.await
          continue
        }
        if (breaker.mode === "open" && now < breaker.retryAt) {
          if (now - breaker.openedAt > maxOutageMs) return yield* new CircuitOpen({ openForMs: now - breaker.openedAt })
          yield* Effect.sleep(Duration.millis(Math.ceil(breaker.retryAt - now)))
          continue
        }
        return
      }
    })

    /**
     * The request that holds a token while the circuit is open becomes its probe; everyone else
     * waits for its outcome. Returns whether it did. Called in the same step as the token is
     * taken, so nothing can interrupt a request between the two.
     */
    const claimProbe = (): boolean => {
      if (breaker.mode !== "open") return false
      breaker = { mode: "probing", openedAt: breaker.openedAt, cooldownMs: breaker.cooldownMs }
      probeDone.unsafeClose()
      return true
    }

    /** A probe that ended without an outcome (interrupted): let the next one try at once. */
    const abandonProbe = Effect.gen(function*() {
      if (breaker.mode !== "probing") return
      breaker = { mode: "open", openedAt: breaker.openedAt, retryAt: yield* nowMs, cooldownMs: breaker.cooldownMs }
      yield* probeDone.open
    })

    /** The server answered: the circuit closes, and whoever waited on a probe goes. */
    const answered = Effect.suspend(() => {
      const wasOpen = breaker.mode !== "closed"
      breaker = { mode: "closed", failures: 0 }
      return wasOpen ? probeDone.open : Effect.void
    })

    /** A transient failure: enough in a row open the circuit; a failed probe re-opens it for longer. */
    const failed = Effect.gen(function*() {
      const now = yield* nowMs
      if (breaker.mode === "closed") {
        const failures = breaker.failures + 1
        if (failures < THRESHOLD) {
          breaker = { mode: "closed", failures }
          return
        }
        opens++
        breaker = { mode: "open", openedAt: now, retryAt: now + FIRST_COOLDOWN_MS, cooldownMs: FIRST_COOLDOWN_MS }
        return
      }
      if (breaker.mode === "probing") {
        const cooldownMs = Math.min(MAX_COOLDOWN_MS, breaker.cooldownMs * 2)
        breaker = { mode: "open", openedAt: breaker.openedAt, retryAt: now + breaker.cooldownMs, cooldownMs }
        yield* probeDone.open
      }
    })

    /**
     * Whether `admitted` would let a request through now without waiting. For a token taken after
     * a wait outside `admitted` (the shared budget's): the circuit may have opened meanwhile.
     */
    const ready = (now: number): boolean => breaker.mode === "closed" || (breaker.mode === "open" && now >= breaker.retryAt)

    return {
      admitted,
      ready,
      claimProbe,
      abandonProbe,
      answered,
      failed,
      mode: () => breaker.mode,
      opens: () => opens
    } as const
  })
