import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { badGateway, gatewayTimeout, internalError, JSON_TYPE, rateLimited, serviceOffline } from "./Bodies.js"
import type { Reply } from "./Bodies.js"
import { assignFates, generateCatalogue } from "./Catalogue.js"
import type { CatalogueMovie } from "./Catalogue.js"
import { bump, countersJson, emptyCounters, resetCounters } from "./Counters.js"
import type { SandboxCounters } from "./Counters.js"
import { EXPORT_DAYS, ExportFiles, EXPORTS_PREFIX, GZIP_TYPE, parseExportName } from "./Exports.js"
import { exportTruth, groundTruth } from "./GroundTruth.js"
import type { ExportTruthFilter, GroundTruthEntry, GroundTruthQuery } from "./GroundTruth.js"
import { rollFault, TokenBucket } from "./Limits.js"
import { DEFAULTS, validateOptions, withDefaults } from "./Options.js"
import type { FaultKind, SandboxOptions } from "./Options.js"
import { hash32, mulberry32, todayDay } from "./Random.js"
import { richTruthById } from "./RichTruth.js"
import type { RichTruth } from "./RichTruth.js"
import { endpointOf, Router } from "./Routes.js"
import { CatalogueState } from "./Timeline.js"
import type { AdvanceResult, AdvanceSpec } from "./Timeline.js"

export interface Sandbox {
  /** "http://127.0.0.1:PORT/3" */
  readonly baseUrl: string
  /** "http://127.0.0.1:PORT": the files host, serving `/p/exports/movie_ids_MM_DD_YYYY.json.gz` and `adult_movie_ids_…`. */
  readonly filesUrl: string
  readonly port: number
  /** Live: mutated as requests arrive. */
  readonly counters: SandboxCounters
  /** The effective options: defaults filled in, current faults and rate limit. */
  readonly options: SandboxOptions
  /** The live movies now, by id: advances change it (advance-deleted movies are not in it). */
  readonly catalogue: ReadonlyArray<CatalogueMovie>
  groundTruth(query: GroundTruthQuery): Array<GroundTruthEntry>
  /** Every live movie the export files list that the filters keep, undated ones included, by id. */
  exportTruth(filter: ExportTruthFilter): Array<GroundTruthEntry>
  /**
   * Moves the catalogue on: edits, adds, deletes and restores movies (seeded by the catalogue seed
   * and the number of earlier advances), logged in /movie/changes on today's UTC day.
   */
  advance(spec: AdvanceSpec): AdvanceResult
  /** True for an id an advance deleted (and no later advance restored). */
  isRemoved(id: number): boolean
  /** The rich rows stored for `tmdbId` fetched with these appends; undefined when none are (see RichTruth.ts). */
  richTruth(tmdbId: number, append: ReadonlyArray<string>): RichTruth | undefined
  startOutage(durationMs: number): void
  setFaults(faults: SandboxOptions["faults"]): void
  setRateLimit(rl: SandboxOptions["rateLimit"]): void
  resetCounters(): void
  /** Closes the server and destroys every open socket, hung ones included. */
  close(): Promise<void>
}

const invalid = (what: string, errors: ReadonlyArray<string>): Error => new Error(`invalid sandbox ${what}: ${errors.join("; ")}`)

type Gate = { kind: "route" } | { kind: "reply"; reply: Reply } | { kind: "fault"; fault: FaultKind }

