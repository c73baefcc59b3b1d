import { appended } from "./Appends.js"
import { companyBody } from "./Companies.js"
import type { Linked } from "./Linked.js"

// What a perfect collector stores for a collection, a company and a person: each read from the
// body the server sends, by the store's rules written here apart from the collector's decoder
// ("" is NULL, gender 0 "not set" is NULL, dates are YYYY-MM-DD or NULL, also_known_as an array).
// Column names are the tables', so rows compare as they are. undefined: the id is not live.

export interface CollectionTruth {
  collection_id: number
  name: string | null
  overview: string | null
  poster_path: string | null
  backdrop_path: string | null
  /** Every part TMDB lists (stored movie or not), ids ascending: the rows of collection_parts. */
  parts: Array<number>
}

export interface CompanyTruth {
  company_id: number
  name: string | null
  description: string | null
  headquarters: string | null
  homepage: string | null
  origin_country: string | null
  parent_company_id: number | null
  logo_path: string | null
}

export interface PersonTruth {
  person_id: number
  name: string | null
  also_known_as: Array<string>
  /** 1 female, 2 male, 3 non-binary; null for 0 (not set). */
  gender: number | null
  birthday: string | null
  deathday: string | null
  place_of_birth: string | null
  known_for_department: string | null
  biography: string | null
  popularity: number | null
  adult: boolean
  imdb_id: string | null
  homepage: string | null
  profile_path: string | null
}

/** The ids a collector of some movies must fetch: what their current details name, ascending, each once. */
export interface LinkedIds {
  collections: Array<number>
  companies: Array<number>
  people: Array<number>
}

type Body = Record<string, unknown>

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null)
const date = (v: unknown): string | null => (typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null)
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null)
const idOf = (v: unknown): number | null => (typeof v === "object" && v !== null ? num((v as Body).id) : null)

export const collectionTruth = (linked: Linked, id: number): CollectionTruth | undefined => {
  const b = linked.collectionBody(id) as Body | undefined
  if (b === undefined) return undefined
  const parts = Array.isArray(b.parts) ? b.parts.map(idOf).filter((p): p is number => p !== null) : []
  return {
    collection_id: id,
    name: text(b.name),
    overview: text(b.overview),
    poster_path: text(b.poster_path),
    backdrop_path: text(b.backdrop_path),
    parts: [...new Set(parts)].sort((x, y) => x - y)
  }
}

export const companyTruth = (id: number): CompanyTruth | undefined => {
  const b = companyBody(id) as Body | undefined
  if (b === undefined) return undefined
  return {
    company_id: id,
    name: text(b.name),
    description: text(b.description),
    headquarters: text(b.headquarters),
    homepage: text(b.homepage),
    origin_country: text(b.origin_country),
    parent_company_id: idOf(b.parent_company),
    logo_path: text(b.logo_path)
  }
}

export const personTruth = (linked: Linked, id: number): PersonTruth | undefined => {
  const b = linked.personBody(id)
  if (b === undefined) return undefined
  const gender = num(b.gender)
  return {
    person_id: id,
    name: text(b.name),
    also_known_as: Array.isArray(b.also_known_as) ? b.also_known_as.filter((a): a is string => typeof a === "string") : [],
    gender: gender === 0 ? null : gender,
    birthday: date(b.birthday),
    deathday: date(b.deathday),
    place_of_birth: text(b.place_of_birth),
    known_for_department: text(b.known_for_department),
    biography: text(b.biography),
    popularity: num(b.popularity),
    adult: b.adult === true,
    imdb_id: text(b.imdb_id),
    homepage: text(b.homepage),
    profile_path: text(b.profile_path)
  }
}

const ascending = (ids: Iterable<number>): Array<number> => [...new Set(ids)].sort((a, b) => a - b)

/** What the live, servable movies among `tmdbIds` name now (a movie with a fate or not live names nothing a collector can read). */
export const linkedIds = (linked: Linked, tmdbIds: ReadonlyArray<number>): LinkedIds => {
  const collections: Array<number> = []
  const companies: Array<number> = []
  const people: Array<number> = []
  for (const tmdbId of tmdbIds) {
    const m = linked.state.byId.get(tmdbId)
    if (m === undefined || linked.state.fates.has(tmdbId)) continue
    const d = m.details()
    const collection = idOf(d.belongs_to_collection)
    if (collection !== null) collections.push(collection)
    for (const c of Array.isArray(d.production_companies) ? d.production_companies : []) if (idOf(c) !== null) companies.push(idOf(c) as number)
    const credits = appended(m, d, "credits") as { cast: Array<Body>; crew: Array<Body> }
    for (const p of [...credits.cast, ...credits.crew]) if (idOf(p) !== null) people.push(idOf(p) as number)
  }
  return { collections: ascending(collections), companies: ascending(companies), people: ascending(people) }
}
