import type { Rng } from "../sandbox/Random.js"
import { collectionIdOf, collectionName, companyName, countryOf, isoDay, type linkedCounts, NOW, path, personName, words } from "./exportRows.js"

// The export benchmark's linked records (collections, companies, people: src/schema/Linked.ts)
// and the history of issue 23, beside the movies of ./exportRows.ts, with TMDB's unknowns as NULL.

type Value = string | number | null
type Add = (row: ReadonlyArray<Value>) => void

const instant = (r: Rng, days: number) => new Date(NOW - Math.floor(r() * days * 86_400_000)).toISOString()

/** 1 to 5 observations a movie, popularity drifting and votes growing (the history of issue 23). */
export const historyOf = (r: Rng, tmdbId: number, add: Add) => {
  let popularity = Math.exp(r() * 4)
  let votes = Math.floor(r() * 500)
  let day = 30
  for (let k = 0, n = 1 + Math.floor(r() * 5); k < n; k++) {
    add([
      tmdbId,
      new Date(NOW - day * 86_400_000).toISOString(),
      Math.round(popularity * 1000) / 1000,
      votes,
      Math.round(r() * 100) / 10,
      k === 0 ? "details" : r() < 0.7 ? "discover" : "export"
    ])
    popularity *= 0.8 + r() * 0.4
    votes += Math.floor(r() * 20)
    day -= 1 + Math.floor(r() * 7)
  }
}

/** The records the movies name: collections, companies and people, with TMDB's unknowns as NULL. */
export const fillLinked = (
  r: Rng,
  counts: ReturnType<typeof linkedCounts>,
  open: (table: string, columns: ReadonlyArray<string>) => { add: Add }
) => {
  const sync =
    () => [r() < 0.97 ? instant(r, 30) : null, r() < 0.005 ? instant(r, 20) : null, r() < 0.9 ? isoDay(NOW) : null, r() < 0.95 ? null : instant(r, 3)]
  const SYNC = ["details_fetched_at", "removed_at", "exported_on", "changed_at"]
  const collections = open("collections", ["collection_id", "name", "overview", "poster_path", "backdrop_path", ...SYNC])
  for (let c = 1; c <= counts.collections; c++) {
    const id = collectionIdOf(c)
    collections.add([id, collectionName(id), r() < 0.3 ? null : `${words(r, 25)}.`, r() < 0.1 ? null : path(r), r() < 0.3 ? null : path(r), ...sync()])
  }
  const companies = open("companies", [
    "company_id",
    "name",
    "description",
    "headquarters",
    "homepage",
    "origin_country",
    "parent_company_id",
    "parent_company_name",
    "logo_path",
    ...SYNC
  ])
  for (let id = 1; id <= counts.companies; id++) {
    const parent = r() < 0.05 ? 1 + Math.floor(r() * Math.min(id, 1_000)) : null
    companies.add([
      id,
      companyName(id),
      r() < 0.7 ? null : `${words(r, 15)}.`,
      r() < 0.6 ? null : `${words(r, 2)}, ${countryOf(id)}`,
      r() < 0.7 ? null : `https://www.example.com/company/${id}`,
      r() < 0.1 ? null : countryOf(id),
      parent,
      parent === null ? null : companyName(parent),
      r() < 0.6 ? null : path(r),
      ...sync()
    ])
  }
  const people = open("people", [
    "person_id",
    "name",
    "also_known_as",
    "gender",
    "birthday",
    "deathday",
    "place_of_birth",
    "known_for_department",
    "biography",
    "popularity",
    "adult",
    "imdb_id",
    "homepage",
    "profile_path",
    ...SYNC
  ])
  for (let id = 1; id <= counts.people; id++) {
    const born = r() < 0.5 ? null : Date.UTC(1900 + Math.floor(r() * 105), Math.floor(r() * 12), 1 + Math.floor(r() * 28))
    const aka = Array.from({ length: Math.floor(r() ** 2 * 4) }, () => personName(Math.floor(r() * 1_000_000)))
    // TMDB's biographies: empty for most people, a few hundred characters for about 30%.
    const biography = r() < 0.3 ? `${words(r, 40 + Math.floor(r() * 60))}.` : null
    people.add([
      id,
      personName(id),
      JSON.stringify(aka),
      r() < 0.3 ? null : 1 + Math.floor(r() * 3),
      born === null ? null : isoDay(born),
      born !== null && r() < 0.1 ? isoDay(born + 70 * 365 * 86_400_000) : null,
      born === null ? null : `${words(r, 2)}, ${countryOf(id)}`,
      r() < 0.6 ? "Acting" : "Production",
      biography,
      Math.round(Math.exp(r() * 3) * 100) / 100,
      0,
      r() < 0.6 ? `nm${1_000_000 + id}` : null,
      r() < 0.95 ? null : `https://www.example.com/person/${id}`,
      r() < 0.4 ? null : path(r),
      ...sync()
    ])
  }
}
