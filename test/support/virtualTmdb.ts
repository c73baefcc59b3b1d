import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import { StoreLive } from "../../layers/Main.js"
import { abortedBy } from "../../layers/TestHttp.js"
import { TmdbClientLayer } from "../../layers/Tmdb.js"
import { badGateway, gatewayTimeout, internalError, rateLimited, type Reply, serviceOffline } from "../../sandbox/Bodies.js"
import { assignFates, generateCatalogue } from "../../sandbox/Catalogue.js"
import { bump, emptyCounters } from "../../sandbox/Counters.js"
import { groundTruth, type GroundTruthQuery } from "../../sandbox/GroundTruth.js"
import { rollFault, TokenBucket } from "../../sandbox/Limits.js"
import { type SandboxOptions, withDefaults } from "../../sandbox/Options.js"
import { hash32, mulberry32 } from "../../sandbox/Random.js"
import { endpointOf, Router } from "../../sandbox/Routes.js"
import type { Sandbox } from "../../sandbox/Server.js"
import { CatalogueState } from "../../sandbox/Timeline.js"
import { Collector } from "../../services/Collector.js"
import type { TmdbClientOptions } from "../../src/Config.js"
import { quickTestClock } from "./quickClock.js"

// The sandbox's TMDB (its catalogue, routes and answers) served straight to the client's
// HttpClient, on Effect's clock instead of the wall's: its rate limit, outage and faults run on
// TestClock, so a 20 s outage or a backoff takes no time. It answers at once, with no sleep of
// its own. The workflow above it is the CLI's own: the Collector over MainLive's store and client
// layers, on a real SQLite file.

/** The in-process TMDB: what it counted, its ground truth, and the HttpClient that reaches it. */
interface VirtualTmdb {
  readonly counters: Sandbox["counters"]
  readonly truth: Pick<Sandbox, "groundTruth">
  /** 503s (Retry-After 1, as the sandbox's outage) for `ms` from the clock's now. */
  readonly startOutage: (ms: number) => Effect.Effect<void>
  readonly http: Layer.Layer<HttpClient.HttpClient>
  readonly baseUrl: string
  readonly apiKey: string
}

type Options = Pick<SandboxOptions, "catalogue" | "rateLimit" | "faults" | "deletedFraction" | "alwaysFailFraction" | "driftFraction">

/**
 * The sandbox's faults, rolled as its server rolls them (before the route), as the client sees
 * them: a reset fails the request at the transport, a hang never answers (the client's timeout
 * ends it, on the clock), a truncated body is half of it.
 */
const faulty = (faults: Options["faults"], seed: number) => {
  const rng = mulberry32(hash32(seed, 0xfa17))
  const replies: Record<string, () => Reply> = {
    error500: internalError,
    error502: badGateway,
    error503: () => serviceOffline(faults?.retryAfter503Seconds ?? 1),
    error504: gatewayTimeout
  }
  return (counters: VirtualTmdb["counters"]) => {
    const fault = rollFault(rng, faults)
    if (fault !== undefined) bump(counters.faultsInjected, fault)
    return { fault, reply: fault === undefined ? undefined : replies[fault]?.() }
  }
}

