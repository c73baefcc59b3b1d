import { withAppends } from "./Appends.js"
import type { CatalogueMovie, Fate } from "./Catalogue.js"
import { normalizeDetails } from "./GroundTruth.js"

// The rich record a perfect collector stores for one movie: the extra `movies` columns and the
// child-table rows, read from the details body exactly as the server sends it. The rules are
// written again from the spec, not taken from the project's decoder, so that when the two
// disagree an integration test sees it. Column names are the database's, so rows compare as-is.

export interface RichMovieColumns {
  original_language: string | null
  status: string | null
  tagline: string | null
  homepage: string | null
  adult: 0 | 1 | null
  video: 0 | 1 | null
  poster_path: string | null
  backdrop_path: string | null
  collection_id: number | null
  collection_name: string | null
  /** JSON text of the de-duplicated iso_3166_1 codes in TMDB order, e.g. `["DE","US"]`. */
  production_countries: string
  /** JSON text of the de-duplicated iso_639_1 codes in TMDB order. */
  spoken_languages: string
  /** null also when external_ids was not appended. */
  wikidata_id: string | null
}

export interface GenreRow {
  genre_id: number
  name: string | null
  ord: number
}
export interface CompanyRow {
  company_id: number
  name: string | null
  origin_country: string | null
  ord: number
}
export interface CountryRow {
  iso_3166_1: string
  name: string | null
  ord: number
}
export interface LanguageRow {
  iso_639_1: string
  name: string | null
  english_name: string | null
  ord: number
}
export interface CastRow {
  person_id: number
  name: string | null
  character: string | null
  ord: number
  credit_id: string | null
  gender: number | null
  cast_id: number | null
}
export interface CrewRow {
  person_id: number
  name: string | null
  department: string | null
  job: string | null
  credit_id: string | null
  gender: number | null
  ord: number
}
export interface KeywordRow {
  keyword_id: number
  name: string | null
  ord: number
}
export interface ReleaseDateRow {
  country: string | null
  type: number | null
  release_date: string | null
  certification: string | null
  note: string | null
  language: string | null
}

export interface RichTruth {
  movie: RichMovieColumns
  genres: Array<GenreRow>
  companies: Array<CompanyRow>
  countries: Array<CountryRow>
  languages: Array<LanguageRow>
  cast: Array<CastRow>
  crew: Array<CrewRow>
  keywords: Array<KeywordRow>
  release_dates: Array<ReleaseDateRow>
}

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v)
const objects = (v: unknown): Array<Obj> => (Array.isArray(v) ? v.filter(isObj) : [])
/** TMDB writes "none" as "", null or a missing key; all three are stored as null. */
const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null)
/** A string kept exactly as sent ("" included); anything else is null. */
const asSent = (v: unknown): string | null => (typeof v === "string" ? v : null)
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null)
const flag = (v: unknown): 0 | 1 | null => (v === true ? 1 : v === false ? 0 : null)
/** 0 is TMDB's "not set", the same as no gender at all. */
const gender = (v: unknown): number | null => {
  const n = num(v)
  return n === null || n === 0 ? null : n
}

/**
 * Items in TMDB order with the first of each key kept, as TMDB sometimes repeats an entry; an
 * item without a usable key cannot be a row (its key is the row's identity) and is skipped.
 */
const firstBy = <K>(v: unknown, key: (o: Obj) => K | null): Array<readonly [K, Obj]> => {
  const seen = new Set<K>()
  const out: Array<readonly [K, Obj]> = []
  for (const o of objects(v)) {
    const k = key(o)
    if (k === null || seen.has(k)) continue
    seen.add(k)
    out.push([k, o])
  }
  return out
}

const idOf = (o: Obj): number | null => num(o.id)

/** The append_to_response names as the server reads them: trimmed, empty ones dropped. */
const appendNames = (append: ReadonlyArray<string>): Set<string> => new Set(append.map((s) => s.trim()).filter((s) => s !== ""))

/** Credit items with a person id, each with its index in the array as sent. */
const credited = (v: unknown): Array<readonly [number, Obj, number]> =>
  (Array.isArray(v) ? (v as Array<unknown>) : []).flatMap((c, i) => (isObj(c) && num(c.id) !== null ? [[num(c.id) as number, c, i] as const] : []))

// No de-duplication in credits: an actor in two roles is two cast rows, and a person listed with
// two jobs (Director and Screenplay) is two crew rows.
const castRows = (credits: Obj): Array<CastRow> =>
  credited(credits.cast).map(([id, c, i]) => ({
    person_id: id,
    name: asSent(c.name),
    character: text(c.character),
    // The billing order TMDB sends; an item without one keeps its place in the array.
    ord: num(c.order) ?? i,
    credit_id: text(c.credit_id),
    gender: gender(c.gender),
    cast_id: num(c.cast_id)
  }))

