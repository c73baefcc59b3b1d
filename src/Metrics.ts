import { Metric, MetricBoundaries } from "effect"

// The metrics tmdb-collector keeps (Effect's Metric), exported through OpenTelemetry when
// OTEL_EXPORTER_OTLP_ENDPOINT is set (layers/Telemetry.ts), and readable by a library user's own
// exporter. Declared here once, so a name is written in one place; updated where the figure is
// known, with `unsafeUpdate` on the hot paths: no fiber operation per request.

/** Requests sent to TMDB, tagged `outcome`: ok, rate_limited (429), client_error (4xx), server_error (5xx), failed (no response). */
export const requests = Metric.counter("tmdb_collector.requests", { description: "HTTP requests sent to TMDB, by outcome", incremental: true })

/** Requests TMDB answered 429. */
export const rateLimited = Metric.counter("tmdb_collector.rate_limited", { description: "requests TMDB answered with 429", incremental: true })

/** Requests that were retries of an earlier attempt. */
export const retries = Metric.counter("tmdb_collector.retries", { description: "retried requests", incremental: true })

/** The limiter's current rate, requests per second (it lowers on recurring 429s and climbs back). */
const limiterRate = Metric.gauge("tmdb_collector.limiter.rate", { description: "the rate limiter's current rate, requests per second" })

/** `rate`, the limiter's new rate, as the gauge records it. */
export const rateIs = (rate: number): number => {
  limiterRate.unsafeUpdate(rate, [])
  return rate
}

/** Seconds spent waiting for the limiter's tokens. */
const tokenWait = Metric.counter("tmdb_collector.limiter.wait", { description: "seconds spent waiting for tokens", incremental: true })

/** Records stored with their details, tagged `kind` (movie, collection, company, person). */
const stored = Metric.counter("tmdb_collector.records.stored", { description: "records stored with details, by kind", incremental: true })

/** How long runs took, seconds. */
export const runDuration = Metric.histogram(
  "tmdb_collector.run.duration",
  MetricBoundaries.exponential({ start: 1, factor: 4, count: 9 }),
  "how long runs took, seconds"
)

/** Days the changes mark of each kind (`kind`) is behind today, after a run: TMDB's changes lists reach back 14. */
const changesLag = Metric.gauge("tmdb_collector.changes.lag", { description: "days the changes mark is behind today, by kind" })

/** `ms`, a wait for a token, as the counter records it. */
export const waitedForToken = (ms: number): number => {
  tokenWait.unsafeUpdate(ms / 1000, [])
  return ms
}

// A metric tagged with a kind's name, made once a kind.
const byKind = <Type, Out>(metric: Metric.Metric<Type, number, Out>) => {
  const tagged = new Map<string, Metric.Metric<Type, number, Out>>()
  return (kind: string): Metric.Metric<Type, number, Out> => {
    let m = tagged.get(kind)
    if (m === undefined) tagged.set(kind, m = Metric.tagged(metric, "kind", kind))
    return m
  }
}
const storedOf = byKind(stored)
const changesLagOf = byKind(changesLag)

/** `n` more records of `kind` stored with their details. */
export const recordsStored = (kind: string, n: number): void => storedOf(kind).unsafeUpdate(n, [])

/** The changes mark of `kind` is `days` behind today. */
export const changesLagIs = (kind: string, days: number): void => changesLagOf(kind).unsafeUpdate(days, [])

/** Registers the counters that may stay at 0 in a run, so that a dashboard shows 0 rather than no series. */
export const zeroCounters = (): void => {
  for (const counter of [rateLimited, retries, tokenWait]) counter.unsafeUpdate(0, [])
}
