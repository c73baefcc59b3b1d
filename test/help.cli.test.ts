import * as fs from "node:fs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { collectFlags } from "../scripts/Cli.js"
import { exportFlags, main as exportMain } from "../scripts/ExportCli.js"
import { type Flag, unknownFlag } from "../scripts/FlagSet.js"
import { ExitCode } from "../scripts/Outcome.js"
import { main as statusMain, statusFlags } from "../scripts/StatusCli.js"
import { root } from "./support/cli.js"
import { captured, runInProcess } from "./support/inProcess.js"

// Issue 21 §6: a `--help` worth reading, and "did you mean" for a mistyped flag, the same for
// `npm run collect`, `npm run export` and `npm run status`. The pages and refusals are each CLI's own program in
// this process: what they print does not depend on the process (test/cli.truths.test.ts runs the
// collector's through a pipe).

type Ran = Awaited<ReturnType<typeof captured>>

// Every environment variable the code reads: named in its sources as TMDB_SOMETHING.
const environment = () => {
  const names = new Set<string>()
  const walk = (dir: string): void =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).forEach((entry) => {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) return walk(file)
      if (file.endsWith(".ts")) { for (const m of fs.readFileSync(path.join(root, file), "utf8").matchAll(/\bTMDB_[A-Z_]+\b/g)) names.add(m[0]) }
    })
  for (const dir of ["src", "services", "layers", "scripts"]) walk(dir)
  return [...names]
}

interface Cli {
  readonly command: string
  readonly run: (args: ReadonlyArray<string>) => Promise<Ran>
  readonly flags: ReadonlyArray<Flag>
  readonly title: RegExp
  /** Each required flag, with what its row says after "required". */
  readonly required: Record<string, string>
  readonly environment: () => ReadonlyArray<string>
  readonly exitCodes: ReadonlyArray<number>
  /** A flag typed wrong, and the one meant. */
  readonly typo: readonly [args: ReadonlyArray<string>, typed: string, meant: string]
}

const clis: ReadonlyArray<Cli> = [{
  command: "npm run collect",
  run: (args) => runInProcess(args),
  flags: collectFlags,
  title: /^tmdb-collector 0\.3\.0: collect TMDB movies into SQLite or PostgreSQL$/,
  required: { "--start-year": " unless --all or --renormalize" },
  environment,
  exitCodes: Object.values(ExitCode),
  typo: [["--start-yaer", "2020"], "--start-yaer", "--start-year"]
}, {
  command: "npm run export",
  run: (args) => captured(exportMain(["node", "export.ts", ...args])),
  flags: exportFlags,
  title: /^tmdb-collector export 0\.3\.0: the collected store as files an analyst opens$/,
  required: { "--format": "", "--out": "" },
  environment: () => ["TMDB_DATABASE_URL"],
  exitCodes: [ExitCode.ok, ExitCode.fatal, ExitCode.usage, ExitCode.interrupted],
  typo: [["--fromat", "csv", "--out", "x"], "--fromat", "--format"]
}, {
  command: "npm run status",
  run: (args) => captured(statusMain(["node", "status.ts", ...args])),
  flags: statusFlags,
  title: /^tmdb-collector status 0\.3\.0: what the copy holds and how fresh it is$/,
  required: {},
  environment: () => ["TMDB_DATABASE_URL"],
  exitCodes: [ExitCode.ok, ExitCode.fatal, ExitCode.usage],
  typo: [["--jsn"], "--jsn", "--json"]
}]

/** The lines of a section of the page: from its heading to the next blank line. */
const section = (page: string, heading: string): Array<string> => {
  const lines = page.split("\n")
  const start = lines.indexOf(heading)
  expect(start, heading).toBeGreaterThan(0)
  return lines.slice(start + 1, lines.indexOf("", start))
}

/** Each row of the Flags section on one line, keyed by the flags it names (`-h, --help` is two). */
const rows = (page: string): Array<readonly [Array<string>, string]> =>
  section(page, "Flags:").join("\n").replace(/\n {3,}/g, " ").split("\n")
    .map((row) => [/^ {2}(-[^\s,]+(?:, -[^\s,]+)*)/.exec(row)![1]!.split(", "), row] as const)

// @effect/cli's page says these under its flags, and offers its wizard and shell completions.
const BOILERPLATE = [/This setting is optional/i, /A true or false value/i, /A user-defined piece of text/i, /One of the following/i, /wizard/i, /completion/i]

