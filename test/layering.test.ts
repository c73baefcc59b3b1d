import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

// The house is read bottom up: the domain (src/), the services, the layers that compose them,
// then the entry points (index.ts, testing.ts, scripts/). A file imports only from its own
// level or below. The sandbox is TMDB's stand-in and the ground truth the tests compare with,
// so it shares no code with what it checks.

const root = path.resolve(import.meta.dirname, "..")
const LEVEL: Record<string, number> = { src: 0, services: 1, layers: 2, "index.ts": 3, "testing.ts": 3, scripts: 3, bench: 3 }

const filesUnder = (dir: string): Array<string> =>
  fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []
  )

const importsOf = (file: string): Array<string> => {
  const text = fs.readFileSync(path.join(root, file), "utf8")
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^"'`;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)]
    .map((m) => (m[1] ?? m[2]) as string)
}

/** The top folder (or root file) a relative import lands in. */
const topOf = (file: string, spec: string): string => {
  const target = path.relative(root, path.resolve(root, path.dirname(file), spec))
  return (target.split(path.sep)[0] as string).replace(/\.js$/, ".ts")
}

const sources = [
  ...["src", "services", "layers", "scripts", "bench", "sandbox"].flatMap(filesUnder),
  ...["index.ts", "testing.ts"].filter((f) => fs.existsSync(path.join(root, f)))
]

/** The project's own files `file` imports, statically or dynamically. */
const edgesOf = (file: string, known: ReadonlySet<string>): Array<string> =>
  importsOf(file).filter((spec) => spec.startsWith(".")).map((spec) =>
    path.relative(root, path.resolve(root, path.dirname(file), spec)).replace(/\.js$/, ".ts")
  ).filter((target) => known.has(target))

/** Every import circle of a graph, as its members (Tarjan's strongly connected components). */
const circles = (edges: ReadonlyMap<string, ReadonlyArray<string>>): Array<Array<string>> => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const found: Array<Array<string>> = []
  const visit = (v: string) => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const members: Array<string> = []
    let w: string
    do {
      w = stack.pop()!
      members.push(w)
    } while (w !== v)
    if (members.length > 1 || edges.get(v)!.includes(v)) found.push(members.sort())
  }
  for (const f of edges.keys()) if (!index.has(f)) visit(f)
  return found
}

describe("layering", () => {
  it("every import points to its own level or below; the sandbox imports nothing of the project", () => {
    const upward: Array<string> = []
    for (const file of sources) {
      const top = file.split(path.sep)[0] as string
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) continue
        const target = topOf(file, spec)
        if (top === "sandbox") {
          if (target !== "sandbox") upward.push(`${file} -> ${spec}`)
          continue
        }
        // The demo, `npm run sandbox` and the benchmarks start it.
        if (target === "sandbox" && (top === "scripts" || top === "bench")) continue
        const from = LEVEL[top]
        const to = LEVEL[target]
        if (from === undefined || to === undefined || to > from) upward.push(`${file} -> ${spec}`)
      }
    }
    expect(upward).toEqual([])
    // The check reads real imports: the collector service does depend on the repository.
    expect(importsOf("services/Collector.ts")).toContain("./MovieRepository.js")
  })

  it("no import circle in any folder: scripts/, bench/ and test/ included", () => {
    const everything = new Set([...sources, ...filesUnder("test")])
    expect(circles(new Map([...everything].map((f) => [f, edgesOf(f, everything)])))).toEqual([])
    // The check reads real imports, and finds a circle however long.
    expect(edgesOf("services/Collector.ts", everything)).toContain("services/MovieRepository.ts")
    expect(circles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]))).toEqual([["a", "b", "c"]])
  })

  it("no file imports the @effect/platform or @effect/platform-node package index (it loads the Swagger UI bundles)", () => {
    const offenders = [...sources, ...filesUnder("test"), ...filesUnder("bench")]
      .flatMap((file) => importsOf(file).filter((s) => s === "@effect/platform" || s === "@effect/platform-node").map((s) => `${file}: ${s}`))
    expect(offenders).toEqual([])
  })
})
