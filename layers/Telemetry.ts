import * as Otlp from "@effect/opentelemetry/Otlp"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Layer } from "effect"

// OpenTelemetry for the CLI: the spans of the services' `Effect.fn`s and the metrics of
// src/Metrics.ts, sent as OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT, the variable every
// OpenTelemetry SDK reads (https://opentelemetry.io/docs/specs/otel/protocol/exporter/). No SDK:
// @effect/opentelemetry's own exporter, over fetch. scripts/collect.ts loads this module only
// when the variable is set, so a run without it starts as before.

/** A value of OTEL_EXPORTER_OTLP_HEADERS, percent-decoded; as written when it does not decode. */
const decoded = (value: string) => {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs, comma-separated, values percent-encoded. */
const headersOf = (text: string): Record<string, string> =>
  Object.fromEntries(
    text.split(",").map((pair) => pair.split("=")).filter((kv) => kv.length >= 2 && kv[0]!.trim() !== "").map((
      [key, ...value]
    ) => [key!.trim(), decoded(value.join("=").trim())])
  )

/** Traces, metrics and logs to `endpoint` (`/v1/traces`, `/v1/metrics`, `/v1/logs` under it), flushed when the program ends. */
export const TelemetryLive = (env: { readonly endpoint: string; readonly headers?: string | undefined; readonly serviceName?: string | undefined }) =>
  Otlp.layerJson({
    baseUrl: env.endpoint,
    headers: headersOf(env.headers ?? ""),
    resource: { serviceName: env.serviceName ?? "tmdb-collector", serviceVersion: "0.3.0" }
  }).pipe(Layer.provide(FetchHttpClient.layer))
