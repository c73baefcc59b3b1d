import { Cause, Effect, Exit, Fiber, Layer, Redacted, TestClock } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { type Script, scriptedHttp, type ScriptedResponse } from "../../layers/TestHttp.js"
import { TmdbClientLayer } from "../../layers/Tmdb.js"
import { TmdbClient } from "../../services/TmdbClient.js"
import type { TmdbClientOptions } from "../../src/Config.js"
import { quickTestClock } from "./quickClock.js"

// The client over a scripted HttpClient, shared by the TmdbClient test files.

export const KEY = "canary0123456789abcdef0123456789"
export const fixtureText = (name: string) => fs.readFileSync(path.resolve(import.meta.dirname, "../../sandbox/fixtures", name), "utf8")
export const fightClub = JSON.parse(fixtureText("movie-550-fight-club.json")) as Record<string, unknown>

export const base: TmdbClientOptions = {
  credentials: { _tag: "ApiKey", key: Redacted.make(KEY) },
  baseUrl: "https://tmdb.test/3",
  requestsPerSecond: 50,
  burst: 10,
  maxConcurrent: 10,
  adaptive: false
}

/** The client composed over a scripted HttpClient, as another Effect app would compose it. */
export const withClient = <A, E>(script: Script, run: (client: TmdbClient) => Effect.Effect<A, E>, options: TmdbClientOptions = {}) => {
  const http = scriptedHttp(script)
  const layer = TmdbClientLayer({ ...base, ...options }).pipe(Layer.provide(http.layer))
  return Effect.gen(function*() {
    yield* quickTestClock
    const fiber = yield* Effect.fork(Effect.exit(Effect.flatMap(TmdbClient, run)).pipe(Effect.provide(layer)))
    // A second at a time, until the run ends (30 minutes at most): one adjust of 30 minutes would
    // also wake every request's timeout, each left on the clock when its request finished, and
    // TestClock lets the fibers settle before each wake (three 1 ms timers): 4 s for 1,250 pages.
    for (let s = 0; s < 30 * 60 && fiber.unsafePoll() === null; s++) yield* TestClock.adjust("1 second")
    const exit = yield* Fiber.join(fiber)
    return { exit, requests: http.requests }
  })
}

export const movie = (id: number) => ({ ...fightClub, id, title: `Movie ${id}` })
export const answer = (status: number, body: unknown = {}, headers: Record<string, string> = {}): ScriptedResponse => ({
  status,
  body,
  headers
})

export const failureTag = <A, E extends { _tag: string }>(exit: Exit.Exit<A, E>) =>
  Exit.match(exit, {
    onSuccess: () => "success",
    onFailure: (cause) => Cause.failureOption(cause).pipe((o) => (o._tag === "Some" ? o.value._tag : Cause.pretty(cause)))
  })
