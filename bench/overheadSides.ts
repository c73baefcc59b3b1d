import * as HttpClient from "@effect/platform/HttpClient"
import { Effect, Either, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { Pool } from "undici"
import { HttpLive, TmdbLive } from "../layers/Tmdb.js"
import { TmdbClient } from "../services/TmdbClient.js"
import { API_KEY } from "./helpers.js"

// The ways of fetching N details at concurrency 16 that the overhead benchmark compares: a raw
// undici loop, and the client's one details path through both of its public faces. Each returns
// how many failed.

export type Side = "raw" | "stream" | "batch"

export const SIDE_LABEL: Record<Side, string> = {
  raw: "raw undici Pool + JSON.parse",
  stream: "TmdbClient.movieDetailsStream",
  batch: "TmdbClient.getBatchMovieDetails (the CLI's path)"
}

export const makeSides = (baseUrl: string, origin: string, concurrency: number) => {
  const pool = new Pool(origin, { connections: concurrency })
  const runtime = ManagedRuntime.make(Layer.merge(
    TmdbLive({
      credentials: { _tag: "ApiKey", key: Redacted.make(API_KEY) },
      baseUrl,
      requestsPerSecond: 1e6,
      burst: 1e6,
      maxConcurrent: concurrency
    }),
    HttpLive
  ))
  const run = <A, E>(effect: Effect.Effect<A, E, TmdbClient | HttpClient.HttpClient>) => runtime.runPromise(effect, { signal: AbortSignal.timeout(120_000) })

  const raw = async (ids: ReadonlyArray<number>) => {
    let next = 0
    let failed = 0
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!
        const { statusCode, body } = await pool.request({
          method: "GET",
          path: `/3/movie/${id}?api_key=${API_KEY}`,
          headersTimeout: 10_000,
          bodyTimeout: 10_000
        })
        const text = await body.text()
        if (statusCode === 200) JSON.parse(text)
        else failed++
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    return failed
  }

  const stream = (ids: ReadonlyArray<number>) =>
    run(Effect.flatMap(TmdbClient, (client) =>
      client.movieDetailsStream(Stream.fromIterable(ids)).pipe(
        Stream.runFold(0, (failed, o) => (Either.isLeft(o.result) ? failed + 1 : failed))
      )))

  const batch = (ids: ReadonlyArray<number>) =>
    run(Effect.map(Effect.flatMap(TmdbClient, (client) => client.getBatchMovieDetails(ids)), (r) => r.failed.length))

  const sides: Record<Side, (ids: ReadonlyArray<number>) => Promise<number>> = { raw, stream, batch }
  return {
    sides,
    close: async () => {
      await runtime.dispose()
      await pool.close()
    }
  }
}
