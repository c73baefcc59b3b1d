import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Effect, Exit, Tracer } from "effect"
import { answer, fightClub, KEY, movie, withClient } from "./support/client.js"

// Storms and secrets: what an outage costs, and that the key is in no span or error.

describe("TmdbClient: retry storms", () => {
  it.effect("a 20 s total outage: workers wait on the shared circuit, every movie arrives, sent / needed <= 1.1", () =>
    Effect.gen(function*() {
      const sent: Array<{ t: number; path: string }> = []
      const ids = Array.from({ length: 400 }, (_, i) => i + 1)
      const { exit } = yield* withClient(
        (req) =>
          Effect.map(Clock.currentTimeMillis, (t) => {
            sent.push({ t, path: req.path })
            const down = t >= 5_000 && t < 25_000
            return down ? answer(503, { status_code: 9, status_message: "Service offline" }) : answer(200, movie(Number(req.path.split("/").at(-1))))
          }),
        (c) => c.getBatchMovieDetails(ids),
        { requestsPerSecond: 10, burst: 5, maxConcurrent: 10 }
      )
      const batch = Exit.getOrElse(exit, () => null as never)
      expect(batch.failed).toEqual([])
      expect(batch.succeeded).toHaveLength(400)
      const amplification = sent.length / ids.length
      expect(amplification).toBeLessThanOrEqual(1.1)
      const during = sent.filter((s) => s.t >= 5_000 && s.t < 25_000)
      // Without the circuit, 10 workers x 4 attempts would each hammer the outage.
      expect(during.length).toBeLessThanOrEqual(25)
      // Back to the configured rate within 10 s of healing: >= 90% of 10 req/s over 25..35 s.
      const after = sent.filter((s) => s.t >= 30_000 && s.t < 35_000).length
      expect(after / 5).toBeGreaterThanOrEqual(9)
    }))
})

/** A tracer that keeps every span's name, attributes and events, to search them for the key. */
const recordingTracer = () => {
  const recorded: Array<{ name: string; data: string }> = []
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const attributes = new Map<string, unknown>()
      const events: Array<unknown> = []
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: String(recorded.length),
        traceId: "t",
        parent,
        context,
        links,
        sampled: true,
        kind,
        status: { _tag: "Started", startTime },
        attributes,
        end: () => recorded.push({ name, data: JSON.stringify({ attributes: [...attributes], events }) }),
        attribute: (k, v) => void attributes.set(k, v),
        event: (n, _t, a) => void events.push([n, a]),
        addLinks: () => {}
      }
      return span
    },
    context: (f) => f()
  })
  return { tracer, recorded }
}

describe("TmdbClient: the key never leaks", () => {
  it.effect("no span (name, attribute or event) carries the key, across successes and every failure", () =>
    Effect.gen(function*() {
      const { recorded, tracer } = recordingTracer()
      const responses = [answer(200, fightClub), answer(500), { transportError: "ECONNRESET" }, answer(404, {}), answer(200, { ...fightClub, title: 1 })]
      const { exit } = yield* withClient(
        (_, n) => responses[(n - 1) % responses.length]!,
        (c) => Effect.zip(c.getBatchMovieDetails([550, 551, 552, 553]), c.discoverMovies({ startYear: 2024, maxPages: 1 }))
      ).pipe(Effect.withTracer(tracer))
      expect(Exit.isSuccess(exit)).toBe(true)
      const names = new Set(recorded.map((r) => r.name))
      expect(names).toEqual(
        new Set([
          "TmdbClient.getBatchMovieDetails",
          "TmdbClient.getMovieDetails",
          "TmdbClient.request",
          "TmdbClient.discoverMovies",
          "TmdbClient.discoverMoviesStream"
        ])
      )
      expect(recorded.some((r) => r.data.includes("/movie/550"))).toBe(true)
      for (const r of recorded) expect(r.data).not.toContain(KEY)
    }))

  it.effect("transport errors whose cause text carries the URL are redacted", () =>
    Effect.gen(function*() {
      const { exit } = yield* withClient(
        (req) => ({ transportError: `ECONNRESET at ${req.url}` }),
        (c) => c.getMovieDetails(550),
        { retries: 1 }
      )
      const cause = (exit as Exit.Failure<unknown, unknown>).cause
      expect(Cause.pretty(cause)).toContain("ECONNRESET at https://tmdb.test/3/movie/550?api_key=***")
      expect(Cause.pretty(cause)).not.toContain(KEY)
    }))
})
