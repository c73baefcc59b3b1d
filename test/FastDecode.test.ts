import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import fc from "fast-check"
import * as fs from "node:fs"
import * as path from "node:path"
import { withAppends } from "../sandbox/Appends.js"
import { generateCatalogue } from "../sandbox/index.js"
import { fastDecoder } from "../src/FastDecode.js"
import { CollectionFromWire } from "../src/kinds/Collection.js"
import { CompanyFromWire } from "../src/kinds/Company.js"
import { PersonFromWire } from "../src/kinds/Person.js"
import { ChangesPageWire, DiscoveredMovieFromWire, DiscoverPageWire, MovieDetailsFromWire } from "../src/Movie.js"

// The fast decoder may only ever give Schema's own answers: the same success, key order included,
// or Schema's failure. Every wire schema the collector decodes must be covered, or it gains nothing.

const SCHEMAS = {
  details: MovieDetailsFromWire,
  discovered: DiscoveredMovieFromWire,
  page: DiscoverPageWire,
  changes: ChangesPageWire,
  collection: CollectionFromWire,
  company: CompanyFromWire,
  person: PersonFromWire
} as const

const pairs = Object.entries(SCHEMAS).map(([name, schema]) => ({
  name,
  fast: fastDecoder(schema as Schema.Schema<unknown, unknown>),
  slow: Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown>)
}))

const sameAnswer = (pair: (typeof pairs)[number], input: unknown) => {
  const fast = pair.fast(input)
  const slow = pair.slow(input)
  expect(fast._tag, pair.name).toBe(slow._tag)
  if (Either.isRight(fast) && Either.isRight(slow)) {
    expect(fast.right).toStrictEqual(slow.right)
    expect(JSON.stringify(fast.right)).toBe(JSON.stringify(slow.right))
  }
  return Either.isRight(slow)
}

const fixturesDir = path.resolve(import.meta.dirname, "../sandbox/fixtures")
const fixtures = fs.readdirSync(fixturesDir).filter((f) => f.endsWith(".json")).map((f) =>
  JSON.parse(fs.readFileSync(path.join(fixturesDir, f), "utf8")) as unknown
)

describe("fastDecoder", () => {
  it("covers every wire schema the collector decodes", () => {
    for (const pair of pairs) expect(pair.fast.covered, pair.name).toBe(true)
    // A schema with a part it does not cover still answers, through Schema.
    const dated = fastDecoder(Schema.Struct({ at: Schema.Date }))
    expect(dated.covered).toBe(false)
    expect(Either.isRight(dated({ at: "2024-01-01" }))).toBe(true)
  })

  it("gives Schema's answer for every recorded fixture, and each of its discover items", () => {
    let successes = 0
    for (const body of fixtures) {
      for (const pair of pairs) if (sameAnswer(pair, body)) successes++
      const results = (body as { results?: unknown }).results
      if (Array.isArray(results)) { for (const item of results) for (const pair of pairs) sameAnswer(pair, item) }
    }
    // Fight Club and its kin decode as details, the discover pages as pages, and so on.
    expect(successes).toBeGreaterThanOrEqual(12)
    // Schema sees only what it refuses: the fast path decodes every success itself.
    for (const body of fixtures) {
      for (const pair of pairs) {
        const before = pair.fast.toSchema()
        if (Either.isRight(pair.slow(body))) {
          pair.fast(body)
          expect(pair.fast.toSchema(), `${pair.name} went to Schema`).toBe(before)
        }
      }
    }
  })

  it("gives Schema's answer for 300 sandbox movies with every typed append", () => {
    const movies = generateCatalogue({ seed: 11, startYear: 2015, endYear: 2017, perYear: 100, includeFixtures: false })
    const details = pairs.find((p) => p.name === "details")!
    const before = details.fast.toSchema()
    for (const m of movies) {
      expect(sameAnswer(details, withAppends(m, ["credits", "keywords", "release_dates", "external_ids"]))).toBe(true)
    }
    // Every one was decoded by the fast path itself, not handed to Schema.
    expect(details.fast.toSchema() - before).toBe(0)
  })

  it("gives Schema's answer for real bodies with fields replaced by garbage, removed or nested wrong (fast-check)", () => {
    const body = fixtures.find((f) => (f as { id?: unknown }).id === 550 && "credits" in (f as object)) ??
      withAppends(generateCatalogue({ seed: 3, startYear: 2010, endYear: 2010, perYear: 1, includeFixtures: false })[0]!, [
        "credits",
        "keywords",
        "release_dates",
        "external_ids"
      ])
    // DELETE removes the key: a missing key takes other paths (optional, defaults) than undefined.
    const DELETE = Symbol("delete")
    const garbage = fc.oneof(
      fc.constantFrom(DELETE, null, undefined, "", 0, -1, 1.5, Number.NaN, "2020-13-45", "12", true, [], {}),
      fc.anything({ maxDepth: 3 })
    )
    const put = (target: Record<string, unknown>, key: string, value: unknown) => {
      if (value === DELETE) delete target[key]
      else target[key] = value
    }
    // A path into the body: a key, then maybe an index into a list, then maybe a key of that item.
    const record = body as Record<string, unknown>
    const keys = Object.keys(record)
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...keys), fc.nat(40), fc.string({ maxLength: 12 }), garbage), { maxLength: 4 }), (edits) => {
        const copy = structuredClone(record)
        for (const [key, index, inner, value] of edits) {
          const at = copy[key]
          const list = Array.isArray(at) ? at : at !== null && typeof at === "object" ? Object.values(at).find(Array.isArray) : undefined
          const item = list?.[index % Math.max(1, list.length)]
          if (item !== null && typeof item === "object" && inner !== "") {
            const itemKeys = Object.keys(item)
            put(item as Record<string, unknown>, itemKeys[inner.length % itemKeys.length] ?? inner, value)
          } else put(copy, key, value)
        }
        for (const pair of pairs) sameAnswer(pair, copy)
      }),
      { numRuns: 400, seed: 24 }
    )
  })
})
