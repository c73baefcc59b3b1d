import Database from "better-sqlite3"
import { Duration } from "effect"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { internalError, notFound } from "../sandbox/Bodies.js"
import type { Sandbox } from "../sandbox/index.js"
import { collectionKind } from "../src/kinds/Collection.js"
import { companyKind } from "../src/kinds/Company.js"
import { WITH_PEOPLE } from "../src/kinds/Kinds.js"
import { movieKind } from "../src/MovieKind.js"
import { tmpDir } from "./support/cli.js"
import { expectLinkedTruth, personFields, readLinked } from "./support/linked.js"
import { sandboxes } from "./support/sandbox.js"
import { collect, renormalize } from "./support/workflow.js"

// The film world around each movie (issue 22): the collections, companies and people the stored
// movies name, each a record of its own, fetched once, kept fresh, equal to what TMDB serves. The
// workflow runs in this process as the CLI composes it (test/support/workflow.ts).

const sandbox = sandboxes()
const YEARS = { startYear: 2019, endYear: 2020 }
// A catalogue wider than the years collected: a franchise's parts of 2018 or 2021 are not stored.
const catalogue = { catalogue: { seed: 22, startYear: 2018, endYear: 2021, perYear: 60 } }
/** Where the size of the slice does not matter: the years collected, fewer movies. */
const small = { catalogue: { seed: 22, ...YEARS, perYear: 30 } }
const requests = (s: Sandbox) => ({
  movie: s.counters.byEndpoint["movie"] ?? 0,
  collection: s.counters.byEndpoint["collection"] ?? 0,
  company: s.counters.byEndpoint["company"] ?? 0,
  person: s.counters.byEndpoint["person"] ?? 0,
  personChanges: s.counters.byEndpoint["person_changes"] ?? 0
})
const db = () => path.join(tmpDir(), "linked.sqlite")
const per = (n: number, movies: number) => (n / movies).toFixed(3)

