import { Config, ConfigError, Duration, Effect, Either, Option, Redacted } from "effect"
import { checkAppend, DEFAULT_APPEND } from "./Appended.js"
import { DEFAULT_BURST, DEFAULT_MAX_CONCURRENT, DEFAULT_REQUESTS_PER_SECOND } from "./Defaults.js"

/** How requests authenticate (https://developer.themoviedb.org/docs/authentication-application). */
export type Credentials =
  /** A v3 API key, sent as the `api_key` query parameter. */
  | { readonly _tag: "ApiKey"; readonly key: Redacted.Redacted<string> }
  /** A v4 API Read Access Token, sent as `Authorization: Bearer`. */
  | { readonly _tag: "ReadAccessToken"; readonly token: Redacted.Redacted<string> }

/** A v3 API key as credentials: `TmdbLive({ credentials: apiKey(process.env.MY_KEY!) })`. Kept redacted. */
export const apiKey = (key: string): Credentials => ({ _tag: "ApiKey", key: Redacted.make(key) })

/** A v4 API Read Access Token as credentials, sent as `Authorization: Bearer`. Kept redacted. */
export const readAccessToken = (token: string): Credentials => ({ _tag: "ReadAccessToken", token: Redacted.make(token) })

export interface LimiterOptions {
  /** Sustained request rate of the token bucket. Default 4. */
  readonly requestsPerSecond?: number | undefined
  /** Bucket capacity. 1.25 tokens are at hand, the rest smoothed in at 1.5% of the rate (a Redis budget keeps two, no more). Default 4. */
  readonly burst?: number | undefined
  /** The most requests in flight at once. Default 10 (TMDB allows 20 connections per IP). */
  readonly maxConcurrent?: number | undefined
  /** The longest shared pause a Retry-After may impose; longer ones fail as RateLimitedError. Default 60 s. */
  readonly maxPause?: Duration.DurationInput
  /** Lower the rate on repeated 429s and climb back slowly. Default true. */
  readonly adaptive?: boolean
  /** How long the shared circuit may stay open before requests fail unsent. Default 5 minutes. */
  readonly maxOutage?: Duration.DurationInput
}

export interface TmdbClientOptions extends LimiterOptions {
  readonly credentials?: Credentials
  /** Default `https://api.themoviedb.org/3`. */
  readonly baseUrl?: string
  /** Per-request timeout, body included. Default 10 s. */
  readonly timeout?: Duration.DurationInput
  /** Retries of a transient failure. Default 3 (about 1 s, 2 s, 4 s). */
  readonly retries?: number
  /** The first backoff delay. Default 1 s. */
  readonly retryBase?: Duration.DurationInput
}

export interface LimiterSettings {
  readonly requestsPerSecond: number
  readonly burst: number
  readonly maxConcurrent: number
  readonly maxPause: Duration.Duration
  readonly adaptive: boolean
  readonly maxOutage: Duration.Duration
}

export interface TmdbSettings extends LimiterSettings {
  readonly credentials: Credentials
  readonly baseUrl: string
  readonly timeout: Duration.Duration
  readonly retries: number
  readonly retryBase: Duration.Duration
}

export const DEFAULT_BASE_URL = "https://api.themoviedb.org/3"

const positive = (name: string) => (config: Config.Config<number>) =>
  Config.validate(config, { message: `${name} must be greater than 0`, validation: (n) => n > 0 })

/** Takes the option when given, else the Config value (env by default), else the default. */
const setting = <A>(given: A | undefined, config: Config.Config<A>): Effect.Effect<A, ConfigError.ConfigError> =>
  given !== undefined ? Effect.succeed(given) : config

const checked = <A>(name: string, value: A, ok: (a: A) => boolean, what: string) =>
  ok(value) ? Effect.succeed(value) : Effect.fail(ConfigError.InvalidData([name], `${name} ${what}`))

/**
 * A JWT (`eyJ…`) given as `TMDB_API_KEY` is a v4 read token: sending it as `api_key` gives 401,
 * so it goes as a Bearer token instead.
 */
const looksLikeJwt = (value: string) => /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/.test(value)