// Crew has no order of its own; ord is the index in the crew array as sent.
const crewRows = (credits: Obj): Array<CrewRow> =>
  credited(credits.crew).map(([id, c, ord]) => ({
    person_id: id,
    name: asSent(c.name),
    department: asSent(c.department),
    job: asSent(c.job),
    credit_id: text(c.credit_id),
    gender: gender(c.gender),
    ord
  }))

const releaseDateRows = (rd: Obj): Array<ReleaseDateRow> =>
  objects(rd.results).flatMap((entry) =>
    objects(entry.release_dates).map((x) => ({
      country: asSent(entry.iso_3166_1),
      type: num(x.type),
      release_date: asSent(x.release_date),
      certification: text(x.certification),
      note: text(x.note),
      language: text(x.iso_639_1)
    }))
  )

/**
 * The rich rows for one /movie/{id} body fetched with `append_to_response` = `append`. A
 * sub-resource not in `append` gives no rows even if the body carries it (fixture 383498 always
 * holds `images`). Throws, like normalizeDetails, when the body cannot be a movie at all.
 */
export const richTruthOf = (body: unknown, append: ReadonlyArray<string>): RichTruth => {
  normalizeDetails(body)
  const w = body as Obj
  const names = appendNames(append)
  const sub = (name: string): Obj | undefined => (names.has(name) && isObj(w[name]) ? w[name] : undefined)
  const collection = isObj(w.belongs_to_collection) ? w.belongs_to_collection : undefined
  const countries = firstBy(w.production_countries, (o) => text(o.iso_3166_1))
  const languages = firstBy(w.spoken_languages, (o) => text(o.iso_639_1))
  const credits = sub("credits")
  return {
    movie: {
      original_language: text(w.original_language),
      status: text(w.status),
      tagline: text(w.tagline),
      homepage: text(w.homepage),
      adult: flag(w.adult),
      video: flag(w.video),
      poster_path: text(w.poster_path),
      backdrop_path: text(w.backdrop_path),
      collection_id: collection === undefined ? null : num(collection.id),
      collection_name: collection === undefined ? null : asSent(collection.name),
      production_countries: JSON.stringify(countries.map(([code]) => code)),
      spoken_languages: JSON.stringify(languages.map(([code]) => code)),
      wikidata_id: text(sub("external_ids")?.wikidata_id)
    },
    genres: firstBy(w.genres, idOf).map(([id, g], ord) => ({ genre_id: id, name: asSent(g.name), ord })),
    companies: firstBy(w.production_companies, idOf).map(([id, c], ord) => ({
      company_id: id,
      name: asSent(c.name),
      origin_country: text(c.origin_country),
      ord
    })),
    countries: countries.map(([code, c], ord) => ({ iso_3166_1: code, name: asSent(c.name), ord })),
    languages: languages.map(([code, l], ord) => ({ iso_639_1: code, name: text(l.name), english_name: text(l.english_name), ord })),
    cast: credits === undefined ? [] : castRows(credits),
    crew: credits === undefined ? [] : crewRows(credits),
    keywords: firstBy(sub("keywords")?.keywords, idOf).map(([id, k], ord) => ({ keyword_id: id, name: asSent(k.name), ord })),
    release_dates: releaseDateRows(sub("release_dates") ?? {})
  }
}

/** The rich rows for a catalogue movie, from the very body the server builds for this request. */
export const richTruthFor = (movie: CatalogueMovie, append: ReadonlyArray<string>): RichTruth =>
  richTruthOf(withAppends(movie, append.map((s) => s.trim()).filter((s) => s !== "")), append)

const MAX_APPENDS = 20

/**
 * What `sandbox.richTruth` answers: undefined when a collector stores no rich record for the id:
 * unknown, given a fate (deleted, always failing, drifted), or asked with more appends than the
 * server accepts.
 */
export const richTruthById = (
  byId: ReadonlyMap<number, CatalogueMovie>,
  fates: ReadonlyMap<number, Fate>,
  tmdbId: number,
  append: ReadonlyArray<string>
): RichTruth | undefined => {
  const movie = byId.get(tmdbId)
  if (movie === undefined || fates.has(tmdbId)) return undefined
  if (append.map((s) => s.trim()).filter((s) => s !== "").length > MAX_APPENDS) return undefined
  return richTruthFor(movie, append)
}
