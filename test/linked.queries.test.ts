import Database from "better-sqlite3"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { WITH_PEOPLE } from "../src/kinds/Kinds.js"
import { tmpDir } from "./support/cli.js"
import { between, plain, statements } from "./support/readmeSql.js"
import { sandboxes } from "./support/sandbox.js"
import { connect, databases, requireServer } from "./support/services.js"
import { collect } from "./support/workflow.js"

// README "The film world around each movie": its questions about franchises, women directors,
// the lead's age and company groups answer on a store collected with --people, and their
// PostgreSQL forms give the same answers on the same data (the SQLite forms alone when PostgreSQL is down).

const pgUp = await requireServer("PostgreSQL", "README's questions on the linked records in PostgreSQL")
const sandbox = sandboxes()
const database = databases()
const YEARS = { startYear: 2017, endYear: 2024 }
const options = { ...YEARS, kinds: WITH_PEOPLE }
const catalogue = { catalogue: { seed: 7, ...YEARS, perYear: 20 } }

describe("README: questions on collections, companies and people", () => {
  it("each SQLite question answers with rows on a store collected with --people; each PostgreSQL form gives the same answers on the same data", async () => {
    const s = await sandbox(catalogue)
    const file = path.join(tmpDir(), "linked.sqlite")
    const pgStore = pgUp ? await database("linked_queries") : undefined
    await Promise.all([collect(s, file, options), ...(pgStore === undefined ? [] : [collect(s, pgStore.url, options)])])
    const sqlite = statements(between("linked-queries"))
    const pg = statements(between("linked-pg-queries"))
    expect(sqlite).toHaveLength(4)
    expect(pg).toHaveLength(sqlite.length)
    const db = new Database(file, { readonly: true })
    const client = pgStore === undefined ? undefined : await connect(pgStore.url)
    try {
      // A company group gathers more than one company: some parent has several.
      expect(
        db.prepare("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM companies WHERE parent_company_id IS NOT NULL GROUP BY parent_company_id)").pluck().get()
      )
        .toBeGreaterThanOrEqual(2)
      const answers = sqlite.map((q) => plain(db.prepare(q).all() as Array<Record<string, unknown>>))
      for (const [i, q] of sqlite.entries()) {
        expect(answers[i]!.length, q).toBeGreaterThan(0)
        if (client !== undefined) expect(plain((await client.query(pg[i]!)).rows), pg[i]).toEqual(answers[i])
      }
      // The share directed by women, from TMDB's own people: the directors the store credits, their gender as TMDB serves it.
      const directed = db.prepare(`SELECT substr(m.release_date, 1, 4) AS year, m.tmdb_id, d.person_id FROM movies m
        JOIN movie_crew d ON d.tmdb_id = m.tmdb_id AND d.job = 'Director' WHERE m.release_date IS NOT NULL AND m.removed_at IS NULL`)
        .all() as Array<{ year: string; tmdb_id: number; person_id: number }>
      const byYear = new Map<string, { films: Set<number>; women: Set<number> }>()
      for (const { person_id, tmdb_id, year } of directed) {
        const gender = s.personTruth(person_id)?.gender ?? null
        if (gender === null) continue
        const y = byYear.get(year) ?? { films: new Set<number>(), women: new Set<number>() }
        y.films.add(tmdb_id)
        if (gender === 1) y.women.add(tmdb_id)
        byYear.set(year, y)
      }
      const truth = [...byYear].sort(([a], [b]) => a.localeCompare(b)).map(([year, y]) => ({
        // As plain() reads the query's text year.
        year: Number(year),
        films: y.films.size,
        pct_by_women: Math.round((1000 * y.women.size) / y.films.size) / 10
      }))
      expect(answers[1]).toEqual(truth)
      expect(truth.some((t) => t.pct_by_women > 0)).toBe(true)
    } finally {
      db.close()
      await client?.end()
    }
  })
})