const credentialsConfig: Config.Config<Credentials> = Config.all({
  token: Config.option(Config.redacted("TMDB_READ_ACCESS_TOKEN")),
  key: Config.option(Config.redacted("TMDB_API_KEY"))
}).pipe(
  Config.mapOrFail(({ key, token }) => {
    const nonEmpty = (o: Option.Option<Redacted.Redacted<string>>) => Option.filter(o, (r) => Redacted.value(r).trim() !== "")
    const t = nonEmpty(token)
    if (Option.isSome(t)) return Either.right<Credentials>({ _tag: "ReadAccessToken", token: t.value })
    const k = nonEmpty(key)
    if (Option.isSome(k)) {
      return Either.right<Credentials>(
        looksLikeJwt(Redacted.value(k.value))
          ? { _tag: "ReadAccessToken", token: k.value }
          : { _tag: "ApiKey", key: k.value }
      )
    }
    return Either.left(
      ConfigError.MissingData(
        ["TMDB_API_KEY"],
        "TMDB_API_KEY is not set: set TMDB_API_KEY (v3 key) or TMDB_READ_ACCESS_TOKEN (v4 token)"
      )
    )
  })
)

export const limiterSettings = (options: LimiterOptions = {}): Effect.Effect<LimiterSettings, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const requestsPerSecond = yield* setting(
      options.requestsPerSecond,
      Config.number("TMDB_RPS").pipe(Config.withDefault(DEFAULT_REQUESTS_PER_SECOND), positive("TMDB_RPS"))
    )
    const burst = yield* setting(
      options.burst,
      Config.integer("TMDB_BURST").pipe(Config.withDefault(DEFAULT_BURST), positive("TMDB_BURST"))
    )
    const maxConcurrent = yield* setting(
      options.maxConcurrent,
      Config.integer("TMDB_MAX_CONCURRENT").pipe(Config.withDefault(DEFAULT_MAX_CONCURRENT), positive("TMDB_MAX_CONCURRENT"))
    )
    const maxPause = options.maxPause !== undefined
      ? Duration.decode(options.maxPause)
      : yield* Config.duration("TMDB_MAX_PAUSE").pipe(Config.withDefault(Duration.seconds(60)))
    const adaptive = yield* setting(options.adaptive, Config.boolean("TMDB_ADAPTIVE").pipe(Config.withDefault(true)))
    const maxOutage = options.maxOutage !== undefined
      ? Duration.decode(options.maxOutage)
      : yield* Config.duration("TMDB_MAX_OUTAGE").pipe(Config.withDefault(Duration.minutes(5)))
    yield* checked("requestsPerSecond", requestsPerSecond, (n) => n > 0 && Number.isFinite(n), "must be > 0")
    yield* checked("burst", burst, (n) => Number.isInteger(n) && n >= 1, "must be an integer >= 1")
    yield* checked("maxConcurrent", maxConcurrent, (n) => Number.isInteger(n) && n >= 1, "must be an integer >= 1")
    return { requestsPerSecond, burst, maxConcurrent, maxPause, adaptive, maxOutage }
  })

export const tmdbSettings = (options: TmdbClientOptions = {}): Effect.Effect<TmdbSettings, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const limiter = yield* limiterSettings(options)
    const credentials = yield* setting(options.credentials, credentialsConfig)
    const baseUrl = yield* setting(
      options.baseUrl,
      Config.string("TMDB_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL))
    )
    yield* checked("TMDB_BASE_URL", baseUrl, (u) => /^https?:\/\/[^\s]+$/.test(u), "must be an http(s) URL")
    const timeout = options.timeout !== undefined
      ? Duration.decode(options.timeout)
      : yield* Config.duration("TMDB_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10)))
    const retries = yield* setting(
      options.retries,
      Config.integer("TMDB_RETRIES").pipe(Config.withDefault(3))
    )
    yield* checked("retries", retries, (n) => Number.isInteger(n) && n >= 0, "must be an integer >= 0")
    const retryBase = Duration.decode(options.retryBase ?? Duration.seconds(1))
    return { ...limiter, credentials, baseUrl: baseUrl.replace(/\/+$/, ""), timeout, retries, retryBase }
  })

/**
 * The `append_to_response` list of a collection: the option when given, else `TMDB_APPEND`
 * (comma-separated), else every sub-resource that has a table. A bad list is one ConfigError
 * naming the known names, before any request.
 */
export const appendSetting = (given: ReadonlyArray<string> | undefined): Effect.Effect<ReadonlyArray<string>, ConfigError.ConfigError> =>
  Effect.flatMap(
    setting(given, Config.string("TMDB_APPEND").pipe(Config.map((s) => s.split(",")), Config.withDefault(DEFAULT_APPEND))),
    (names) =>
      Either.match(checkAppend(names), {
        onLeft: (e) => Effect.fail(ConfigError.InvalidData([given === undefined ? "TMDB_APPEND" : "append"], e.message)),
        onRight: Effect.succeed
      })
  )