for (const cli of clis) {
  describe(`${cli.command} -- --help`, () => {
    let run: Ran
    let page: string
    let lines: Array<string>
    beforeAll(async () => {
      run = await cli.run(["--help"])
      page = run.stdout
      lines = page.trimEnd().split("\n")
    })

    it("exit 0, on stdout only, about a screen: at most 80 lines of at most 80 characters", () => {
      expect(run.code).toBe(0)
      expect(run.stderr).toBe("")
      expect(lines.length).toBeLessThanOrEqual(80)
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80)
    })

    it("one title, with the version; the usage is the command a person types", () => {
      expect(lines[0]).toMatch(cli.title)
      expect(page.match(/tmdb-collector/g)).toHaveLength(1)
      const usage = section(page, "Usage:")
      expect(usage.length).toBeGreaterThanOrEqual(1)
      for (const line of usage) expect(line).toMatch(new RegExp(`^ {2}(${cli.command} -- |node dist/collect\\.js )`))
      expect(page).not.toMatch(/\$ (collect|export)\b/)
    })

    it("one row for each flag the parser takes, with its value as the parser names it, and none other", () => {
      const named = rows(page).flatMap(([flags]) => flags)
      expect([...named].sort()).toEqual(cli.flags.map((flag) => flag.name).sort())
      expect(new Set(named).size).toBe(named.length)
      for (const flag of cli.flags.filter((f) => f.value !== undefined)) expect(page).toContain(`  ${flag.name} ${flag.value}  `)
    })

    it("required flags marked as such, and only they; a default at most once a row", () => {
      for (const [flags, row] of rows(page)) {
        const when = cli.required[flags[0]!]
        if (when === undefined) expect(row).not.toMatch(/required/)
        else expect(row).toContain(`(required${when})`)
        expect(row.match(/default:/g)?.length ?? 0, row).toBeLessThanOrEqual(1)
      }
    })

    it("no boilerplate, no wizard, no shell completions", () => {
      for (const pattern of BOILERPLATE) expect(page).not.toMatch(pattern)
    })

    it("the environment variables it reads, and NO_COLOR", () => {
      const listed = section(page, "Environment:").join("\n")
      for (const name of [...cli.environment(), "NO_COLOR"]) expect(listed, name).toMatch(new RegExp(`\\b${name}\\b`))
    })

    it("its exit codes, each once", () => {
      const codes = section(page, "Exit codes:").flatMap((line) => /^ {2}(\d+) /.exec(line)?.[1] ?? []).map(Number)
      expect(codes).toEqual(cli.exitCodes)
    })

    it("three examples, whose flags it takes", () => {
      const examples = section(page, "Examples:").join("\n").replaceAll("\\\n", " ").split("\n").filter((line) => line.includes(`${cli.command} -- `))
      expect(examples).toHaveLength(3)
      for (const line of examples) {
        const args = line.slice(line.indexOf(`${cli.command} -- `) + cli.command.length + 4).trim().split(/\s+/)
        expect(unknownFlag(args, cli.flags), line).toBeUndefined()
      }
    })
  })

  describe(`${cli.command}: an unknown flag is one line on stderr and exit 2`, () => {
    const refused = async (args: ReadonlyArray<string>) => {
      const run = await cli.run(args)
      expect(run.code, args.join(" ")).toBe(ExitCode.usage)
      expect(run.stdout, args.join(" ")).toBe("")
      return run.stderr
    }

    it(`a typo gets "did you mean": ${cli.typo[0].join(" ")}`, async () => {
      expect(await refused(cli.typo[0])).toBe(`unknown flag ${cli.typo[1]}: did you mean ${cli.typo[2]}?\n`)
    })

    it("nothing close: where the flags are listed; --wizard and --completions are unknown flags", async () => {
      for (const args of [["--frobnicate"], ["--wizard"], ["--completions", "bash"]]) {
        expect(await refused(args)).toBe(`unknown flag ${args[0]}: ${cli.command} -- --help lists the flags\n`)
      }
    })

    it("--version and --log-level anywhere still work", async () => {
      const version = await cli.run(["--version"])
      expect([version.code, version.stdout.trim()]).toEqual([0, "0.3.0"])
      expect(await refused([...cli.typo[0], "--log-level", "debug"])).toBe(`unknown flag ${cli.typo[1]}: did you mean ${cli.typo[2]}?\n`)
    })
  })
}

describe("the collector's did-you-mean", () => {
  const refused = async (args: ReadonlyArray<string>) => {
    const run = await runInProcess(args)
    expect(run.code, args.join(" ")).toBe(ExitCode.usage)
    return run.stderr
  }

  it("a prefix, one dash, another case, two flags equally close", async () => {
    expect(await refused(["--start-year", "2020", "--refresh", "5"])).toBe("unknown flag --refresh: did you mean --refresh-limit?\n")
    expect(await refused(["--start-year", "2020", "-db", "x.sqlite"])).toBe("unknown flag -db: did you mean --db?\n")
    expect(await refused(["--all", "--Jsn"])).toBe("unknown flag --Jsn: did you mean --json?\n")
    expect(await refused(["--start-year=2020", "--min", "3"])).toBe("unknown flag --min: did you mean --min-popularity or --min-vote-count?\n")
    // Not taken for --all: two edits in three letters.
    expect(await refused(["--ask"])).toBe("unknown flag --ask: npm run collect -- --help lists the flags\n")
  })

  it("a flag's value is never taken for a flag, whatever it looks like", async () => {
    expect(await refused(["--start-year", "2020", "--append", "-credits"])).toMatch(/^--append: /)
    // @effect/cli's own line for a bad value, with the blank line it ends with.
    expect(await refused(["--start-year", "--end-year"])).toMatch(/^--start-year must be an integer, got '--end-year'\n+$/)
  })
})
