import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Layer } from "effect"
import { RateLimiter } from "../services/RateLimiter.js"
import { TmdbClient } from "../services/TmdbClient.js"
import type { TmdbClientOptions } from "../src/Config.js"

/** undici, with keep-alive connections: TMDB allows 20 per IP, the limiter keeps us under it. */
export const HttpLive = NodeHttpClient.layerUndici

/**
 * `TmdbClient` with its own `RateLimiter`, over any HttpClient. Options override the
 * environment (`TMDB_API_KEY`, `TMDB_BASE_URL`, `TMDB_RPS`, ...). The limiter is exposed too, so
 * callers can read its stats.
 */
export const TmdbClientLayer = (options?: TmdbClientOptions) => TmdbClient.Default(options).pipe(Layer.provideMerge(RateLimiter.Default(options)))

/** The client as another Effect app composes it: real HTTP via undici. */
export const TmdbLive = (options?: TmdbClientOptions) => TmdbClientLayer(options).pipe(Layer.provide(HttpLive))
