import { Either, LogLevel } from "effect"
import { UsageError } from "./Outcome.js"

// The values of @effect/cli's built-in `--log-level`, which its help lists, and `warn`.
const LEVELS = new Map<string, LogLevel.LogLevel>([
  ...LogLevel.allLevels.map((level) => [level._tag.toLowerCase(), level] as const),
  ["warn", LogLevel.Warning]
])
const ACCEPTED = LogLevel.allLevels.map((level) => level._tag.toLowerCase()).join(", ")

const levelOf = (name: string, raw: string): Either.Either<LogLevel.LogLevel, UsageError> => {
  const level = LEVELS.get(raw.trim().toLowerCase())
  return level !== undefined
    ? Either.right(level)
    : Either.left(new UsageError({ message: `${name} must be one of ${ACCEPTED}, got '${raw}'` }))
}

/**
 * The log level from `--log-level X` or `--log-level=X` anywhere on the line (the last one wins),
 * else `TMDB_LOG_LEVEL`, else info; and the arguments without the flag.
 *
 * The flag is taken off here because @effect/cli reads its built-in `--log-level` only before
 * the command's own flags, and never in the `=` form: anywhere else it is an unknown argument.
 */
export const logLevelSetting = (
  args: ReadonlyArray<string>,
  env: string | undefined
): Either.Either<{ readonly level: LogLevel.LogLevel; readonly args: ReadonlyArray<string> }, UsageError> => {
  const rest: Array<string> = []
  let flag: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--log-level") {
      flag = args[++i]
      if (flag === undefined) return Either.left(new UsageError({ message: `--log-level needs a value: one of ${ACCEPTED}` }))
    } else if (arg.startsWith("--log-level=")) {
      flag = arg.slice("--log-level=".length)
    } else {
      rest.push(arg)
    }
  }
  // A bad TMDB_LOG_LEVEL is an error even when the flag overrides it: it would bite the next run.
  const fromEnv = env !== undefined && env.trim() !== "" ? levelOf("TMDB_LOG_LEVEL", env) : Either.right(LogLevel.Info)
  const level = Either.flatMap(fromEnv, (fallback) => (flag !== undefined ? levelOf("--log-level", flag) : Either.right(fallback)))
  return Either.map(level, (level) => ({ level, args: rest }))
}