export const startSandbox = async (input: SandboxOptions = {}): Promise<Sandbox> => {
  const errors = validateOptions(input)
  if (errors.length > 0) throw invalid("options", errors)
  const { options, catalogueConfig } = withDefaults(input)
  const seed = catalogueConfig.seed
  const catalogue = generateCatalogue(catalogueConfig)
  const fates = assignFates(catalogue, {
    deletedFraction: options.deletedFraction ?? 0,
    alwaysFailFraction: options.alwaysFailFraction ?? 0,
    driftFraction: options.driftFraction ?? 0
  }, seed)
  const state = new CatalogueState(catalogue, catalogueConfig, fates)
  const router = new Router({
    apiKey: options.apiKey ?? DEFAULTS.apiKey,
    readToken: options.readToken ?? DEFAULTS.readToken,
    byId: state.byId,
    get latest() {
      return state.latest()
    },
    get discover() {
      return state.discover()
    },
    // Its own stream, so turning the option on leaves faults and jitter as they were.
    shuffle: options.unstableOrder === true ? mulberry32(hash32(seed, 0x5b0f)) : undefined,
    changes: state.changes,
    fates,
    mounted: options.routes?.api
  })
  const exportFiles = new ExportFiles({
    seed,
    malformedLines: options.exports?.malformedLines ?? 0,
    notGzip: options.exports?.notGzip === true
  })

  const counters = emptyCounters()
  const faultRng = mulberry32(hash32(seed, 0xfa17))
  const jitterRng = mulberry32(hash32(seed, 0x717e))
  let bucket = options.rateLimit !== undefined ? new TokenBucket(options.rateLimit, performance.now()) : undefined
  const startedAt = performance.now()
  let outageFrom = options.outage !== undefined ? startedAt + (options.outage.afterMs ?? 0) : 0
  let outageUntil = options.outage !== undefined ? outageFrom + options.outage.durationMs : 0
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()

  const gate = (endpoint: string, now: number): Gate => {
    const max = options.maxConnections
    if (max !== undefined && counters.inFlight > max) {
      counters.rateLimited++
      return { kind: "reply", reply: rateLimited(counters.inFlight, options.rateLimit?.retryAfterSeconds ?? 1) }
    }
    const limited = bucket?.take(now)
    if (limited !== undefined) {
      counters.rateLimited++
      return { kind: "reply", reply: rateLimited(limited.count, limited.retryAfterSeconds) }
    }
    if (now >= outageFrom && now < outageUntil) {
      bump(counters.faultsInjected, "outage")
      return { kind: "reply", reply: serviceOffline(1) }
    }
    if (options.faultPaths === "details" && endpoint !== "movie") return { kind: "route" }
    const fault = rollFault(faultRng, options.faults)
    if (fault === undefined) return { kind: "route" }
    bump(counters.faultsInjected, fault)
    return { kind: "fault", fault }
  }

  const write = (res: ServerResponse, reply: Reply, truncate: boolean): void => {
    if (res.destroyed || res.headersSent) return
    bump(counters.byStatus, String(reply.status))
    res.writeHead(reply.status, {
      "Content-Type": reply.contentType ?? JSON_TYPE,
      "Content-Length": reply.body.length,
      ...reply.headers
    })
    if (truncate) {
      res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)), () => res.socket?.destroy())
      return
    }
    res.end(reply.body)
    if (reply.status !== 200) return
    if (reply.movieId !== undefined) counters.detailsServed.set(reply.movieId, (counters.detailsServed.get(reply.movieId) ?? 0) + 1)
    if (reply.discoverPage !== undefined) counters.discoverPages.push(reply.discoverPage)
  }

  const respond = (req: IncomingMessage, res: ServerResponse, url: URL, g: Gate): void => {
    if (res.destroyed) return
    if (g.kind === "reply") return write(res, g.reply, false)
    if (g.kind === "fault") {
      switch (g.fault) {
        case "reset":
          req.socket.resetAndDestroy()
          return
        case "hang":
          return
        case "error500":
          return write(res, internalError(), false)
        case "error502":
          return write(res, badGateway(), false)
        case "error503":
          return write(res, serviceOffline(options.faults?.retryAfter503Seconds ?? DEFAULTS.retryAfter503Seconds), false)
        case "error504":
          return write(res, gatewayTimeout(), false)
        case "truncate":
          break
      }
    }
    write(res, router.handle(req.method ?? "GET", url, req.headers.authorization), g.kind === "fault")
  }

  const control = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const send = (status: number, body: string) => {
      res.writeHead(status, { "Content-Type": JSON_TYPE, "Content-Length": Buffer.byteLength(body) })
      res.end(body)
    }
    if (url.pathname === "/__sandbox/counters" && req.method === "GET") return send(200, countersJson(counters))
    if (url.pathname === "/__sandbox/outage" && req.method === "POST") {
      const ms = Number(url.searchParams.get("ms"))
      if (!Number.isFinite(ms) || ms < 0 || url.searchParams.get("ms") === null) return send(400, JSON.stringify({ error: "ms must be a number >= 0" }))
      sandbox.startOutage(ms)
      return send(200, JSON.stringify({ outageMs: ms }))
    }
    send(404, JSON.stringify({ error: "unknown sandbox control" }))
  }

  // The files host (files.tmdb.org in TMDB): no auth, and none of the API's rate limit, faults,
  // outage or latency, so its requests are counted apart, in exportRequests.
  const files = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
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
    exportFiles.body(wanted.kind, state.version, () => state.movies(), fates).then(
      (body) => send(200, body, GZIP_TYPE),
      (e: unknown) => text(500, `export failed: ${e instanceof Error ? e.message : String(e)}`)
    )
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    if (url.pathname.startsWith("/__sandbox/")) return control(req, res, url)
    if (url.pathname.startsWith("/p/")) return files(req, res, url)
    const endpoint = endpointOf(url.pathname)
    counters.requests++
    bump(counters.byEndpoint, endpoint)
    bump(counters.byAuth, url.searchParams.has("api_key") ? "api_key" : req.headers.authorization !== undefined ? "bearer" : "none")
    counters.inFlight++
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight)
    let open = true
    res.on("close", () => {
      if (open) counters.inFlight--
      open = false
    })
    const base = options.latencyMs ?? 0
    const jitter = options.jitterMs ?? 0
    const delay = Math.max(0, base + (jitter > 0 ? (jitterRng() * 2 - 1) * jitter : 0))
    // "before": the delay is the network in front of the limiter, so the limiter sees arrivals
    // as bunched as the path made them. "after": the limiter sees them as sent; the answer is late.
    // The limiter is charged at the moment the request reaches it on the path, not when this
    // process gets round to the timer: a pause in this event loop must not bunch arrivals that
    // the network kept apart.
    const arrival = performance.now() + delay
    const before = options.jitterPlacement === "before"
    const g = before ? undefined : gate(endpoint, performance.now())
    const go = () => respond(req, res, url, g ?? gate(endpoint, arrival))
    if (delay <= 0) return go()
    const timer = setTimeout(() => {
      timers.delete(timer)
      go()
    }, delay)
    timers.add(timer)
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0

  let closing: Promise<void> | undefined
  const sandbox: Sandbox = {
    baseUrl: `http://127.0.0.1:${port}/3`,
    filesUrl: `http://127.0.0.1:${port}`,
    port,
    counters,
    get options() {
      return options
    },
    get catalogue() {
      return state.movies()
    },
    groundTruth: (query) => groundTruth(state.movies(), fates, query),
    exportTruth: (filter) => exportTruth(state.movies(), fates, filter),
    advance: (spec) => state.advance(spec),
    isRemoved: (id) => state.isRemoved(id),
    richTruth: (tmdbId, append) => richTruthById(state.byId, fates, tmdbId, append),
    startOutage: (durationMs) => {
      outageFrom = performance.now()
      outageUntil = outageFrom + durationMs
    },
    setFaults: (faults) => {
      const errs = validateOptions({ faults })
      if (errs.length > 0) throw invalid("faults", errs)
      options.faults = faults
    },
    setRateLimit: (rl) => {
      const errs = validateOptions({ rateLimit: rl })
      if (errs.length > 0) throw invalid("rateLimit", errs)
      options.rateLimit = rl
      bucket = rl !== undefined ? new TokenBucket(rl, performance.now()) : undefined
    },
    resetCounters: () => resetCounters(counters),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
        for (const s of sockets) s.destroy()
      })
      return closing
    }
  }
  return sandbox
}
