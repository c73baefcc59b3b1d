import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { badGateway, gatewayTimeout, internalError, JSON_TYPE, rateLimited, serviceOffline } from "./Bodies.js"
import type { Reply } from "./Bodies.js"
import { assignFates, generateCatalogue } from "./Catalogue.js"
import { controlRoutes } from "./Control.js"
import { bump, emptyCounters, noteReceived, pathPrefixOf, resetCounters } from "./Counters.js"
import { ExportFiles } from "./Exports.js"
import { serveFiles } from "./FilesHost.js"
import { exportTruth, groundTruth } from "./GroundTruth.js"
import { rollFault, TokenBucket } from "./Limits.js"
import { Linked } from "./Linked.js"
import { exportLineCount, LinkedExportFiles } from "./LinkedExports.js"
import { linkedRoute } from "./LinkedRoutes.js"
import { collectionTruth, companyTruth, linkedIds, personTruth } from "./LinkedTruth.js"
import { DEFAULTS, withDefaults } from "./Options.js"
import type { FaultKind, SandboxOptions } from "./Options.js"
import { hash32, mulberry32 } from "./Random.js"
import { richTruthById } from "./RichTruth.js"
import { endpointOf, Router } from "./Routes.js"
import type { Sandbox } from "./SandboxApi.js"
import { CatalogueState } from "./Timeline.js"
import { validateOptions } from "./ValidateOptions.js"

export type { Sandbox } from "./SandboxApi.js"

const invalid = (what: string, errors: ReadonlyArray<string>): Error => new Error(`invalid sandbox ${what}: ${errors.join("; ")}`)

/** The record routes `faultPaths: "details"` still faults. */
const DETAILS: ReadonlySet<string> = new Set(["movie", "person", "collection", "company"])

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
  const linked = new Linked(catalogue, state, seed, options.exports?.extraPeople)
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
    mounted: options.routes?.api,
    linked: (path, params) => linkedRoute(linked, path, params)
  })
  const movieFiles = new ExportFiles({
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
    if (options.faultPaths === "details" && !DETAILS.has(endpoint)) return { kind: "route" }
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

  const control = controlRoutes(counters, (ms) => sandbox.startOutage(ms), (spec) => sandbox.advance(spec))
  const files = serveFiles({ counters, options, state, fates, movieFiles, linkedFiles: new LinkedExportFiles(linked, options.exports?.notGzip === true) })

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    if (url.pathname.startsWith("/__sandbox/")) return control(req, res, url)
    if (url.pathname.startsWith("/p/")) return files(req, res, url)
    const endpoint = endpointOf(url.pathname)
    counters.requests++
    bump(counters.byEndpoint, endpoint)
    noteReceived(counters, endpoint, performance.now())
    bump(counters.byPrefix, pathPrefixOf(url.pathname))
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
    advance: (spec) => state.advance(spec, linked),
    isRemoved: (id) => state.isRemoved(id),
    richTruth: (tmdbId, append) => richTruthById(state.byId, fates, tmdbId, append),
    collectionTruth: (id) => collectionTruth(linked, id),
    companyTruth: (id) => companyTruth(id),
    personTruth: (id) => personTruth(linked, id),
    linkedIds: (tmdbIds) => linkedIds(linked, tmdbIds),
    exportLines: (kind) => exportLineCount(linked, kind),
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
