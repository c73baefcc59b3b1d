import { ValidationError } from "@effect/cli"
import { Cause, ConfigError, Data, Exit, Option } from "effect"
import { ExportError } from "../src/Catalogue.js"
import { DatabaseError } from "../src/Database.js"
import { redactSecret } from "../src/Wire.js"

// How a run of a CLI ends, for a person and for a script: one line, and an exit code.

/** Exit codes: a script can tell what happened. */
export const ExitCode = {
  ok: 0,
  fatal: 1,
  usage: 2,
  incomplete: 3,
  interrupted: 130
} as const

/** A problem a person caused or can fix: one line, no stack trace. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** What a person sees when a signal stops the run; the entry point prints it. */
export const INTERRUPTED = "Interrupted: finished work is saved. Run the same command again to resume."

const baseUrl = () => redactSecret("")(process.env["TMDB_BASE_URL"] ?? "https://api.themoviedb.org/3")

/** One line for any failure a person can cause. Never the key, never a stack trace. */
export const describeFailure = (error: unknown): string => {
  if (error instanceof UsageError) return error.message
  if (error instanceof DatabaseError) return error.message
  if (error instanceof ExportError) return error.message
  if (ConfigError.isConfigError(error)) {
    const text = String(error)
    if (text.includes("TMDB_API_KEY")) return "TMDB_API_KEY is not set: set TMDB_API_KEY (v3 key) or TMDB_READ_ACCESS_TOKEN (v4 token)"
    return `invalid configuration: ${text.replace(/\s+/g, " ")}`
  }
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const tagged = error as { _tag: string; message?: string }
    if (tagged._tag === "UnauthorizedError") {
      // The token wins when both are set (src/Config.ts).
      const where = (process.env["TMDB_READ_ACCESS_TOKEN"] ?? "").trim() !== "" ? "the token in TMDB_READ_ACCESS_TOKEN" : "the key in TMDB_API_KEY"
      return `TMDB refused ${where}: ${tagged.message ?? "HTTP 401"}`
    }
    if (tagged._tag === "NotFoundError") {
      // Fatal only when nothing else came back: the very first request of a run.
      return `TMDB answered 404 for ${(tagged as { path?: string }).path ?? "the first request"}: is ${baseUrl()} TMDB's API (it ends in /3)?`
    }
    // Its message shows host:port, never the URL's password.
    if (tagged._tag === "RedisError") return tagged.message ?? "Redis failed"
    if (tagged._tag === "TransportError" || tagged._tag === "TimeoutError" || tagged._tag === "ServerError") {
      return `cannot reach TMDB at ${baseUrl()}: ${tagged.message ?? tagged._tag}`
    }
    return `${tagged._tag}: ${tagged.message ?? ""}`
  }
  return String(error)
}

/**
 * Whether a failure will not pass by itself, so that `--watch` stops on it rather than trying
 * again: a refused key, a wrong TMDB_BASE_URL, bad settings, a file that is no database.
 */
export const lastingFailure = (error: unknown): boolean => {
  if (error instanceof UsageError || ConfigError.isConfigError(error)) return true
  if (error instanceof DatabaseError) {
    // PostgreSQL read-only is a standby a failover left in place for a while; a refused password or
    // role, or a database that does not exist, stays so (src/Database.ts fromPostgres).
    if (error.path.startsWith("postgres://")) return /refused the password|PostgreSQL at .* refused |^database .* does not exist/.test(error.message)
    return ["not_a_database", "is_directory", "read_only"].includes(error.problem)
  }
  // The export's settings, not the files host.
  if (error instanceof ExportError) return /is not set|must be an http|needs the TmdbExports service/.test(error.message)
  const tag = typeof error === "object" && error !== null && "_tag" in error ? (error as { _tag: unknown })._tag : undefined
  return tag === "UnauthorizedError" || tag === "NotFoundError"
}

/** The exit code for the CLI's result: its own on success, 130 when interrupted, 1 or 2 on failure. */
export const exitCodeOf = (exit: Exit.Exit<unknown, unknown>): number =>
  Exit.match(exit, {
    onSuccess: () => (typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok),
    onFailure: (cause) =>
      Cause.isInterruptedOnly(cause)
        ? ExitCode.interrupted
        : Option.match(Cause.failureOption(cause), {
          onNone: () => ExitCode.fatal,
          onSome: (e) => e instanceof UsageError || ValidationError.isValidationError(e) || ConfigError.isConfigError(e) ? ExitCode.usage : ExitCode.fatal
        })
  })