describe("collections, companies and people as records of their own", () => {
  it("by default: every collection and company the stored movies name, each fetched once and equal to TMDB's; no person; a rerun asks for none", async () => {
    const s = await sandbox(catalogue)
    const file = db()
    const summary = await collect(s, file, YEARS)
    const stored = readLinked(file)
    const named = expectLinkedTruth(stored, s, false)
    expect(named.collections.length).toBeGreaterThan(3)
    // Some parts of a franchise are not stored movies: other years, too few votes.
    expect(stored.parts.some((p) => !stored.movies.includes(Number(p["tmdb_id"])))).toBe(true)
    const sent = requests(s)
    expect(sent).toEqual(expect.objectContaining({ collection: named.collections.length, company: named.companies.length, person: 0 }))
    expect(summary.kinds["collection"]).toEqual(expect.objectContaining({ new: named.collections.length, detailsFetched: named.collections.length }))
    expect(summary.kinds["company"]).toEqual(expect.objectContaining({ new: named.companies.length, detailsFetched: named.companies.length }))
    console.log(
      `[figure] linked, default: ${stored.movies.length} movies named ${named.collections.length} collections and ${named.companies.length} companies: ` +
        `${per(sent.collection, stored.movies.length)} + ${per(sent.company, stored.movies.length)} requests per movie`
    )
    s.resetCounters()
    const again = await collect(s, file, YEARS)
    expect(requests(s)).toEqual(expect.objectContaining({ collection: 0, company: 0, person: 0 }))
    expect(again.kinds["company"]?.detailsChosen).toBe(0)
  })

  it("--people: every person credited, each one request however many films, equal to TMDB's; a rerun asks for none", async () => {
    const s = await sandbox(catalogue)
    const file = db()
    await collect(s, file, { ...YEARS, kinds: WITH_PEOPLE })
    const stored = readLinked(file)
    const named = expectLinkedTruth(stored, s, true)
    const sent = requests(s)
    expect(sent.person).toBe(named.people.length)
    // People recur: fewer people than credits, and someone in many films.
    const credits = new Database(file, { readonly: true })
    const most = credits.prepare(`SELECT max(n) FROM (SELECT person_id, count(DISTINCT tmdb_id) AS n FROM
      (SELECT person_id, tmdb_id FROM movie_cast UNION ALL SELECT person_id, tmdb_id FROM movie_crew) GROUP BY person_id)`).pluck().get() as number
    credits.close()
    expect(most).toBeGreaterThanOrEqual(3)
    console.log(
      `[figure] linked, --people: ${stored.movies.length} movies credited ${named.people.length} people (one in ${most} films): ` +
        `${per(sent.person, stored.movies.length)} person requests per movie`
    )
    s.resetCounters()
    await collect(s, file, { ...YEARS, kinds: WITH_PEOPLE })
    expect(requests(s)).toEqual(expect.objectContaining({ collection: 0, company: 0, person: 0 }))
  })

  it("people are kept fresh through /person/changes: an edited person is fetched again, a deleted one is marked removed and kept", async () => {
    const s = await sandbox(catalogue)
    const file = db()
    await collect(s, file, { ...YEARS, kinds: WITH_PEOPLE })
    const before = readLinked(file)
    // Drawn from every person TMDB has: enough that some of those stored are among them.
    const advanced = s.advance({ editPeople: 300, deletePeople: 150 })
    const stored = new Set(before.people.keys())
    const edited = advanced.editedPeople.filter((id) => stored.has(id))
    const deleted = advanced.deletedPeople.filter((id) => stored.has(id))
    expect(edited.length).toBeGreaterThan(0)
    expect(deleted.length).toBeGreaterThan(0)
    s.resetCounters()
    const summary = await collect(s, file, { ...YEARS, kinds: WITH_PEOPLE })
    expect(summary.kinds["person"]?.changes).toEqual(expect.objectContaining({ status: "read" }))
    // Only what changed: the edited and the deleted people stored, one request each.
    expect(requests(s).person).toBe(edited.length + deleted.length)
    expect(requests(s).personChanges).toBeGreaterThan(0)
    const after = readLinked(file)
    for (const id of edited) {
      expect(personFields(after.people.get(id))).toEqual(s.personTruth(id))
    }
    for (const id of deleted) {
      expect(after.people.get(id)?.["removed_at"]).not.toBeNull()
      expect(after.people.get(id)?.["name"]).toBe(before.people.get(id)?.["name"])
    }
    expect(summary.kinds["person"]?.removed).toBe(deleted.length)
  })

  it("--renormalize rebuilds collections, their parts, companies and people from the kept bodies, with no request", async () => {
    const s = await sandbox(small)
    const file = db()
    await collect(s, file, { ...YEARS, kinds: WITH_PEOPLE })
    const scribble = new Database(file)
    scribble.exec(`UPDATE collections SET name = 'x', overview = 'x'; DELETE FROM collection_parts;
      UPDATE companies SET headquarters = 'x', parent_company_id = 1; UPDATE people SET birthday = '1900-01-01', gender = 3, also_known_as = '[]'`)
    scribble.close()
    s.resetCounters()
    const summary = await renormalize(file)
    expect(s.counters.requests).toBe(0)
    // The next run links from every movie again: a fixed rule may find a record in a rebuilt one.
    const marks = new Database(file, { readonly: true })
    expect(marks.prepare("SELECT name FROM sync_marks WHERE name LIKE '%:linked'").all()).toEqual([])
    marks.close()
    const stored = readLinked(file)
    const named = expectLinkedTruth(stored, s, true)
    expect(summary.kinds).toEqual(expect.objectContaining({
      collection: named.collections.length,
      company: named.companies.length,
      person: named.people.length
    }))
  })

  it("a request that fails is recorded with its reason and never aborts the run; the next run fetches it", async () => {
    const s = await sandbox(small)
    const file = db()
    // Movies first, without faults; then the collections and companies meet TMDB failing one request in four.
    await collect(s, file, { ...YEARS, kinds: [movieKind] })
    s.setFaults({ error500: 0.25 })
    const faulty = await collect(s, file, { ...YEARS, skipDiscovery: true }, { client: { retries: 0 } })
    const failed = readLinked(file).failures
    expect(faulty.kinds["company"]?.failed["server"]).toBeGreaterThan(0)
    expect(failed["company"]?.length).toBe(faulty.kinds["company"]?.failed["server"])
    expect(failed["company"]?.[0]).toEqual(expect.objectContaining({ kind: "server", attempts: 1 }))
    s.setFaults({ error500: 0 })
    await collect(s, file, YEARS)
    const stored = readLinked(file)
    expectLinkedTruth(stored, s, false)
    expect(stored.failures["company"]).toEqual([])
  })

  it("--all: the day's person, collection and company exports refresh every stored one's name (and a person's popularity) with no request; --include-adult reads adult_person_ids", async () => {
    const s = await sandbox({ ...small, exports: { extraPeople: 500 } })
    const file = db()
    const first = await collect(s, file, { all: true, kinds: WITH_PEOPLE })
    const person = first.kinds["person"]
    expect(person?.export).toEqual(expect.objectContaining({ lines: s.exportLines("person"), malformed: 0, new: 0 }))
    expect(person?.export?.files).toEqual([expect.stringMatching(/^person_ids_\d\d_\d\d_\d{4}\.json\.gz$/)])
    expect(first.kinds["collection"]?.export?.lines).toBe(s.exportLines("collection"))
    expect(first.kinds["company"]?.export?.lines).toBe(s.exportLines("production_company"))
    const stored = readLinked(file)
    const sent = requests(s)
    console.log(
      `[figure] linked, --all --people: ${stored.movies.length} movies; per movie ${per(sent.collection, stored.movies.length)} collection, ` +
        `${per(sent.company, stored.movies.length)} company and ${per(sent.person, stored.movies.length)} person requests`
    )
    // The 500 people of the export that no movie credits are not kept.
    expect(stored.people.size).toBe(s.linkedIds(stored.movies).people.length)
    // Names and popularity scribbled as of a day before the export: the export brings TMDB's back.
    const scribble = new Database(file)
    scribble.exec(`UPDATE collections SET name = 'x', details_fetched_at = '2000-01-01T00:00:00.000Z';
      UPDATE companies SET name = 'x', details_fetched_at = '2000-01-01T00:00:00.000Z';
      UPDATE people SET name = 'x', popularity = -1, details_fetched_at = '2000-01-01T00:00:00.000Z'`)
    scribble.close()
    s.resetCounters()
    // Read again but not refetched: a refresh limit of 0 fetches nothing.
    const second = await collect(s, file, { all: true, kinds: WITH_PEOPLE, includeAdult: true, refreshLimit: 0 })
    expect(requests(s)).toEqual(expect.objectContaining({ collection: 0, company: 0, person: 0 }))
    expect(second.kinds["person"]?.export?.files).toEqual([expect.stringMatching(/^person_ids_/), expect.stringMatching(/^adult_person_ids_/)])
    expect(second.kinds["person"]?.export?.lines).toBe(s.exportLines("person") + s.exportLines("adult_person"))
    const refreshed = readLinked(file)
    for (const [id, row] of refreshed.people) {
      expect(row["name"]).toBe(s.personTruth(id)?.name)
      expect(row["popularity"]).not.toBe(-1)
    }
    for (const [id, row] of refreshed.collections) expect(row["name"]).toBe(s.collectionTruth(id)?.name)
    for (const [id, row] of refreshed.companies) expect(row["name"]).toBe(s.companyTruth(id)?.name)
  })

  it("a failed /person/changes page keeps the person mark and makes the run incomplete; the next run reads the span again", async () => {
    const s = await sandbox(small)
    const file = db()
    await collect(s, file, { ...YEARS, kinds: WITH_PEOPLE })
    const markOf = () => {
      const marks = new Database(file, { readonly: true })
      try {
        return marks.prepare("SELECT value, updated_at FROM sync_marks WHERE name = 'person:changes'").get()
      } finally {
        marks.close()
      }
    }
    const mark = markOf()
    expect(mark).toBeDefined()
    const feed = "/3/person/changes"
    const failing = await sandbox({ ...small, routes: { api: (p) => (p === feed ? internalError() : undefined) } })
    const failed = await collect(failing, file, { ...YEARS, kinds: WITH_PEOPLE, skipDiscovery: true }, { client: { retries: 0 } })
    expect(failed.kinds["person"]?.changes?.status).toBe("failed")
    expect(failed.complete).toBe(false)
    expect(markOf()).toEqual(mark)
    const again = await collect(s, file, { ...YEARS, kinds: WITH_PEOPLE, skipDiscovery: true })
    expect(again.kinds["person"]?.changes?.status).toBe("read")
    expect(again.complete).toBe(true)
  })

  it("a collection or company TMDB answers 404 for is marked removed and kept; past the stale horizon both kinds are read again", async () => {
    const gone = new Set<string>()
    const s = await sandbox({ ...catalogue, routes: { api: (p) => (gone.has(p) ? notFound(true) : undefined) } })
    const file = db()
    await collect(s, file, YEARS)
    const before = readLinked(file)
    const [collection] = before.collections.keys()
    const [company] = before.companies.keys()
    gone.add(`/3/collection/${collection}`).add(`/3/company/${company}`)
    s.resetCounters()
    // Nothing is stale after a day: every collection and company is read again, no movie.
    const summary = await collect(s, file, { ...YEARS, staleAfter: Duration.zero, skipDiscovery: true, kinds: [collectionKind, companyKind], all: true })
    expect(requests(s)).toEqual(expect.objectContaining({ movie: 0, collection: before.collections.size, company: before.companies.size }))
    expect(summary.kinds["collection"]?.removed).toBe(1)
    expect(summary.kinds["company"]?.removed).toBe(1)
    const after = readLinked(file)
    expect(after.collections.get(collection!)?.["removed_at"]).not.toBeNull()
    expect(after.collections.get(collection!)?.["name"]).toBe(before.collections.get(collection!)?.["name"])
    expect(after.companies.get(company!)?.["removed_at"]).not.toBeNull()
  })
})
