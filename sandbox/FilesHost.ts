import type { IncomingMessage, ServerResponse } from "node:http"
import type { Fate } from "./Catalogue.js"
import type { SandboxCounters } from "./Counters.js"
import { EXPORT_DAYS, EXPORTS_PREFIX, GZIP_TYPE, parseExportName } from "./Exports.js"
import type { ExportFiles } from "./Exports.js"
import type { LinkedExportFiles } from "./LinkedExports.js"
import type { SandboxOptions } from "./Options.js"
import { todayDay } from "./Random.js"
import type { CatalogueState } from "./Timeline.js"

// The files host (files.tmdb.org in TMDB): no auth, and none of the API's rate limit, faults,
// outage or latency, so its requests are counted apart, in exportRequests. It serves the movie
// files (sandbox/Exports.ts) and the person, collection and company files (sandbox/LinkedExports.ts).

export interface FilesContext {
  readonly counters: SandboxCounters
  readonly options: SandboxOptions
  readonly state: CatalogueState
  readonly fates: ReadonlyMap<number, Fate>
  readonly movieFiles: ExportFiles
  readonly linkedFiles: LinkedExportFiles
}

export const serveFiles = (ctx: FilesContext) => (req: IncomingMessage, res: ServerResponse, url: URL): void => {
  const { counters, options, state } = ctx
  const file = url.pathname.startsWith(EXPORTS_PREFIX) ? url.pathname.slice(EXPORTS_PREFIX.length) : url.pathname
  const send = (status: number, body: Buffer, contentType: string) => {
    if (res.destroyed) return
    counters.exportRequests.push({ file, status })
    res.writeHead(status, { "Content-Type": contentType, "Content-Length": body.length })
    res.end(req.method === "HEAD" ? undefined : body)
  }
  const text = (status: number, message: string) => send(status, Buffer.from(message + "\n"), "text/plain")
  if (req.method !== "GET" && req.method !== "HEAD") return text(405, "Method Not Allowed")
  const mounted = url.pathname.startsWith(EXPORTS_PREFIX) ? options.routes?.file?.(file) : undefined
  if (mounted !== undefined) return send(200, mounted, GZIP_TYPE)
  const wanted = url.pathname.startsWith(EXPORTS_PREFIX) ? parseExportName(file) : undefined
  const today = todayDay()
  // Before about 08:00 UTC today's file is not there yet (https://developer.themoviedb.org/docs/daily-id-exports).
  const missing = options.exports?.missingToday === true && wanted?.day === today
  if (wanted === undefined || wanted.day > today || wanted.day <= today - EXPORT_DAYS || missing) return text(404, "Not Found")
  const { kind } = wanted
  const body = kind === "movie" || kind === "adult"
    ? ctx.movieFiles.body(kind, state.version, () => state.movies(), ctx.fates)
    : ctx.linkedFiles.body(kind, state.version)
  body.then(
    (b) => send(200, b, GZIP_TYPE),
    (e: unknown) => text(500, `export failed: ${e instanceof Error ? e.message : String(e)}`)
  )
}
