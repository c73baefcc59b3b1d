import * as fs from "node:fs"
import * as path from "node:path"
import { root } from "./cli.js"

// README's SQL blocks, as the tests that run them read them: a block between its markers, its
// statements, and rows compared across drivers.

const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")

/** The code block between `<!-- name:start -->` and `<!-- name:end -->`. */
export const between = (name: string) => new RegExp(`<!-- ${name}:start -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(readme)![1]!

/** A block's statements, comments left out. */
export const statements = (sql: string) => sql.split(/;\s*(?:\n|$)/).map((q) => q.replace(/^--.*$/gm, "").trim()).filter((q) => q !== "")

/** Numbers as numbers, whichever type the driver gave (PostgreSQL's numeric and bigint come as text). */
export const plain = (rows: Array<Record<string, unknown>>) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])))
