import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Config, Effect, Layer, type Redacted } from "effect"
import { RateLimiter } from "../services/RateLimiter.js"
import { TmdbClient } from "../services/TmdbClient.js"
import { DEFAULT_BASE_URL, type TmdbClientOptions } from "../src/Config.js"
import { SharedBudgetRedis } from "./Redis.js"

/** undici, with keep-alive connections: TMDB allows 20 per IP, the limiter keeps us under it. */
export const HttpLive = NodeHttpClient.layerUndici

/**
 * `TmdbClient` with its own `RateLimiter`, over any HttpClient. Options override the
 * environment (`TMDB_API_KEY`, `TMDB_BASE_URL`, `TMDB_RPS`, ...). The limiter is exposed too, so
 * callers can read its stats.
 */
export const TmdbClientLayer = (options?: TmdbClientOptions) => TmdbClient.Default(options).pipe(Layer.provideMerge(RateLimiter.Default(options)))

export interface SharedBudgetSetting {
  /** `--redis` / `TMDB_REDIS_URL`. May hold a password: it is never shown. */
  readonly redis: Redacted.Redacted<string> | string
  /** Sets collectors of one TMDB host apart into budgets of their own. Default `default`. */
  readonly name?: string | undefined
}

/**
 * `TmdbClientLayer` whose limiter draws on a budget shared through Redis with every collector of
 * the same TMDB host (the `baseUrl` option, else `TMDB_BASE_URL`) and budget name: the configured
 * rate is their total. The budget is exposed too, for its collector count.
 */
export const TmdbSharedClientLayer = (options: TmdbClientOptions | undefined, shared: SharedBudgetSetting) => {
  const budget = Layer.unwrapEffect(
    Effect.map(
      options?.baseUrl !== undefined ? Effect.succeed(options.baseUrl) : Config.string("TMDB_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL)),
      (baseUrl) => SharedBudgetRedis(shared.redis, { name: `${hostOf(baseUrl)}:${shared.name ?? "default"}` })
    )
  )
  return TmdbClient.Default(options).pipe(Layer.provideMerge(RateLimiter.Default(options)), Layer.provideMerge(budget))
}

const hostOf = (baseUrl: string) => {
  try {
    return new URL(baseUrl).host
  } catch {
    return baseUrl
  }
}

/** The client as another Effect app composes it: real HTTP via undici. */
export const TmdbLive = (options?: TmdbClientOptions) => TmdbClientLayer(options).pipe(Layer.provide(HttpLive))
