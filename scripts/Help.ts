import type { Options } from "@effect/cli"
import { type Flag, flagsOf } from "./FlagSet.js"

// The `--help` pages of the CLIs (`npm run collect`, `npm run export`), written here rather than
// by @effect/cli, whose page prints its title twice, calls every flag "optional" (23 times) and
// offers its wizard and shell completions. One row a flag, each default once, then the
// environment, the exit codes and examples: about a screen.

/** What one flag does: `required` when it must be given ("" always, else "unless ..."), `default` what it is when not. */
export interface FlagHelp {
  readonly text: string
  readonly required?: string
  readonly default?: string
}

/** A help page; `flags` are rows as typed (`--start-year YEAR`), the built-ins added last. */
export interface HelpPage {
  /** The first line: name, version and what the command does. */
  readonly title: string
  /** A paragraph under the title. */
  readonly about: string
  /** Command lines, as a person types them. */
  readonly usage: ReadonlyArray<string>
  readonly flags: ReadonlyArray<readonly [string, FlagHelp]>
  readonly environment: ReadonlyArray<readonly [string, string]>
  readonly exitCodes: ReadonlyArray<readonly [number, string]>
  readonly examples: ReadonlyArray<string>
}

const asTyped = (flag: Flag) => (flag.value === undefined ? flag.name : `${flag.name} ${flag.value}`)

/**
 * The rows of a command's flags, in the order of `help`: each flag's name and value as its
 * parser has them, so a row cannot name a flag that is not parsed.
 */
export const flagRows = <K extends string>(
  options: { readonly [key in K]: Options.Options<unknown> },
  help: { readonly [key in K]: FlagHelp }
): ReadonlyArray<readonly [string, FlagHelp]> =>
  (Object.keys(help) as Array<K>).map((key) => [flagsOf(options[key]).map(asTyped).join(", "), help[key]] as const)

/** The built-in flags both CLIs keep (./FlagSet.ts BUILT_INS), as rows. */
const builtInRows: ReadonlyArray<readonly [string, FlagHelp]> = [
  ["--log-level LEVEL", { text: "all, trace, debug, info, warning, error, fatal or none", default: "info" }],
  ["--version", { text: "print the version" }],
  ["-h, --help", { text: "print this help" }]
]

const WIDTH = 80

// Words to lines of at most `width` characters (a longer word stands alone).
const wrap = (text: string, width: number): Array<string> =>
  text.split(" ").reduce<Array<string>>((lines, word) => {
    const last = lines.at(-1)
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`
    else lines.push(word)
    return lines
  }, [])

// "(default: X)" kept on one line when it fits in one.
const keepDefault = (text: string, width: number) =>
  text.replace(/\(default: [^)]*\)/g, (unit) => (unit.length <= width ? unit.replaceAll(" ", "\u00a0") : unit))

// Two columns: the name, then the text wrapped under itself (under the name when the name is wide).
const table = (rows: ReadonlyArray<readonly [string, string]>, widest = 24): Array<string> => {
  const column = Math.min(widest, Math.max(...rows.map(([name]) => name.length))) + 4
  return rows.flatMap(([name, text]) => {
    const lines = wrap(keepDefault(text, WIDTH - column), WIDTH - column).map((line) => line.replaceAll("\u00a0", " "))
    const first = name.length + 4 <= column ? [`  ${name.padEnd(column - 2)}${lines.shift() ?? ""}`] : [`  ${name}`]
    return [...first, ...lines.map((line) => `${" ".repeat(column)}${line}`)]
  })
}

const describe = (help: FlagHelp) =>
  [
    help.text,
    help.required === undefined ? "" : ` (required${help.required === "" ? "" : ` ${help.required}`})`,
    help.default === undefined ? "" : ` (default: ${help.default})`
  ].join("")

/** The page as text; headings in bold when `ansi`. */
export const renderHelp = (page: HelpPage, ansi: boolean): string => {
  const heading = (text: string) => (ansi ? `\x1b[1m${text}\x1b[0m` : text)
  const section = (title: string, lines: ReadonlyArray<string>) => ["", heading(title), ...lines]
  return [
    page.title,
    "",
    ...wrap(page.about, WIDTH),
    ...section("Usage:", page.usage.map((line) => `  ${line}`)),
    ...section("Flags:", table([...page.flags, ...builtInRows].map(([name, help]) => [name, describe(help)]))),
    ...section("Environment:", table(page.environment)),
    ...section("Exit codes:", table(page.exitCodes.map(([code, text]) => [String(code), text]))),
    ...section("Examples:", page.examples.map((line) => `  ${line}`))
  ].join("\n")
}

/** `--help` and `-h`, which @effect/cli accepts anywhere on the line. */
export const wantsHelp = (args: ReadonlyArray<string>): boolean => args.some((a) => a === "--help" || a === "-h")

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export const colourFor = (stream: { readonly isTTY?: boolean | undefined }, env: Record<string, string | undefined>): boolean =>
  stream.isTTY === true && (env["NO_COLOR"] ?? "") === ""
