import { CliConfig, Command, HelpDoc, Usage } from "@effect/cli"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Doc from "@effect/printer/Doc"

// Numeric flags are text options parsed by the CLI itself, so a bad value names its flag; to
// @effect/cli they are text, which its help describes as this. Their own descriptions say more.
const TEXT_PRIMITIVE = "A user-defined piece of text."

const withoutTextPrimitive = (doc: HelpDoc.HelpDoc): HelpDoc.HelpDoc => {
  switch (doc._tag) {
    case "Sequence":
      return HelpDoc.sequence(withoutTextPrimitive(doc.left), withoutTextPrimitive(doc.right))
    case "DescriptionList": {
      const [first, ...rest] = doc.definitions.map(([span, block]) => [span, withoutTextPrimitive(block)] as [Span.Span, HelpDoc.HelpDoc])
      return HelpDoc.descriptionList([first!, ...rest])
    }
    case "Paragraph":
      return Span.isText(doc.value) && doc.value.value === TEXT_PRIMITIVE ? HelpDoc.empty : doc
    default:
      return doc
  }
}

/** `--help` and `-h`, which @effect/cli accepts anywhere on the line. */
export const wantsHelp = (args: ReadonlyArray<string>): boolean => args.some((a) => a === "--help" || a === "-h")

/**
 * The page @effect/cli prints for `--help` (banner, usage, description, options, built-ins),
 * without the text primitive's line, and without colour unless `ansi` (a terminal, no NO_COLOR).
 */
export const helpText = <Name extends string, R, E, A>(
  command: Command.Command<Name, R, E, A>,
  app: { readonly name: string; readonly version: string },
  ansi: boolean
): string => {
  const config = CliConfig.defaultConfig
  const usage = Usage.enumerate(Command.getUsage(command), config).map((span) => HelpDoc.p(Span.concat(Span.text("$ "), span)))
  const page = HelpDoc.blocks([
    HelpDoc.h1(Span.code(app.name)),
    HelpDoc.p(`${app.name} ${app.version}`),
    HelpDoc.h1("USAGE"),
    ...usage,
    withoutTextPrimitive(Command.getHelp(command, config))
  ])
  return ansi ? HelpDoc.toAnsiText(page) : Doc.render(HelpDoc.toAnsiDoc(page), { style: "pretty" })
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export const colourFor = (stream: { readonly isTTY?: boolean | undefined }, env: Record<string, string | undefined>): boolean =>
  stream.isTTY === true && (env["NO_COLOR"] ?? "") === ""
