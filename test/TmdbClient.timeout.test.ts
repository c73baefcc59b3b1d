import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { TmdbLive } from "../layers/Tmdb.js"
import { TmdbClient } from "../services/TmdbClient.js"
import { apiKey } from "../src/Config.js"

// The timeout covers the body: a server that sends its headers and part of the body, then
// stalls, must not hold a request (and its concurrency slot) past `timeout`.

describe("TmdbClient: timeout", () => {
  it.live("a body that stalls after the headers ends in TimeoutError within the timeout, each attempt", () =>
    Effect.gen(function*() {
      let requests = 0
      const server = createServer((_req, res) => {
        requests++
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        res.write(`{"id": 550, "title": "`)
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () => Effect.sync(() => (server.closeAllConnections(), server.close()))
      )
      const port = (server.address() as AddressInfo).port
      const started = Date.now()
      const exit = yield* Effect.exit(
        Effect.flatMap(TmdbClient, (c) => c.getMovieDetails(550)).pipe(
          Effect.provide(
            TmdbLive({ credentials: apiKey("k"), baseUrl: `http://127.0.0.1:${port}/3`, timeout: "300 millis", retries: 1, retryBase: "10 millis" })
          )
        )
      )
      const elapsed = Date.now() - started
      expect(Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause))?._tag : "success").toBe("TimeoutError")
      expect(requests).toBe(2)
      // Two attempts of 300 ms and a short backoff, not a hang.
      expect(elapsed).toBeGreaterThanOrEqual(600)
      expect(elapsed).toBeLessThan(5_000)
    }).pipe(Effect.scoped))
})
