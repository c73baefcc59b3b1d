import { AutoCorrect, CliConfig, Options, type Usage } from "@effect/cli"
import { Effect, Option } from "effect"
import { UsageError } from "./Outcome.js"

// The flags a command accepts, read from its parser (the usage @effect/cli derives from its
// options), so the help and the check below cannot drift from what is parsed; and the refusal
// of any other flag before @effect/cli sees it: one line, exit 2, with the closest flag when one
// is close. @effect/cli's own "did you mean" never fires for optional flags: it answers
// "Received unknown argument", and it would start `--wizard` or print `--completions`, which
// this CLI does not offer.

/** A flag as typed: its name (`--start-year`) and, if it takes one, its value's name (`YEAR`). */
export interface Flag {
  readonly name: string
  readonly value: string | undefined
}

const named = (usage: Usage.Usage): Array<Flag> => {
  switch (usage._tag) {
    case "Named":
      return usage.names.map((name) => ({ name, value: Option.getOrUndefined(usage.acceptedValues) }))
    case "Optional":
    case "Repeated":
      return named(usage.usage)
    case "Alternation":
    case "Concat":
      return [...named(usage.left), ...named(usage.right)]
    default:
      return []
  }
}

/** The flags `option` parses, in order. */
export const flagsOf = <A>(option: Options.Options<A>): ReadonlyArray<Flag> => named(Options.getUsage(option))

/** @effect/cli's built-in flags that this CLI keeps: `--log-level` (read in ./LogLevel.ts), `--version`, `--help`. */
export const BUILT_INS: ReadonlyArray<Flag> = [
  { name: "--log-level", value: "LEVEL" },
  { name: "--version", value: undefined },
  { name: "--help", value: undefined },
  { name: "-h", value: undefined }
]

// What @effect/cli takes for a flag: a dash, then a letter (`-1` is a value).
const FLAG = /^--?[a-z]/i

/**
 * The first argument that looks like a flag and is none of `flags` (as typed, without any
 * `=value`), or undefined. A flag's value is skipped whatever it looks like, as @effect/cli
 * takes the next argument for it; names match without regard to case, as in @effect/cli.
 */
export const unknownFlag = (args: ReadonlyArray<string>, flags: ReadonlyArray<Flag>): string | undefined => {
  const known = new Map(flags.map((flag) => [flag.name.toLowerCase(), flag]))
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!FLAG.test(arg)) continue
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1
    const typed = equals > 0 ? arg.slice(0, equals) : arg
    const flag = known.get(typed.toLowerCase())
    if (flag === undefined) return typed
    if (flag.value !== undefined && equals < 0) i++
  }
  return undefined
}

const distance = (a: string, b: string) => AutoCorrect.levensteinDistance(a, b, CliConfig.defaultConfig)

/**
 * The flags closest to `typed`: at most 2 edits away and no more than a third of the flag's
 * name (so `--ask` is not taken for `--all`), or names it begins with (`--refresh`); the nearest
 * ones only. Dashes are not counted: `-db` is `--db`.
 */
const closestFlags = (typed: string, flags: ReadonlyArray<Flag>): ReadonlyArray<string> => {
  const bare = typed.replace(/^-+/, "").toLowerCase()
  const scored = flags.filter((flag) => flag.name.startsWith("--")).flatMap((flag) => {
    const name = flag.name.slice(2)
    const d = distance(bare, name)
    if (d <= 2 && d * 3 <= name.length) return [{ name: flag.name, d }]
    return bare.length >= 3 && name.startsWith(bare) ? [{ name: flag.name, d: 3 }] : []
  })
  const best = Math.min(...scored.map((s) => s.d))
  return scored.filter((s) => s.d === best).map((s) => s.name)
}

/**
 * Fails with one line when an argument is a flag that is not among `flags`: the closest flags
 * when there are any, else where the flags are listed (`help`, e.g. `npm run collect -- --help`).
 */
export const refuseUnknownFlags = (args: ReadonlyArray<string>, flags: ReadonlyArray<Flag>, help: string): Effect.Effect<void, UsageError> => {
  const typed = unknownFlag(args, flags)
  if (typed === undefined) return Effect.void
  const close = closestFlags(typed, flags)
  const message = close.length > 0 ? `unknown flag ${typed}: did you mean ${close.join(" or ")}?` : `unknown flag ${typed}: ${help} lists the flags`
  return Effect.fail(new UsageError({ message }))
}
