import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEMO } from "../sandbox/Demo.js"
import { type Sandbox, startSandbox } from "../sandbox/index.js"
import { root, tmpDir } from "./support/cli.js"
import { collect } from "./support/workflow.js"

// Issue 21, point 4: the demo's data reads like TMDB's. The demo's own catalogue (sandbox/Demo.ts,
// what `npm run demo` collects) goes through the collector in this process into SQLite, and
// README's queries are asked of it, as an analyst would. Each check is a function of what a
// query returns, so the second block can show it failing on what the issue saw.

type Row = Record<string, unknown>

/** The SQLite queries of README's queries block, as test/cli.truths.test.ts reads them. */
const readmeQueries = (): Array<string> => {
  const block = /<!-- queries:start -->\n```sql\n([\s\S]*?)```\n<!-- queries:end -->/.exec(fs.readFileSync(path.join(root, "README.md"), "utf8"))
  return block![1]!.split(/;\s*(?:\n|$)/).map((q) => q.replace(/^--.*$/gm, "").trim()).filter((q) => q !== "")
}

const MPAA = ["G", "PG", "PG-13", "R", "NC-17"]

/** What is wrong with the answers, one line each; empty when they read like TMDB's. */
const checks = {
  directors: (rows: Array<Row>) =>
    rows.length === 10 && rows.every((r) => Number(r.movies) > 1) ? [] : [`directors' counts: ${rows.map((r) => `${r.director} ${r.movies}`).join(", ")}`],
  medians: (rows: Array<Row>) =>
    rows.length > 0 && rows.every((r) => Number(r.median_budget_musd) >= 10 && Number(r.median_budget_musd) <= 60)
      ? []
      : [`median budgets ($M): ${rows.map((r) => `${r.year} ${r.median_budget_musd}`).join(", ")}`],
  /** `order`: every genre, most common first. */
  genres: (order: Array<string>) => {
    const tv = order.indexOf("TV Movie")
    return ["Drama", "Comedy"].includes(order[0] ?? "") && (tv === -1 || tv >= order.length - 4) ? [] : [`genre order: ${order.join(", ")}`]
  },
  certifications: (us: Array<string>) => us.length >= 3 && us.every((c) => MPAA.includes(c)) ? [] : [`US certifications: ${us.join(", ")}`],
  /**
   * `collections`: each collection's titles by release date. The first movie, when it is there
   * (the sequels are titled after it), is the earliest.
   */
  collections: (collections: Array<Array<string>>) => {
    const firstIsEarliest = collections.every((titles) => {
      const first = titles.find((t) => titles.every((other) => other.startsWith(t)))
      return first === undefined || first === titles[0]
    })
    return collections.some((c) => c.length >= 3) && firstIsEarliest ? [] : [`collections: ${JSON.stringify(collections.slice(0, 5))}`]
  },
  companies: (names: Array<string>) => names.length > 5 && names.every((n) => !/[@\\]/.test(n)) ? [] : [`companies: ${names.join(", ")}`]
}

describe("the demo's data", () => {
  let s: Sandbox
  let db: Database.Database
  const [genres, medians, , , directors] = readmeQueries()
  const all = (sql: string) => db.prepare(sql).all() as Array<Row>
  const column = (sql: string) => db.prepare(sql).pluck().all() as Array<string>

  beforeAll(async () => {
    s = await startSandbox({ catalogue: DEMO.catalogue, deletedFraction: DEMO.deletedFraction })
    const file = path.join(tmpDir(), "demo.sqlite")
    expect((await collect(s, file, { startYear: DEMO.startYear, endYear: DEMO.endYear })).complete).toBe(true)
    db = new Database(file, { readonly: true })
  })
  afterAll(async () => {
    db.close()
    await s.close()
  })

  it("has directors with careers: README's director query counts more than one movie for each of its ten", () => {
    expect(checks.directors(all(directors!))).toEqual([])
    // One person id, one name, in cast and crew alike.
    const twoNames = column(`SELECT person_id FROM (SELECT person_id, name FROM movie_cast UNION SELECT person_id, name FROM movie_crew)
      GROUP BY person_id HAVING COUNT(*) > 1`)
    expect(twoNames).toEqual([])
  })

  it("has budgets with a median in the tens of millions, a long tail, and many unknown", () => {
    expect(checks.medians(all(medians!))).toEqual([])
    const { known, unknown, top, median } = db.prepare(`SELECT COUNT(budget) AS known, COUNT(*) - COUNT(budget) AS unknown,
      MAX(budget) AS top, (SELECT budget FROM movies WHERE budget IS NOT NULL ORDER BY budget LIMIT 1 OFFSET (SELECT COUNT(budget) / 2 FROM movies)) AS median
      FROM movies`).get() as { known: number; unknown: number; top: number; median: number }
    expect(top).toBeGreaterThan(5 * median)
    expect(unknown).toBeGreaterThan(known / 4)
  })

  it("has TMDB's genre mix: README's genre query puts Drama or Comedy first, and TV Movie is among the rarest", () => {
    expect(["Drama", "Comedy"]).toContain(all(genres!)[0]?.genre)
    expect(checks.genres(column("SELECT name FROM movie_genres GROUP BY genre_id, name ORDER BY COUNT(*) DESC, name"))).toEqual([])
  })

  it("has US certifications from the MPA's list only", () => {
    expect(checks.certifications(column("SELECT DISTINCT certification FROM movie_release_dates WHERE country = 'US' AND certification IS NOT NULL")))
      .toEqual([])
  })

  it("has collections of several movies, each sequel released after the first and named after it", () => {
    const rows = all("SELECT collection_id, title FROM movies WHERE collection_id IS NOT NULL ORDER BY collection_id, release_date")
    const byCollection = new Map<unknown, Array<string>>()
    for (const r of rows) byCollection.set(r.collection_id, [...(byCollection.get(r.collection_id) ?? []), String(r.title)])
    expect(checks.collections([...byCollection.values()].filter((titles) => titles.length > 1))).toEqual([])
  })

  it("has studios' names, not test strings", () => {
    expect(checks.companies(column("SELECT DISTINCT name FROM movie_companies"))).toEqual([])
  })
})

describe("the checks, on what the issue saw", () => {
  it("each one fails on the data issue 21 describes", () => {
    const swinton = Array.from({ length: 10 }, () => ({ director: "Tilda Swinton", movies: 1 }))
    expect(checks.directors(swinton)).toHaveLength(1)
    expect(checks.medians([{ year: "2022", median_budget_musd: 163.9 }, { year: "2023", median_budget_musd: 139.2 }])).toHaveLength(1)
    expect(checks.genres(["TV Movie", "Drama", "Western", "Comedy", "War"])).toHaveLength(1)
    expect(checks.genres(["Drama", "Comedy", "TV Movie", "Action", "Thriller", "Crime", "War", "Western"])).toHaveLength(1)
    expect(checks.certifications(["PG", "PG-13", "R", "12", "16"])).toHaveLength(1)
    expect(checks.collections([["The Last Harbor"], ["Silent Orbit"]])).toHaveLength(1)
    expect(checks.collections([["Crimson Empire 2", "Crimson Empire", "Crimson Empire 3"]])).toHaveLength(1)
    expect(checks.companies(["Universal Pictures", "A24", "Canal+", "Shochiku", "Taurus Film", "Ciné-@ \"Quote\" Films"])).toHaveLength(1)
  })
})
