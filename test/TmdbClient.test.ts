import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import { scriptedHttp, type ScriptedResponse } from "../layers/TestHttp.js"
import { TmdbClientLayer } from "../layers/Tmdb.js"
import { TmdbClient } from "../services/TmdbClient.js"
import { KNOWN_APPENDS } from "../src/Appended.js"
import { answer, failureTag, fightClub, fixtureText, KEY, movie, withClient } from "./support/client.js"

describe("TmdbClient: requests", () => {
  it.effect("a v3 key goes as api_key with Accept: application/json, under the base URL", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withClient(() => answer(200, fightClub), (c) => c.getMovieDetails(550))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(requests).toHaveLength(1)
      expect(requests[0]!.path).toBe("/3/movie/550")
      expect(requests[0]!.params.get("api_key")).toBe(KEY)
      expect(requests[0]!.headers["accept"]).toBe("application/json")
      expect(requests[0]!.headers["authorization"]).toBeUndefined()
    }))

  it.effect("a read access token goes as Bearer and no URL carries a key", () =>
    Effect.gen(function*() {
      const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig"
      const { requests } = yield* withClient(() => answer(200, fightClub), (c) => c.getMovieDetails(550), {
        credentials: { _tag: "ReadAccessToken", token: Redacted.make(token) }
      })
      expect(requests[0]!.headers["authorization"]).toBe(`Bearer ${token}`)
      expect(requests[0]!.url).not.toContain("api_key")
      expect(requests[0]!.url).not.toContain(token)
    }))

  it.effect("config comes from Effect Config: TMDB_API_KEY, TMDB_BASE_URL (a JWT in TMDB_API_KEY goes as Bearer)", () =>
    Effect.gen(function*() {
      const http = scriptedHttp(() => answer(200, fightClub))
      const provider = ConfigProvider.fromMap(new Map([["TMDB_API_KEY", "eyJa.eyJb.c"], ["TMDB_BASE_URL", "http://127.0.0.1:9/3/"]]))
      yield* Effect.flatMap(TmdbClient, (c) => c.getMovieDetails(550)).pipe(
        Effect.provide(TmdbClientLayer().pipe(Layer.provide(http.layer))),
        Effect.withConfigProvider(provider)
      )
      expect(http.requests[0]!.url).toBe("http://127.0.0.1:9/3/movie/550")
      expect(http.requests[0]!.headers["authorization"]).toBe("Bearer eyJa.eyJb.c")
    }))

  it.effect("no key at all fails layer construction with a message naming TMDB_API_KEY", () =>
    Effect.gen(function*() {
      const http = scriptedHttp(() => answer(200, fightClub))
      const exit = yield* Effect.exit(
        Effect.flatMap(TmdbClient, (c) => c.getMovieDetails(550)).pipe(
          Effect.provide(TmdbClientLayer().pipe(Layer.provide(http.layer))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(Cause.pretty((exit as Exit.Failure<unknown, unknown>).cause)).toContain("TMDB_API_KEY")
      expect(http.requests).toHaveLength(0)
    }))

  it.effect("append_to_response: sent comma-separated, typed or raw on the result, the body kept; unknown names and more than 20 refused unsent", () =>
    Effect.gen(function*() {
      const body = { ...fightClub, external_ids: { imdb_id: "tt0137523", wikidata_id: "Q190050" }, credits: { cast: [], crew: [] }, videos: { results: [] } }
      const { exit, requests } = yield* withClient(
        () => answer(200, body),
        (c) => c.getMovieDetails(550, { appendToResponse: ["external_ids", "credits", "videos"] })
      )
      expect(requests[0]!.params.get("append_to_response")).toBe("external_ids,credits,videos")
      const details = Exit.getOrElse(exit, () => null as never)
      expect(details.appended).toEqual({ videos: { results: [] } })
      expect(details.externalIds?.wikidataId).toBe("Q190050")
      expect(details.credits).toEqual({ cast: [], crew: [] })
      expect(JSON.parse(details.body!)).toEqual(body)
      expect(details.append).toEqual(["external_ids", "credits", "videos"])
      // TMDB would ignore a misspelt name and send no credits: refused here, naming the known names.
      const typo = yield* withClient(() => answer(200, body), (c) => c.getMovieDetails(550, { appendToResponse: ["credit"] }))
      expect(Cause.pretty((typo.exit as Exit.Failure<unknown, unknown>).cause)).toMatch(/unknown append_to_response name credit; known: .*credits/)
      expect(typo.requests).toHaveLength(0)
      // A typed sub-resource asked for and missing from the answer is the movie's decode failure.
      const missing = yield* withClient(() => answer(200, fightClub), (c) => c.getMovieDetails(550, { appendToResponse: ["credits"] }))
      expect(failureTag(missing.exit)).toBe("DecodeError")
      // Repeats are dropped before sending, but count toward TMDB's limit of 20, as TMDB counts them.
      const repeated = yield* withClient(() => answer(200, body), (c) => c.getMovieDetails(550, { appendToResponse: ["credits", "credits", "keywords"] }))
      expect(repeated.requests[0]!.params.get("append_to_response")).toBe("credits,keywords")
      const tooMany = [...KNOWN_APPENDS, ...KNOWN_APPENDS].slice(0, 21)
      const refused = yield* withClient(() => answer(200, body), (c) => c.getMovieDetails(550, { appendToResponse: tooMany }))
      expect(failureTag(refused.exit)).toBe("InvalidRequestError")
      expect(Cause.pretty((refused.exit as Exit.Failure<unknown, unknown>).cause)).toContain("at most 20 names, got 21")
      expect(refused.requests).toHaveLength(0)
    }))
})

describe("TmdbClient: errors and attempts", () => {
  const notFound = JSON.parse(fixtureText("error-404-not-found-no-success-field.json"))
  const cases: Array<[string, ScriptedResponse | "hang", string, number]> = [
    ["404 (code 34)", answer(404, notFound), "NotFoundError", 1],
    ["404 (code 6)", answer(404, { status_code: 6, status_message: "Invalid id" }), "NotFoundError", 1],
    ["401 (code 7)", answer(401, JSON.parse(fixtureText("error-401-invalid-api-key.json"))), "UnauthorizedError", 1],
    ["400 (code 22)", answer(400, JSON.parse(fixtureText("error-400-invalid-page.json"))), "InvalidRequestError", 1],
    ["422 (code 20)", answer(422, JSON.parse(fixtureText("error-422-invalid-date-range.json"))), "InvalidRequestError", 1],
    ["422 {errors: [...]}", answer(422, JSON.parse(fixtureText("error-422-validation-errors-array.json"))), "InvalidRequestError", 1],
    ["429 without Retry-After", answer(429, JSON.parse(fixtureText("error-429-rate-limit-legacy-2017.json"))), "RateLimitedError", 4],
    ["429 with a plain-text body", { status: 429, body: "Your request count (41) is over the allowed limit of 40." }, "RateLimitedError", 4],
    ["500", answer(500, { status_code: 11, status_message: "Internal error" }), "ServerError", 4],
    ["502 with an HTML body", { status: 502, body: "<html><body>Bad Gateway</body></html>" }, "ServerError", 4],
    ["503", answer(503, { status_code: 9, status_message: "Service offline" }), "ServerError", 4],
    ["504", answer(504, { status_code: 24, status_message: "timed out" }), "ServerError", 4],
    ["a connection reset", { transportError: "ECONNRESET" }, "TransportError", 4],
    ["a refused connection", { transportError: "ECONNREFUSED" }, "TransportError", 4],
    ["a 200 whose JSON is cut off", { status: 200, body: fixtureText("movie-550-fight-club.json").slice(0, 300) }, "TransportError", 4],
    ["a hang (no answer)", "hang", "TimeoutError", 4],
    ["a 200 of the wrong shape", answer(200, { ...fightClub, title: 42 }), "DecodeError", 1]
  ]
  for (const [what, response, tag, attempts] of cases) {
    it.effect(`${what} -> ${tag} after ${attempts} attempt(s), the key in no message`, () =>
      Effect.gen(function*() {
        const { exit, requests } = yield* withClient(
          () => (response === "hang" ? Effect.never : response),
          (c) => c.getMovieDetails(550)
        )
        expect(failureTag(exit)).toBe(tag)
        expect(requests).toHaveLength(attempts)
        const cause = (exit as Exit.Failure<unknown, unknown>).cause
        expect(Cause.pretty(cause)).not.toContain(KEY)
        expect(JSON.stringify(Cause.failureOption(cause))).not.toContain(KEY)
        expect(String(Cause.squash(cause))).not.toContain(KEY)
      }))
  }

  it.effect("retries back off exponentially from 1 s with jitter (about 1, 2, 4 s)", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      yield* withClient(
        () => Effect.map(Clock.currentTimeMillis, (t) => (times.push(t), answer(500))),
        (c) => c.getMovieDetails(550)
      )
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      expect(gaps).toHaveLength(3)
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(0.8 * 1000 * 2 ** i)
        expect(gap).toBeLessThanOrEqual(1.2 * 1000 * 2 ** i + 1)
      })
    }))

  it.effect("retries: 0 means one attempt", () =>
    Effect.gen(function*() {
      const { requests } = yield* withClient(() => answer(503), (c) => c.getMovieDetails(550), { retries: 0 })
      expect(requests).toHaveLength(1)
    }))

  it.effect("a transient failure that heals returns the movie", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withClient(
        (_, n) => (n < 3 ? answer(502, "<html/>") : answer(200, fightClub)),
        (c) => Effect.zip(c.getMovieDetails(550), c.stats)
      )
      const [details, stats] = Exit.getOrElse(exit, () => null as never)
      expect(details.title).toBe("Fight Club")
      expect(requests).toHaveLength(3)
      expect(stats).toEqual({ requests: 3, retries: 2, rateLimited: 0 })
    }))

  it.effect("401 fails fast: after the first 401 nothing more is sent", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withClient(
        () => answer(401, { status_code: 7, status_message: "Invalid API key: You must be granted a valid key.", success: false }),
        (c) => c.getBatchMovieDetails([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
      )
      const batch = Exit.getOrElse(exit, () => null as never)
      expect(batch.succeeded).toEqual([])
      expect(batch.failed).toHaveLength(20)
      expect(batch.failed.every((f) => f.error._tag === "UnauthorizedError")).toBe(true)
      // At most the requests already in flight when the first 401 arrived.
      expect(requests.length).toBeLessThanOrEqual(10)
      const later = yield* withClient(() => answer(401, {}), (c) => Effect.zip(Effect.either(c.getMovieDetails(1)), Effect.either(c.getMovieDetails(2))))
      expect(later.requests).toHaveLength(1)
    }))

  it.effect("Retry-After on a 429 pauses every fiber, not only the one that was throttled", () =>
    Effect.gen(function*() {
      const sent: Array<{ t: number; id: string }> = []
      let throttled = false
      const { exit } = yield* withClient(
        (req) =>
          Effect.map(Clock.currentTimeMillis, (t) => {
            sent.push({ t, id: req.path })
            if (req.path === "/3/movie/5" && !throttled) {
              throttled = true
              return answer(429, { status_code: 25, status_message: "over the limit" }, { "retry-after": "7" })
            }
            return answer(200, movie(Number(req.path.split("/").at(-1))))
          }),
        (c) => c.getBatchMovieDetails(Array.from({ length: 40 }, (_, i) => i + 1)),
        { requestsPerSecond: 10, burst: 1, maxConcurrent: 4 }
      )
      expect(Exit.getOrElse(exit, () => null as never).succeeded).toHaveLength(40)
      const t429 = sent.find((s) => s.id === "/3/movie/5")!.t
      const during = sent.filter((s) => s.t > t429 && s.t < t429 + 7000)
      expect(during).toEqual([])
      expect(sent.filter((s) => s.t >= t429 + 7000).length).toBeGreaterThan(30)
    }))

  it.effect("Retry-After as an HTTP date is honoured too", () =>
    Effect.gen(function*() {
      const times: Array<number> = []
      yield* withClient(
        (_, n) =>
          Effect.map(Clock.currentTimeMillis, (t) => {
            times.push(t)
            return n === 1 ? answer(503, {}, { "retry-after": new Date(t + 20_000).toUTCString() }) : answer(200, fightClub)
          }),
        (c) => c.getMovieDetails(550)
      )
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(19_000)
    }))

  it.effect("a Retry-After beyond the cap fails as RateLimitedError at once instead of sleeping", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withClient(
        () => answer(429, {}, { "retry-after": "7200" }),
        (c) => c.getMovieDetails(550),
        { maxPause: "60 seconds" }
      )
      expect(failureTag(exit)).toBe("RateLimitedError")
      expect(requests).toHaveLength(1)
    }))

  it.effect("a mixed batch returns both lists, one failure never aborts it, progress counts every id", () =>
    Effect.gen(function*() {
      const progress: Array<[number, number]> = []
      const { exit } = yield* withClient(
        (req) => {
          const id = Number(req.path.split("/").at(-1))
          if (id % 5 === 0) return answer(404, { status_code: 34, status_message: "not found" })
          if (id % 7 === 0) return answer(200, { ...movie(id), title: null })
          return answer(200, movie(id))
        },
        (c) => c.getBatchMovieDetails(Array.from({ length: 30 }, (_, i) => i + 1), { onProgress: (d, t) => progress.push([d, t]) })
      )
      const batch = Exit.getOrElse(exit, () => null as never)
      const failed = new Map(batch.failed.map((f) => [f.tmdbId, f.error._tag]))
      expect(batch.succeeded.map((m) => m.tmdbId).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => i + 1).filter((id) => id % 5 !== 0 && id % 7 !== 0)
      )
      expect(Object.fromEntries(failed)).toEqual({
        5: "NotFoundError",
        10: "NotFoundError",
        15: "NotFoundError",
        20: "NotFoundError",
        25: "NotFoundError",
        30: "NotFoundError",
        7: "DecodeError",
        14: "DecodeError",
        21: "DecodeError",
        28: "DecodeError"
      })
      expect(progress).toHaveLength(30)
      expect(progress.at(-1)).toEqual([30, 30])
    }))
})
