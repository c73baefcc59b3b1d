import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { targetOf, validate } from "./Checks.js"
import { cliMain } from "./CliMain.js"
import { app, collectPage } from "./CollectHelp.js"
import { options, type Parsed } from "./Flags.js"
import { BUILT_INS, flagsOf } from "./FlagSet.js"
import { describeFailure, UsageError } from "./Outcome.js"

// The run's modules (HTTP, SQL, the services) load only once the flags are valid, so `--help`
// and a usage error start without them (BENCHMARKS.md, memory: start-up).
const loadRun = Effect.promise(() => import("./Run.js"))
const collect = (a: Parsed) =>
  a.renormalize && a.watch
    ? Effect.fail(new UsageError({ message: "--renormalize rebuilds the store once, offline: drop --watch" }))
    : a.renormalize
    ? Effect.flatMap(targetOf(a.db), (target) => Effect.flatMap(loadRun, (run) => run.renormalize(a, target)))
    : Effect.flatMap(validate(a), (checked) => Effect.flatMap(loadRun, (run) => run.collect(a, checked)))

const collectCommand = Command.make("collect", options, collect)

/** Every flag the collector takes: its own, then the built-ins it keeps. */
export const collectFlags = [...flagsOf(Options.all(options)), ...BUILT_INS]

/**
 * The CLI over `argv` (runtime, script, arguments), with `logLevel` as TMDB_LOG_LEVEL: its exit
 * code. `--help` prints the page of ./CollectHelp.ts; an unknown flag, and every failure a person
 * can cause, is one line on stderr (Console), never a trace; only an interruption is left to the
 * caller (exit 130).
 */
export const main = (argv: ReadonlyArray<string>, logLevel: string | undefined): Effect.Effect<number> =>
  cliMain(
    {
      page: collectPage,
      flags: collectFlags,
      help: "npm run collect -- --help",
      run: Command.run(collectCommand, app),
      describe: describeFailure
    },
    argv,
    logLevel
  )
