import { Data, Redacted, Schema } from "effect"
import type { Redis, RedisOptions } from "ioredis"

// Reaching Redis for the shared budget: where it is, how long to wait for it, and its failures
// in one line that never shows the password.

/** Redis cannot be used at start: one line naming host:port, never the URL (it may hold a password). */
export class RedisError extends Schema.TaggedError<RedisError>()("RedisError", { message: Schema.String }) {}

/** The shared budget stopped answering mid-run. Carries what the collector last saw, for its fallback. */
export class BudgetLost extends Data.TaggedError("BudgetLost")<{
  /** `Redis at host:port stopped answering (reason)`. */
  readonly message: string
  readonly where: string
  readonly reason: string
  /** Collectors registered when Redis was last reached (this one included, so at least 1). */
  readonly collectors: number
  /** The end of the last shared pause seen (ms, the Clock's time). */
  readonly pausedUntil: number
}> {}

/** Where Redis is. The password stays redacted until it is handed to the connection. */
export interface RedisTarget {
  readonly host: string
  readonly port: number
  readonly username?: string | undefined
  readonly password?: Redacted.Redacted<string> | undefined
  readonly db?: number | undefined
  readonly tls?: boolean | undefined
}

/** host:port, the only form of the address that messages show. */
export const describeTarget = (target: RedisTarget) => `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`

// A dead or hung Redis costs at most one command timeout; then the collector paces itself.
const COMMAND_TIMEOUT_MS = 500
const CONNECT_TIMEOUT_MS = 1_000

export const reasonOf = (cause: unknown, password: string | undefined): string => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : ""
  const text = cause instanceof Error ? cause.message : String(cause)
  if (code === "ECONNREFUSED") return "connection refused"
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found"
  if (code === "ETIMEDOUT" || /ETIMEDOUT/.test(text)) return `no connection within ${CONNECT_TIMEOUT_MS / 1000} s`
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "host unreachable"
  if (/Command timed out/.test(text)) return `no answer within ${COMMAND_TIMEOUT_MS} ms`
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(text)) return "authentication failed"
  if (/Protocol error/.test(text)) return "the server does not speak the Redis protocol"
  if (/Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|ECONNRESET|EPIPE/.test(text)) return "connection closed"
  const line = (text.split("\n")[0] ?? "").slice(0, 100)
  return password !== undefined && password !== "" ? line.replaceAll(password, "***") : line
}

export const connectionOptions = (target: RedisTarget) =>
  ({
    host: target.host,
    port: target.port,
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: Redacted.value(target.password) } : {}),
    ...(target.db !== undefined ? { db: target.db } : {}),
    ...(target.tls === true ? { tls: { servername: target.host } } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    // A collector that lost Redis stays on its own limiter for the rest of the run; reconnecting
    // would only bring errors.
    retryStrategy: () => null
  }) satisfies RedisOptions

type Call<A> = (...args: Array<string | number>) => Promise<A>
export interface BudgetRedis extends Redis {
  budgetRegister: Call<number>
  budgetState: Call<[string, string, string, number]>
  budgetPause: Call<number>
  budgetThrottled: Call<[number, number, string]>
}
