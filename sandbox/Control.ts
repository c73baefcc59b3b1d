import type { IncomingMessage, ServerResponse } from "node:http"
import { JSON_TYPE } from "./Bodies.js"
import { countersJson } from "./Counters.js"
import type { SandboxCounters } from "./Counters.js"

// The sandbox's own routes for another process (not TMDB's, so no auth and not counted):
// GET /__sandbox/counters (the counters as JSON, detailsServed as an object),
// POST /__sandbox/outage?ms=N (an outage from now on, as `sandbox.startOutage(N)`) and
// POST /__sandbox/advance?edit=E&add=A&delete=D (the catalogue moves on, as `sandbox.advance`).

const ADVANCE = ["edit", "add", "delete"] as const

export const controlRoutes = (
  counters: SandboxCounters,
  startOutage: (ms: number) => void,
  advance: (spec: Partial<Record<(typeof ADVANCE)[number], number>>) => unknown
) =>
(req: IncomingMessage, res: ServerResponse, url: URL): void => {
  const send = (status: number, body: string) => {
    res.writeHead(status, { "Content-Type": JSON_TYPE, "Content-Length": Buffer.byteLength(body) })
    res.end(body)
  }
  if (url.pathname === "/__sandbox/counters" && req.method === "GET") return send(200, countersJson(counters))
  if (url.pathname === "/__sandbox/outage" && req.method === "POST") {
    const ms = Number(url.searchParams.get("ms"))
    if (!Number.isFinite(ms) || ms < 0 || url.searchParams.get("ms") === null) return send(400, JSON.stringify({ error: "ms must be a number >= 0" }))
    startOutage(ms)
    return send(200, JSON.stringify({ outageMs: ms }))
  }
  if (url.pathname === "/__sandbox/advance" && req.method === "POST") {
    const spec = Object.fromEntries(ADVANCE.map((k) => [k, Number(url.searchParams.get(k) ?? 0)]))
    if (Object.values(spec).some((n) => !Number.isSafeInteger(n) || n < 0)) {
      return send(400, JSON.stringify({ error: "edit, add and delete must be integers >= 0" }))
    }
    return send(200, JSON.stringify(advance(spec)))
  }
  send(404, JSON.stringify({ error: "unknown sandbox control" }))
}
