import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Cause, Console, Effect, Exit, Layer, Logger, Option } from "effect"
import { type Flag, refuseUnknownFlags } from "./FlagSet.js"
import { colourFor, type HelpPage, renderHelp, wantsHelp } from "./Help.js"
import { logLevelSetting } from "./LogLevel.js"
import { exitCodeOf } from "./Outcome.js"

// What both CLIs (`npm run collect`, `npm run export`) do the same way: `--help` prints their
// page, `--log-level` works anywhere on the line, an unknown flag is one line naming the closest,
// and every failure a person can cause ends as one line on stderr and an exit code, never a trace.

export interface CliSpec<E> {
  readonly page: HelpPage
  /** Every flag the command takes, built-ins included. */
  readonly flags: ReadonlyArray<Flag>
  /** How a person asks for the page, as the line for an unknown flag names it: `npm run collect -- --help`. */
  readonly help: string
  /** @effect/cli's run of the command over `argv` (runtime, script, arguments). */
  readonly run: (argv: ReadonlyArray<string>) => Effect.Effect<void, E, NodeContext.NodeContext>
  /** One line for a failure. */
  readonly describe: (error: unknown) => string
}

// Logs go to stderr (stdout carries --json); --log-level debug or TMDB_LOG_LEVEL=debug shows
// every request and retry.
const Logging = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

/**
 * The command of `spec` over `argv` (runtime, script, arguments), with `logLevel` as its
 * environment's level (TMDB_LOG_LEVEL): its exit code. Only an interruption is left to the
 * caller (exit 130).
 */
export const cliMain = <E>(spec: CliSpec<E>, argv: ReadonlyArray<string>, logLevel: string | undefined): Effect.Effect<number> =>
  Effect.gen(function*() {
    const [runtime, script, ...rest] = argv
    const { args, level } = yield* logLevelSetting(rest, logLevel)
    const command = wantsHelp(args)
      ? Console.log(renderHelp(spec.page, colourFor(process.stdout, process.env)))
      : Effect.zipRight(refuseUnknownFlags(args, spec.flags, spec.help), spec.run([runtime!, script!, ...args]))
    yield* command.pipe(Logger.withMinimumLogLevel(level))
    // A run that ends on its own terms sets its code (3: incomplete) in process.exitCode.
    return exitCodeOf(Exit.void)
  }).pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.failCause(cause as Cause.Cause<never>) // an interruption only: no error in it
        : Effect.as(
          Option.match(Cause.failureOption(cause), {
            // @effect/cli has already printed its own parse errors.
            onSome: (e) => (ValidationError.isValidationError(e) ? Effect.void : Console.error(spec.describe(e))),
            onNone: () => Console.error(`internal error: ${spec.describe(Cause.squash(cause))}`)
          }),
          exitCodeOf(Exit.failCause(cause))
        )
    ),
    Effect.provide(Layer.merge(NodeContext.layer, Logging))
  )
