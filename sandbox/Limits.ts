import { FAULT_KINDS } from "./Options.js"
import type { FaultKind, SandboxFaults, SandboxRateLimit } from "./Options.js"
import type { Rng } from "./Random.js"

/** A server-side token bucket: `burst` tokens, refilled at `rps` per second. */
export class TokenBucket {
  private tokens: number
  private last: number
  private windowStart: number
  private windowCount = 0

  constructor(readonly limit: SandboxRateLimit, now: number) {
    this.tokens = limit.burst
    this.last = now
    this.windowStart = now
  }

  /** undefined when a token was taken, else the 429 details. */
  take(at: number): { count: number; retryAfterSeconds: number } | undefined {
    // Arrivals charged at their path time can reach here a hair out of order.
    const now = Math.max(at, this.last)
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.rps)
    this.last = now
    // The legacy message (code 25, https://developer.themoviedb.org/docs/errors) reports the
    // request count in a 10 s window (https://developer.themoviedb.org/docs/rate-limiting).
    if (now - this.windowStart >= 10_000) {
      this.windowStart = now
      this.windowCount = 0
    }
    this.windowCount++
    if (this.tokens >= 1) {
      this.tokens -= 1
      return undefined
    }
    const wait = Math.ceil((1 - this.tokens) / this.limit.rps)
    return { count: this.windowCount, retryAfterSeconds: this.limit.retryAfterSeconds ?? Math.max(1, wait) }
  }
}

/**
 * Rolls every fault kind once per request, so the random stream does not depend on which
 * probabilities are set; the first kind that fires wins.
 */
export const rollFault = (rng: Rng, faults: SandboxFaults | undefined): FaultKind | undefined => {
  let hit: FaultKind | undefined
  for (const kind of FAULT_KINDS) {
    const x = rng()
    if (hit === undefined && x < (faults?.[kind] ?? 0)) hit = kind
  }
  return hit
}
