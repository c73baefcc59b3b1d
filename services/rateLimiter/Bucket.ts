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
  /** When the last token was taken. */
  readonly lastTaken: number
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

export const EPSILON = 1e-9

/** 13.333 -> "13.3", 40 -> "40". */
export const perSecond = (rate: number) => String(Math.round(rate * 10) / 10)

// Tokens refill at this share of the rate. At exactly the server's rate, the level of the
// server's bucket is a random walk under arrival jitter and sooner or later runs dry; a little
// under, it drifts back to full between bunched arrivals (BENCHMARKS.md, rate fidelity with
// jitter before the limiter).
export const PACE = 0.985
// Tokens a backlog may hold besides the one it spends: one request's worth of catching up after a
// late wake, where the whole burst would arrive at a server bucket the steady pace keeps full.
// Measured at R = 40 (client burst 5, server burst 6, 80 ± 60 ms of jitter): 1–3 × 429 per run
// with the whole burst, none with one token carried (BENCHMARKS.md, rate).
export const BACKLOG_CARRY = 1
// 429s closer together than this are one event: the requests in flight when the server's
// bucket ran dry all come back throttled.
export const SAME_EVENT_MS = 1_000
// A 429 event within this long after the previous one means the rate is too high; one alone is
// taken for an arrival that jitter bunched, and the Retry-After pause is answer enough.
export const RECUR_MS = 10_000
// Multiplicative decrease on recurring 429s, as AWS SDKs' adaptive retry mode (CUBIC, β = 0.7)
// does: gentler than halving, which costs a tenth of a run to climb back from.
export const BETA = 0.7
