import type * as SqlClient from "@effect/sql/SqlClient"
import { Duration, Effect, Layer } from "effect"
import { type Script, scriptedHttp } from "./layers/TestHttp.js"
import { MovieRepositoryTest } from "./layers/TestSql.js"
import { TmdbClientLayer } from "./layers/Tmdb.js"
import { Collector } from "./services/Collector.js"
import { MovieRepository } from "./services/MovieRepository.js"
import { RateLimiter } from "./services/RateLimiter.js"
import { type ClientStats, TmdbClient } from "./services/TmdbClient.js"
import type { DetailsOptions } from "./services/tmdbClient/Details.js"
import { apiKey, type TmdbClientOptions } from "./src/Config.js"
import type { TmdbError } from "./src/Errors.js"
import { collectionKind } from "./src/kinds/Collection.js"
import { companyKind } from "./src/kinds/Company.js"
import { personKind } from "./src/kinds/Person.js"
import { movieKind } from "./src/MovieKind.js"
import type { AnyKind } from "./src/RecordKind.js"

// tmdb-collector's test layers (the `tmdb-collector/testing` entry): fakes and in-memory
// stand-ins for testing an app built on it with no network and no disk. None of them
// sleeps on its own: retries are off and the limiter never waits, so tests run on TestClock
// without advancing it.

type Methods = Omit<TmdbClient, "settings" | "stats">

// Asked of any value by the language or by Effect, never a client method: a Promise resolved with
// the client looks up `then` (a function there would make it a thenable that never settles), and
// JSON.stringify looks up `toJSON`.
const NOT_METHODS: ReadonlySet<string> = new Set(["then", "toJSON"])

/** What a fake client reports as its settings: the library's defaults, with no credentials. */
const FAKE_SETTINGS: TmdbClient["settings"] = {
  baseUrl: "https://tmdb.test/3",
  requestsPerSecond: 4,
  burst: 4,
  maxConcurrent: 10,
  maxPause: Duration.seconds(60),
  maxOutage: Duration.minutes(5),
  adaptive: true,
  timeout: Duration.seconds(10),
  retries: 0,
  retryBase: Duration.seconds(1)
}

/**
 * The Collector asks for records of any kind (`getRecord`, `getChanges`): a fake that gives the
 * methods of a kind (`getMovieDetails`, `getCollection`, `getCompany`, `getPerson`, and the feeds
 * `getMovieChanges`, `getPersonChanges`) answers those for it, and a request for another kind
 * dies naming it.
 */
const kindShortcuts = (methods: Partial<Methods>): Partial<Methods> => {
  const records = new Map<AnyKind, (id: number, options: DetailsOptions | undefined) => Effect.Effect<unknown, TmdbError>>()
  if (methods.getMovieDetails !== undefined) records.set(movieKind, methods.getMovieDetails)
  if (methods.getCollection !== undefined) records.set(collectionKind, methods.getCollection)
  if (methods.getCompany !== undefined) records.set(companyKind, methods.getCompany)
  if (methods.getPerson !== undefined) records.set(personKind, methods.getPerson)
  const feeds = new Map<string | undefined, Methods["getMovieChanges"]>()
  if (methods.getMovieChanges !== undefined) feeds.set(movieKind.changes, methods.getMovieChanges)
  if (methods.getPersonChanges !== undefined) feeds.set(personKind.changes, methods.getPersonChanges)
  return {
    ...(records.size === 0 ? {} : {
      getRecord: ((kind, id, options) =>
        records.get(kind as AnyKind)?.(id, options) ??
          Effect.dieMessage(`TmdbClientTest: getRecord of ${kind.name} is not implemented by this fake`)) as Methods["getRecord"]
    }),
    ...(feeds.size === 0 ? {} : {
      getChanges: (feed, range) => feeds.get(feed)?.(range) ?? Effect.dieMessage(`TmdbClientTest: getChanges of ${feed} is not implemented by this fake`)
    })
  }
}

/**
 * A `TmdbClient` made of the methods given; every other method dies naming itself, so a test
 * learns at once that the code under test called something it did not expect.
 *
 *   Layer.provide(program, TmdbClientTest({ getMovieDetails: (id) => Effect.succeed(movie(id)) }))
 */
export const TmdbClientTest = (methods: Partial<Methods> & { readonly stats?: Effect.Effect<ClientStats> }): Layer.Layer<TmdbClient> => {
  const given = TmdbClient.make({
    settings: FAKE_SETTINGS,
    stats: Effect.succeed({ requests: 0, retries: 0, rateLimited: 0 }),
    ...kindShortcuts(methods),
    ...(methods as Methods)
  })
  // No list of the client's methods to keep: whatever name the code under test asks for and the
  // test did not give is a method that dies naming itself, a method added to TmdbClient included.
  return Layer.succeed(
    TmdbClient,
    new Proxy(given, {
      get: (target, name, receiver) =>
        typeof name === "symbol" || name in target || NOT_METHODS.has(name)
          ? Reflect.get(target, name, receiver)
          : () => Effect.dieMessage(`TmdbClientTest: ${name} is not implemented by this fake`)
    })
  )
}

/**
 * The real `TmdbClient` over a scripted HttpClient: every request goes to `script`, which
 * answers it. Retries are off and the limiter never waits unless `options` say otherwise.
 * `requests` lists what was sent.
 */
export const TmdbClientScripted = (script: Script, options: TmdbClientOptions = {}) => {
  const http = scriptedHttp(script)
  const layer = TmdbClientLayer({
    credentials: apiKey("test-key"),
    baseUrl: "https://tmdb.test/3",
    requestsPerSecond: 1_000_000,
    burst: 1_000_000,
    retries: 0,
    adaptive: false,
    ...options
  }).pipe(Layer.provide(http.layer))
  return { layer, requests: http.requests }
}

/** A movie for a fake: the fields given, every other one as TMDB says "unknown". */
export { movieDetailsOf } from "./src/Movie.js"

/** A collection, a company or a person for a fake (`getCollection`, `getCompany`, `getPerson`): the fields given, every other one unknown. */
export { collectionOf } from "./src/kinds/Collection.js"
export { companyOf } from "./src/kinds/Company.js"
export { personOf } from "./src/kinds/Person.js"

/** `MovieRepository` over an in-memory SQLite database, migrated. */
export { MovieRepositoryTest }

/** A limiter that never waits: for tests of code that takes a `RateLimiter`. */
export const RateLimiterTest: Layer.Layer<RateLimiter> = RateLimiter.Default({
  requestsPerSecond: 1_000_000,
  burst: 1_000_000,
  maxConcurrent: 1_000,
  adaptive: false
}).pipe(Layer.orDie)

/**
 * The `Collector` over `client` (a fake or scripted client) and an in-memory repository; the
 * repository is exposed too, so a test can read what was stored.
 */
export const CollectorTest = (client: Layer.Layer<TmdbClient>): Layer.Layer<Collector | MovieRepository | SqlClient.SqlClient> =>
  Collector.Default.pipe(Layer.provideMerge(Layer.mergeAll(client, MovieRepositoryTest, RateLimiterTest)))

export { type Script, scriptedHttp, type ScriptedResponse, type SeenRequest } from "./layers/TestHttp.js"
export { SqlTest } from "./layers/TestSql.js"
