import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")

describe("README", () => {
  it("opens with the two set-up commands", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!
    expect(firstBlock).toContain("npm install && npm run demo")
    expect(firstBlock).toContain("npm test")
    expect(readme.indexOf("```sh")).toBeLessThan(200)
  })

  // test/readme.examples.test.ts runs each of them.
  it.each([["example", "example"], ["example-sqlite", "exampleSqlite"], ["example-postgres", "examplePostgres"]])(
    "embeds the %s example, which the typecheck compiles, verbatim",
    (marker, file) => {
      const embedded = new RegExp(`<!-- ${marker}:start -->\n\`\`\`ts\n([\\s\\S]*?)\`\`\`\n<!-- ${marker}:end -->`).exec(readme)?.[1]
      expect(embedded).toBe(fs.readFileSync(path.join(root, `scripts/${file}.ts`), "utf8"))
    }
  )

  it("embeds test/example.test.ts, which npm test runs, verbatim", () => {
    const embedded = /<!-- test-example:start -->\n```ts\n([\s\S]*?)```\n<!-- test-example:end -->/.exec(readme)![1]
    expect(embedded).toBe(fs.readFileSync(path.join(root, "test/example.test.ts"), "utf8"))
  })

  it(".ci/run installs from the lock file and runs the README's test command", () => {
    const ci = fs.readFileSync(path.join(root, ".ci/run"), "utf8")
    expect(ci).toMatch(/npm ci\b/)
    expect(ci).toMatch(/npm test\b/)
    expect(ci).toMatch(/npm run typecheck\b/)
  })
})
