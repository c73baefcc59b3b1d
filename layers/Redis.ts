import { Either, Layer, Redacted } from "effect"
import { RedisError, type RedisTarget, SharedBudget } from "../services/SharedBudget.js"

export { RedisError } from "../services/SharedBudget.js"

// The Redis URL may carry a password, so it is never echoed: messages show host:port at most.

const EXPECTED = "redis://[[user]:password@]host[:port][/db] or rediss://..."

/** The parts of a `redis://` or `rediss://` URL, or one line saying what is wrong with it (without it). */
export const parseRedisUrl = (url: Redacted.Redacted<string> | string): Either.Either<RedisTarget, RedisError> => {
  const text = Redacted.isRedacted(url) ? Redacted.value(url) : url
  let u: URL
  try {
    u = new URL(text.trim())
  } catch {
    return Either.left(new RedisError({ message: `the Redis URL is not a URL: expected ${EXPECTED}` }))
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    return Either.left(new RedisError({ message: `the Redis URL must start with redis:// or rediss:// (${EXPECTED})` }))
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1")
  if (host === "") return Either.left(new RedisError({ message: `the Redis URL has no host: expected ${EXPECTED}` }))
  const db = u.pathname.replace(/^\/+/, "")
  if (db !== "" && !/^\d+$/.test(db)) {
    return Either.left(new RedisError({ message: `the Redis URL's database must be a number (${EXPECTED})` }))
  }
  return Either.right({
    host,
    port: u.port === "" ? 6379 : Number(u.port),
    username: u.username === "" ? undefined : decodeURIComponent(u.username),
    password: u.password === "" ? undefined : Redacted.make(decodeURIComponent(u.password)),
    db: db === "" ? undefined : Number(db),
    tls: u.protocol === "rediss:"
  })
}

export interface SharedBudgetRedisOptions {
  /**
   * Collectors share a budget when they name the same Redis and the same name. Default
   * `default`; `TmdbSharedClientLayer` names it after the TMDB host.
   */
  readonly name?: string | undefined
}

/**
 * A request budget shared, through Redis, by every collector that uses the same URL and name.
 * A bad URL or a Redis that cannot be reached (or refuses the password) fails the layer with one
 * RedisError line naming host:port, e.g. `cannot reach Redis at 127.0.0.1:6390: connection refused`.
 */
export const SharedBudgetRedis = (
  url: Redacted.Redacted<string> | string,
  options: SharedBudgetRedisOptions = {}
): Layer.Layer<SharedBudget, RedisError> =>
  Either.match(parseRedisUrl(url), {
    onLeft: (e) => Layer.fail(e),
    onRight: (target) => SharedBudget.Default({ target, name: options.name ?? "default" })
  })
