import Database from "better-sqlite3"
import { expect } from "vitest"
import type { Sandbox } from "../../sandbox/index.js"
import { connect } from "./services.js"

// The linked records (collections, companies, people) as a store holds them, read back in the
// shape of the sandbox's truth, and compared with it: every record a stored movie names, exactly
// as TMDB serves it, each fetched once.

type Row = Record<string, unknown>

const COLUMNS = {
  collections: "collection_id, name, overview, poster_path, backdrop_path",
  companies: "company_id, name, description, headquarters, homepage, origin_country, parent_company_id, logo_path, parent_company_name",
  people: "person_id, name, also_known_as, gender, birthday, deathday, place_of_birth, known_for_department, biography, popularity, adult, " +
    "imdb_id, homepage, profile_path"
} as const

/** A stored person as the sandbox's truth says it: JSON as an array, SQLite's 0/1 flag as a boolean. */
export const personFields = (row: Row | undefined): Row | undefined => {
  if (row === undefined) return undefined
  const { details_fetched_at: _f, removed_at: _r, ...rest } = row
  return { ...rest, also_known_as: JSON.parse(String(rest["also_known_as"])), adult: rest["adult"] === null ? null : rest["adult"] === 1 }
}

/** Every linked table of a SQLite store, and which movies have details. */
export const readLinked = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    const all = (query: string) => db.prepare(query).all() as Array<Row>
    const table = (name: keyof typeof COLUMNS) =>
      new Map(all(`SELECT ${COLUMNS[name]}, details_fetched_at, removed_at FROM ${name}`).map((r) => [Number(Object.values(r)[0]), r]))
    return {
      movies: all("SELECT tmdb_id FROM movies WHERE details_fetched_at IS NOT NULL ORDER BY tmdb_id").map((r) => Number(r["tmdb_id"])),
      collections: table("collections"),
      parts: all("SELECT collection_id, tmdb_id FROM collection_parts ORDER BY collection_id, tmdb_id"),
      companies: table("companies"),
      people: table("people"),
      failures: Object.fromEntries(
        (["collection", "company", "person"] as const).map((kind) => [kind, all(`SELECT * FROM ${kind}_failures`)])
      )
    }
  } finally {
    db.close()
  }
}
export type Linked = ReturnType<typeof readLinked>

const fields = (row: Row | undefined) => {
  if (row === undefined) return undefined
  const { details_fetched_at: _f, removed_at: _r, ...rest } = row
  return rest
}

/**
 * The store holds every collection and company (and, with `people`, every person) the stored
 * movies name, each equal to the sandbox's truth, and nothing else. Returns the ids, by kind.
 */
export const expectLinkedTruth = (stored: Linked, s: Sandbox, people: boolean) => {
  const named = s.linkedIds(stored.movies)
  expect([...stored.collections.keys()].sort((a, b) => a - b)).toEqual(named.collections)
  expect([...stored.companies.keys()].sort((a, b) => a - b)).toEqual(named.companies)
  expect([...stored.people.keys()].sort((a, b) => a - b)).toEqual(people ? named.people : [])
  const parts: Array<Row> = []
  for (const id of named.collections) {
    const truth = s.collectionTruth(id)
    if (truth === undefined) continue
    const { parts: ids, ...row } = truth
    expect(fields(stored.collections.get(id)), `collection ${id}`).toEqual(row)
    parts.push(...ids.map((tmdb_id) => ({ collection_id: id, tmdb_id })))
  }
  expect(stored.parts).toEqual(parts)
  for (const id of named.companies) {
    const { parent_company_name, ...row } = fields(stored.companies.get(id))!
    const truth = s.companyTruth(id)
    expect(row, `company ${id}`).toEqual(truth)
    // The parent's name, as its own /company/{id} gives it.
    expect(parent_company_name).toBe(truth?.parent_company_id == null ? null : s.companyTruth(truth.parent_company_id)?.name)
  }
  if (people) {
    for (const id of named.people) expect(personFields(stored.people.get(id)), `person ${id}`).toEqual(s.personTruth(id))
  }
  return named
}

/** `readLinked` over PostgreSQL: the same shape, dates as text and flags as SQLite keeps them. */
export const readLinkedPg = async (url: string): Promise<Linked> => {
  const client = await connect(url)
  try {
    const all = async (query: string) => (await client.query(query)).rows as Array<Row>
    const table = async (name: keyof typeof COLUMNS) => {
      const columns = COLUMNS[name].replace(/\bbirthday\b/, "birthday::text AS birthday").replace(/\bdeathday\b/, "deathday::text AS deathday")
        .replace(/\balso_known_as\b/, "also_known_as::text AS also_known_as").replace(/\badult\b/, "CAST(adult AS int) AS adult")
      return new Map((await all(`SELECT ${columns}, details_fetched_at, removed_at FROM ${name}`)).map((r) => [Number(Object.values(r)[0]), r]))
    }
    return {
      movies: (await all("SELECT tmdb_id FROM movies WHERE details_fetched_at IS NOT NULL ORDER BY tmdb_id")).map((r) => Number(r["tmdb_id"])),
      collections: await table("collections"),
      parts: await all("SELECT collection_id, tmdb_id FROM collection_parts ORDER BY collection_id, tmdb_id"),
      companies: await table("companies"),
      people: await table("people"),
      failures: Object.fromEntries(
        await Promise.all((["collection", "company", "person"] as const).map(async (kind) => [kind, await all(`SELECT * FROM ${kind}_failures`)] as const))
      )
    }
  } finally {
    await client.end()
  }
}