/** The sandbox's catalogue, fates and routes for `input`; its `rateLimit`, outages and faults on the clock. */
export const virtualTmdb = (input: Options): VirtualTmdb => {
  const { catalogueConfig, options } = withDefaults(input)
  const catalogue = generateCatalogue(catalogueConfig)
  const fates = assignFates(catalogue, {
    deletedFraction: options.deletedFraction ?? 0,
    alwaysFailFraction: options.alwaysFailFraction ?? 0,
    driftFraction: options.driftFraction ?? 0
  }, catalogueConfig.seed)
  const roll = faulty(options.faults, catalogueConfig.seed)
  const state = new CatalogueState(catalogue, catalogueConfig, fates)
  const router = new Router({
    apiKey: options.apiKey!,
    readToken: options.readToken!,
    byId: state.byId,
    get latest() {
      return state.latest()
    },
    get discover() {
      return state.discover()
    },
    shuffle: undefined,
    changes: state.changes,
    fates
  })
  const counters = emptyCounters()
  let bucket: TokenBucket | undefined
  let outage = { from: 0, until: 0 }
  const client = HttpClient.make((request, url, signal) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      counters.requests++
      bump(counters.byEndpoint, endpointOf(url.pathname))
      bump(counters.byAuth, url.searchParams.has("api_key") ? "api_key" : "bearer")
      // As the sandbox's server: the limiter first, then the outage, then the route.
      bucket ??= options.rateLimit === undefined ? undefined : new TokenBucket(options.rateLimit, now)
      const limited = bucket?.take(now)
      if (limited !== undefined) counters.rateLimited++
      const offline = limited === undefined && now >= outage.from && now < outage.until
      if (offline) bump(counters.faultsInjected, "outage")
      const { fault, reply: faultReply } = limited !== undefined || offline ? { fault: undefined, reply: undefined } : roll(counters)
      if (fault === "reset") {
        const cause = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })
        return yield* new HttpClientError.RequestError({ request, reason: "Transport", cause })
      }
      if (fault === "hang") return yield* abortedBy(request, signal)
      const reply = limited !== undefined
        ? rateLimited(limited.count, limited.retryAfterSeconds)
        : offline
        ? serviceOffline(1)
        : faultReply ?? router.handle(request.method, url, request.headers["authorization"])
      bump(counters.byStatus, String(reply.status))
      if (fault === "truncate") {
        const half = reply.body.subarray(0, Math.floor(reply.body.length / 2))
        return HttpClientResponse.fromWeb(
          request,
          new Response(half, { status: reply.status, headers: { "Content-Type": reply.contentType ?? "application/json" } })
        )
      }
      if (reply.status === 200 && reply.movieId !== undefined) {
        counters.detailsServed.set(reply.movieId, (counters.detailsServed.get(reply.movieId) ?? 0) + 1)
      }
      if (reply.status === 200 && reply.discoverPage !== undefined) counters.discoverPages.push(reply.discoverPage)
      const body = new Response(reply.body, { status: reply.status, headers: { "Content-Type": reply.contentType ?? "application/json", ...reply.headers } })
      return HttpClientResponse.fromWeb(request, body)
    })
  )
  return {
    counters,
    truth: { groundTruth: (query: GroundTruthQuery) => groundTruth(state.movies(), fates, query) },
    startOutage: (ms) => Effect.map(Clock.currentTimeMillis, (now) => void (outage = { from: now, until: now + ms })),
    http: Layer.succeed(HttpClient.HttpClient, client),
    baseUrl: "http://tmdb.in-process/3",
    apiKey: options.apiKey!
  }
}

/**
 * The CLI's workflow over `tmdb`: `Collector` over MainLive's store for a SQLite file (the lock,
 * the checks, the migrations) and the real client with its own limiter and retries, as
 * `npm run collect` composes them, with the in-process TMDB for undici.
 */
export const workflowLayer = (tmdb: VirtualTmdb, db: string, client: TmdbClientOptions) =>
  Collector.Default.pipe(
    Layer.provideMerge(
      StoreLive({ _tag: "sqlite", path: db }).pipe(Layer.provideMerge(
        TmdbClientLayer({ credentials: { _tag: "ApiKey", key: Redacted.make(tmdb.apiKey) }, baseUrl: tmdb.baseUrl, ...client }).pipe(
          Layer.provide(tmdb.http)
        )
      ))
    )
  )

/**
 * Runs `effect` on TestClock, from today's date (TMDB's dates and the changes feed are read
 * against it), moving the clock `stepMs` at a time and calling `onStep` after each move, until
 * it ends: its exit.
 */
export const onTestClock = <A, E>(effect: Effect.Effect<A, E>, stepMs: number, onStep: (now: number) => Effect.Effect<void> = () => Effect.void) =>
  Effect.gen(function*() {
    yield* quickTestClock
    // From the wall clock's now, but never back: a second run in the same test starts a step
    // after the first ended, as it would in real time. Set back, its start came before the first
    // run's last attempts, which then counted as tried by this run and were never retried.
    yield* TestClock.setTime(Math.max(Date.now(), (yield* Clock.currentTimeMillis) + stepMs))
    const fiber = yield* Effect.fork(effect)
    while (fiber.unsafePoll() === null) {
      yield* TestClock.adjust(stepMs)
      yield* onStep(yield* Clock.currentTimeMillis)
    }
    return yield* Fiber.await(fiber)
  })
