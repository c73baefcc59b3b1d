// The limiter's token bucket: its state, what it reports, and the numbers that tune it.

export interface LimiterStats {
  /** The rate the bucket refills at now (lower than configured after 429s). */
  readonly currentRate: number
  readonly configuredRate: number
  readonly inFlight: number
  readonly maxInFlight: number
  /** Requests let through so far. */
  readonly started: number
  /** Times the rate was lowered after recurring 429s. */
  readonly decreases: number
  /** 429 events (429s within a second of each other count once). */
  readonly throttleEvents: number
  /** Total milliseconds of shared pauses imposed by Retry-After. */
  readonly pausedMs: number
  /** Times the circuit opened after consecutive transient failures. */
  readonly circuitOpens: number
  readonly circuit: "closed" | "open" | "probing"
  /**
   * Where the tokens come from: this process's own bucket, a SharedBudget, or (once the shared
   * budget stopped answering) our own bucket at this collector's share of the rate.
   */
  readonly budget: "local" | "shared" | "fallback"
  /** Collectors on the shared budget as last seen (1 without one). */
  readonly collectors: number
  /** The most collectors on the shared budget at once while this one was on it (1 without one). */
  readonly mostCollectors: number
}

/** What a finished request tells the limiter. */
export type Outcome =
  /** The server answered (2xx, or a 4xx that is not 429). */
  | "ok"
  /** 429. */
  | "throttled"
  /** 5xx, a timeout or a transport failure. */
  | "failed"

export interface Bucket {
  readonly tokens: number
  readonly last: number
  readonly rate: number
  readonly pausedUntil: number
  /**
   * Tokens stored beyond the ones at hand (`AT_ONCE`): they pass to `tokens` at
   * `(1 - PACE) x rate`, the pace at which the server's bucket regains them.
   */
  readonly reserve: number
  /** When the last 429 event began. */
  readonly lastThrottle: number
}

export interface Counters {
  inFlight: number
  maxInFlight: number
  started: number
  decreases: number
  throttleEvents: number
  pausedMs: number
}

const EPSILON = 1e-9

/** 13.333 -> "13.3", 40 -> "40". */
export const perSecond = (rate: number) => String(Math.round(rate * 10) / 10)

// Tokens refill at this share of the rate. At exactly the server's rate, the level of the
// server's bucket is a random walk under arrival jitter and sooner or later runs dry; a little
// under, it drifts back to full between bunched arrivals (BENCHMARKS.md, rate fidelity with
// jitter before the limiter).
export const PACE = 0.985
// The tokens at hand, idle spell or not: a request, and a quarter of one for catching up on a late
// timer, so two requests never start closer than three quarters of the interval. A steady pace
// keeps the server's bucket near full, and it regains what we take beyond the pace at only
// (1 - PACE) x rate, so every token at hand is one less of headroom for network jitter, which
// can bunch arrivals by twice its spread: 1.6 intervals at 20 req/s ± 40 ms. The whole burst, or
// two at hand, drew 429s there; this holds the rate benchmark's gates (BENCHMARKS.md §1).
const AT_ONCE = 1.25
// Redis's bucket counts whole tokens and reserves them ahead of the sleep, so a late wake loses
// nothing there: it holds two (BENCHMARKS.md §8).
export const SHARED_AT_ONCE = 2
// 429s closer together than this are one event: the requests in flight when the server's
// bucket ran dry all come back throttled.
export const SAME_EVENT_MS = 1_000
// A 429 event within this long after the previous one means the rate is too high; one alone is
// taken for an arrival that jitter bunched, and the Retry-After pause is answer enough.
export const RECUR_MS = 10_000
// Multiplicative decrease on recurring 429s, as AWS SDKs' adaptive retry mode (CUBIC, β = 0.7)
// does: gentler than halving, which costs a tenth of a run to climb back from.
export const BETA = 0.7

/** Milliseconds to wait before a token is free (0: one was taken), and the bucket after. */
export const takeFrom = (b: Bucket, now: number, burst: number): [number, Bucket] => {
  if (b.pausedUntil > now) return [Math.max(1, Math.ceil(b.pausedUntil - now)), b]
  const pace = b.rate * PACE
  const seconds = Math.max(0, now - b.last) / 1000
  // What the bucket stores beyond AT_ONCE is not lost but smoothed: it reaches the requests at the
  // rate the server's bucket regains tokens over our pace, so over any interval t the starts stay
  // within AT_ONCE + rate x t.
  const drained = Math.min(b.reserve, seconds * b.rate * (1 - PACE))
  const atOnce = Math.min(burst, AT_ONCE)
  // Waits are whole milliseconds, rounded up. The bucket may hold that one millisecond's refill
  // above its cap, or a small cap would lose it on every wait and pace slower.
  const cap = atOnce + pace / 1000
  const filled = b.tokens + seconds * pace + drained
  const tokens = Math.min(cap, filled)
  const reserve = Math.min(burst - atOnce, b.reserve - drained + (filled - tokens))
  if (tokens >= 1 - EPSILON) return [0, { ...b, tokens: tokens - 1, reserve, last: now }]
  const refill = reserve > EPSILON ? b.rate : pace
  return [Math.max(1, Math.ceil(((1 - tokens) * 1000) / refill)), { ...b, tokens, reserve, last: now }]
}
