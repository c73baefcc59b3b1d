import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Redacted } from "effect"
import { HttpLive, TmdbClientLayer } from "../layers/Tmdb.js"
import { type Sandbox, type SandboxOptions, sandboxScoped } from "../sandbox/index.js"
import { TmdbClient } from "../services/TmdbClient.js"
import type { TmdbClientOptions } from "../src/Config.js"

// Issue 6 §1 and §4, against the sandbox over real sockets. The backoff base is shortened to
// 20 ms: these tests count attempts, and the schedule's timing is proven on TestClock elsewhere.

const RETRIES = 3

const clientFor = (sandbox: Sandbox, options: TmdbClientOptions = {}) =>
  TmdbClientLayer({
    credentials: { _tag: "ApiKey", key: Redacted.make("sandbox-api-key") },
    baseUrl: sandbox.baseUrl,
    requestsPerSecond: 1000,
    burst: 100,
    retries: RETRIES,
    retryBase: "20 millis",
    timeout: "300 millis",
    ...options
  }).pipe(Layer.provide(HttpLive))

const attempt = <A, E extends { _tag: string }>(
  sandboxOptions: SandboxOptions,
  run: (c: TmdbClient) => Effect.Effect<A, E>,
  clientOptions: TmdbClientOptions = {}
) =>
  Effect.scoped(
    Effect.gen(function*() {
      const sandbox = yield* sandboxScoped({ catalogue: { startYear: 2020, endYear: 2020, perYear: 30 }, ...sandboxOptions })
      const exit = yield* Effect.exit(Effect.flatMap(TmdbClient, run).pipe(Effect.provide(clientFor(sandbox, clientOptions))))
      const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
      return { sandbox, exit, tag: error?._tag === "Some" ? error.value._tag : "success", requests: sandbox.counters.requests }
    })
  )

const movieId = 550
const details = (c: TmdbClient) => c.getMovieDetails(movieId)

describe("error classification: attempts per cause, from the sandbox's counters", () => {
  const once: Array<[string, SandboxOptions, (c: TmdbClient) => Effect.Effect<unknown, { _tag: string }>, string]> = [
    [
      "400 (malformed date, code 23)",
      {},
      (c) => Effect.flatMap(c.discoverMovies({ startYear: 99_999 }), (r) => r.failedPages[0] ? Effect.fail(r.failedPages[0].error) : Effect.void),
      "InvalidRequestError"
    ],
    ["401 (bad key, code 7)", { apiKey: "another-key" }, details, "UnauthorizedError"],
    ["404 (unknown id, code 34)", {}, (c) => c.getMovieDetails(999_999_999), "NotFoundError"],
    [
      "404 (deleted after discovery)",
      { deletedFraction: 1, catalogue: { startYear: 2020, endYear: 2020, perYear: 5, includeFixtures: false } },
      (c) => c.getMovieDetails(1),
      "NotFoundError"
    ],
    ["422 (changes range over 14 days, code 20)", {}, (c) => c.getChangedMovieIds({ startDate: "2024-01-01", endDate: "2024-02-01" }), "InvalidRequestError"]
  ]
  for (const [what, options, run, tag] of once) {
    it.live(`${what}: exactly 1 attempt, ${tag}`, () =>
      Effect.gen(function*() {
        const r = yield* attempt(options, run)
        expect(r.tag).toBe(tag)
        expect(r.requests).toBe(1)
      }))
  }

  const transient: Array<[string, SandboxOptions, string]> = [
    ["429 (code 25, Retry-After)", { rateLimit: { rps: 0.0001, burst: 1, retryAfterSeconds: 0 } }, "RateLimitedError"],
    ["500", { faults: { error500: 1 } }, "ServerError"],
    ["502 (HTML body)", { faults: { error502: 1 } }, "ServerError"],
    ["503 (Retry-After)", { faults: { error503: 1, retryAfter503Seconds: 0 } }, "ServerError"],
    ["504", { faults: { error504: 1 } }, "ServerError"],
    ["a timeout (the server never answers)", { faults: { hang: 1 } }, "TimeoutError"],
    ["a connection reset", { faults: { reset: 1 } }, "TransportError"],
    ["a 200 cut off half way", { faults: { truncate: 1 } }, "TransportError"]
  ]
  for (const [what, options, tag] of transient) {
    it.live(`${what}: exactly 1 + ${RETRIES} attempts, then ${tag}`, () =>
      Effect.gen(function*() {
        // The 429 case spends its one token on a first, successful request.
        const run = options.rateLimit ? (c: TmdbClient) => Effect.zipRight(details(c), details(c)) : details
        const r = yield* attempt(options, run)
        expect(r.tag).toBe(tag)
        expect(r.requests).toBe((options.rateLimit ? 1 : 0) + 1 + RETRIES)
        if (options.rateLimit) expect(r.sandbox.counters.rateLimited).toBe(1 + RETRIES)
      }))
  }
})

describe("stalls: a server that accepts and never answers", () => {
  it.live("the timeout fires, each attempt is retried, the failure is recorded, and no socket is left open", () =>
    Effect.gen(function*() {
      const r = yield* attempt({ faults: { hang: 1 } }, (c) => c.getBatchMovieDetails([550]))
      const batch = Exit.getOrElse(r.exit, () => null as never)
      expect(batch.failed.map((f) => f.error._tag)).toEqual(["TimeoutError"])
      expect(r.requests).toBe(1 + RETRIES)
      // Every timed-out request was aborted: the server sees no request still in flight.
      expect(r.sandbox.counters.inFlight).toBe(0)
    }))

  it.live("with some hangs, every movie still arrives and nothing is left in flight", () =>
    Effect.gen(function*() {
      const r = yield* attempt(
        { faults: { hang: 0.15 }, catalogue: { startYear: 2020, endYear: 2020, perYear: 60, includeFixtures: false } },
        (c) => Effect.flatMap(c.discoverMovies({ startYear: 2020 }), (d) => c.getBatchMovieDetails(d.movies.map((m) => m.tmdbId)))
      )
      const batch = Exit.getOrElse(r.exit, () => null as never)
      expect(batch.failed).toEqual([])
      expect(batch.succeeded.length).toBeGreaterThan(40)
      expect(r.sandbox.counters.faultsInjected["hang"]).toBeGreaterThan(0)
      expect(r.sandbox.counters.inFlight).toBe(0)
    }))
})
