import * as path from "node:path"
import ts from "typescript"
import { describe, expect, it } from "vitest"

// What an editor shows for the services' methods: TypeScript's own documentation lookup, over the
// public API as an app imports it (index.ts), so a method without a doc comment fails here.

const root = path.resolve(import.meta.dirname, "..")
const SERVICES = ["TmdbClient", "MovieRepository", "Collector", "RateLimiter", "TmdbExports", "SharedBudget", "Coordination"]

const program = () =>
  ts.createProgram([path.join(root, "index.ts"), path.join(root, "testing.ts")], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"]
  })

const undocumented = (program: ts.Program) => {
  const checker = program.getTypeChecker()
  const index = checker.getSymbolAtLocation(program.getSourceFile(path.join(root, "index.ts"))!)!
  const missing: Array<string> = []
  for (const name of SERVICES) {
    const exported = checker.getExportsOfModule(index).find((s) => s.name === name)!
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    const declaration = target.valueDeclaration ?? target.declarations![0]!
    // The service's shape: what `yield* TmdbClient` gives (a Tag's Service type, a class's instance).
    const tag = checker.getTypeOfSymbolAtLocation(target, declaration)
    const service = checker.getTypeOfSymbol(checker.getPropertyOfType(tag, "Service")!)
    for (const member of checker.getPropertiesOfType(service)) {
      if (member.name.startsWith("_") || member.name === "settings" || member.name === "stats") continue
      if (ts.displayPartsToString(member.getDocumentationComment(checker)).trim() === "") missing.push(`${name}.${member.name}`)
    }
  }
  return missing
}

/** Doc comments of the package's exports and their members that name a source file the package does not ship. */
const unshippedLinks = (program: ts.Program) => {
  const checker = program.getTypeChecker()
  const found: Array<string> = []
  for (const entry of ["index.ts", "testing.ts"]) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(path.join(root, entry))!)!
    for (const exported of checker.getExportsOfModule(module)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const declaration = target.valueDeclaration ?? target.declarations?.[0]
      const members = declaration === undefined ? [] : checker.getPropertiesOfType(checker.getTypeOfSymbolAtLocation(target, declaration))
      for (const symbol of [target, ...members]) {
        const doc = ts.displayPartsToString(symbol.getDocumentationComment(checker))
        if (/[\w/]+\.ts\b/.test(doc)) found.push(`${exported.name}${symbol === target ? "" : `.${symbol.name}`}: ${/[\w./]+\.ts\b/.exec(doc)![0]}`)
      }
    }
  }
  return found
}

describe("the public API in an editor", () => {
  const built = program()
  it("every method of every service shows a doc comment", () => {
    expect(undocumented(built)).toEqual([])
  })

  it("no doc comment sends the reader to a source file the package does not ship", () => {
    expect(unshippedLinks(built)).toEqual([])
  })
})
