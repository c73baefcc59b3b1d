import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { startCli, tmpDir } from "./support/cli.js"
import { cliEnv, sandboxes } from "./support/sandbox.js"

// Issue 25 §3: with OTEL_EXPORTER_OTLP_ENDPOINT set, `npm run collect` sends its spans and metrics
// as OTLP/HTTP; here to a receiver in this process, which keeps every body it is sent.

const sandbox = sandboxes({ catalogue: { seed: 53, startYear: 2020, endYear: 2020, perYear: 30 } })
const YEAR = ["--start-year", "2020", "--end-year", "2020", "--min-vote-count", "0", "--rps", "500", "--burst", "50", "--json"]
const KEY = "otel-secret-key-0123456789"

interface Received {
  readonly path: string
  readonly body: string
}
const receivers: Array<http.Server> = []
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => new Promise<void>((resolve) => r.close(() => resolve()))))
})
const receiver = async () => {
  const received: Array<Received> = []
  const server = http.createServer((req, res) => {
    let body = ""
    req.on("data", (d: Buffer) => (body += d.toString()))
    req.on("end", () => {
      received.push({ path: req.url ?? "", body })
      res.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  receivers.push(server)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }
}

interface DataPoint {
  readonly attributes?: ReadonlyArray<{ key: string; value: { stringValue?: string } }>
  readonly asDouble?: number
  readonly asInt?: number | string
}
interface OtlpMetric {
  readonly name: string
  readonly sum?: { dataPoints: ReadonlyArray<DataPoint> }
  readonly gauge?: { dataPoints: ReadonlyArray<DataPoint> }
  readonly histogram?: { dataPoints: ReadonlyArray<{ count: number | string }> }
}
const metricsOf = (received: ReadonlyArray<Received>): Array<OtlpMetric> =>
  received.filter((r) => r.path === "/v1/metrics").flatMap((r) =>
    (JSON.parse(r.body) as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<OtlpMetric> }> }> }).resourceMetrics
      .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
  )
const spanNamesOf = (received: ReadonlyArray<Received>): Set<string> =>
  new Set(
    received.filter((r) => r.path === "/v1/traces").flatMap((r) =>
      (JSON.parse(r.body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }).resourceSpans
        .flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)))
    )
  )
const value = (p: DataPoint) => Number(p.asDouble ?? p.asInt ?? 0)
const tagged = (p: DataPoint, key: string) => p.attributes?.find((a) => a.key === key)?.value.stringValue

describe("OpenTelemetry", () => {
  it("a run sends its spans and metrics to OTEL_EXPORTER_OTLP_ENDPOINT, and the key in none of them", async () => {
    const s = await sandbox({ apiKey: KEY })
    const otlp = await receiver()
    const db = `${tmpDir("otel-")}/movies.sqlite`
    const run = await startCli([...YEAR, "--db", db], { ...cliEnv(s), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }).done
    expect(run.code, run.stderr).toBe(0)
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as {
      requests: number
      rateLimited: number
      kinds: Record<string, { detailsFetched: number }>
    }

    const metrics = metricsOf(otlp.received)
    const last = (name: string) => metrics.filter((m) => m.name === name).at(-1)
    expect(new Set(metrics.map((m) => m.name).filter((name) => name.startsWith("tmdb_collector.")))).toEqual(
      new Set([
        "tmdb_collector.requests",
        "tmdb_collector.rate_limited",
        "tmdb_collector.retries",
        "tmdb_collector.limiter.rate",
        "tmdb_collector.limiter.wait",
        "tmdb_collector.records.stored",
        "tmdb_collector.run.duration",
        "tmdb_collector.changes.lag"
      ])
    )
    // Every request the summary counts, by outcome; every movie stored, by kind.
    const requests = last("tmdb_collector.requests")!.sum!.dataPoints
    expect(requests.reduce((n, p) => n + value(p), 0)).toBe(summary.requests)
    expect(requests.find((p) => tagged(p, "outcome") === "ok")).toBeDefined()
    const stored = last("tmdb_collector.records.stored")!.sum!.dataPoints
    expect(value(stored.find((p) => tagged(p, "kind") === "movie")!)).toBe(summary.kinds["movie"]!.detailsFetched)
    expect(value(last("tmdb_collector.limiter.rate")!.gauge!.dataPoints[0]!)).toBe(500)
    expect(Number(last("tmdb_collector.run.duration")!.histogram!.dataPoints[0]!.count)).toBe(1)
    expect(value(last("tmdb_collector.changes.lag")!.gauge!.dataPoints.find((p) => tagged(p, "kind") === "movie")!)).toBe(0)

    const spans = spanNamesOf(otlp.received)
    for (const name of ["Collector.run", "TmdbClient.request", "MovieRepository.saveRecords", "MovieRepository.startRun"]) expect(spans).toContain(name)
    expect(otlp.received.some((r) => r.body.includes(KEY))).toBe(false)
  })

  it("without OTEL_EXPORTER_OTLP_ENDPOINT nothing is sent", async () => {
    const s = await sandbox()
    const otlp = await receiver()
    const db = `${tmpDir("otel-")}/movies.sqlite`
    const run = await startCli([...YEAR, "--db", db], { ...cliEnv(s), OTEL_EXPORTER_OTLP_ENDPOINT: undefined }).done
    expect(run.code).toBe(0)
    expect(otlp.received).toEqual([])
  })
})
