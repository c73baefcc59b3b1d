import type { CollectionPart } from "./Careers.js"
import { budgetOf, genresOf, revenueOf, runtimeOf } from "./Money.js"
import { ADJECTIVES, COUNTRIES, FOREIGN_TITLES, HOSTILE_TITLES, languageIndexOf, LANGUAGES, NOUNS } from "./Names.js"
import type { Language } from "./Names.js"
import { hash32, int, mulberry32, pick, weighted } from "./Random.js"
import type { Rng } from "./Random.js"
import { companyFor } from "./Studios.js"
import type { Company } from "./Studios.js"

/** A JSON object exactly as the sandbox puts it on the wire. */
export type WireDetails = Record<string, unknown>

export interface DiscoverItem {
  adult: boolean
  backdrop_path: string | null
  genre_ids: Array<number>
  id: number
  original_language: string
  original_title: string
  overview: string
  popularity: number
  poster_path: string | null
  release_date: string
  title: string
  video: boolean
  vote_average: number
  vote_count: number
}

/** What the catalogue fixes up front; everything else in the details derives from `seed`. */
export interface MovieCore {
  readonly id: number
  readonly seed: number
  readonly releaseDate: string
  readonly adult: boolean
  readonly video: boolean
  readonly voteCount: number
  readonly voteAverage: number
  readonly popularity: number
  /** The movie's place in a collection (sandbox/Careers.ts), if it has one. */
  readonly collection?: CollectionPart | null | undefined
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
const imagePath = (r: Rng, ext: string): string => {
  let s = "/"
  for (let i = 0; i < 27; i++) s += ALNUM[Math.floor(r() * ALNUM.length)]
  return s + ext
}

const titles = (r: Rng, lang: Language): { title: string; original: string } => {
  const foreign = FOREIGN_TITLES[lang.code]
  if (foreign !== undefined && r() < 0.7) {
    const [original, english] = pick(r, foreign)
    return { title: english, original }
  }
  if (r() < 0.12) {
    const t = pick(r, HOSTILE_TITLES)
    return { title: t, original: t }
  }
  const t = (r() < 0.5 ? "The " : "") + pick(r, ADJECTIVES) + " " + pick(r, NOUNS)
  return { title: t, original: t }
}

const ROMAN = ["", "", " II", " III", " IV", " V", " VI", " VII", " VIII"]
const WORDS = ["", "", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight"]
const RETURNS = [" Returns", ": Reloaded", " Rises"]

/** How part `part` of a collection is titled after the first: " 2", " II", ": Part Two", " Returns". */
const sequelSuffix = (c: CollectionPart): string => {
  if (c.part === 1) return ""
  if (c.style === 1) return ROMAN[c.part] ?? ` ${c.part}`
  if (c.style === 2) return `: Part ${WORDS[c.part] ?? c.part}`
  if (c.style === 3 && c.part === 2) return RETURNS[c.id % RETURNS.length] as string
  return ` ${c.part}`
}

const overviewOf = (r: Rng, title: string): string | null => {
  const x = r()
  if (x < 0.05) return ""
  if (x < 0.07) return null
  const who = pick(r, ["A retired detective", "Two estranged sisters", "An android", "A small-town baker", "Ein Junge", "Une femme"])
  const what = pick(r, ["must cross the desert", "uncovers a conspiracy", "falls in love — again", "fights back", "learns the truth about “home”"])
  return `${who} ${what} in “${title}”. ${pick(r, ["", "Based on a true story.", "Nothing is as it seems…", "Rated \"R\" for reasons."])}`.trim()
}

const companiesOf = (r: Rng, country: string): Array<Company> => {
  const n = weighted(r, [10, 30, 30, 20, 10])
  const out: Array<Company> = []
  for (let i = 0; i < n; i++) {
    const c = companyFor(r, country)
    if (!out.some((x) => x.id === c.id)) out.push(c)
  }
  if (out.length > 0 && r() < 0.04) out.push({ ...(out[out.length - 1] as Company) })
  return out
}

const sentinel = <T>(r: Rng, value: () => T, empty: T, pEmpty: number, pNull: number): T | null => {
  const x = r()
  return x < pEmpty ? empty : x < pEmpty + pNull ? null : value()
}

// The first draws of a movie's stream: its language and titles. Shared by buildDetails and
// originalTitleOf, so the export files can name a million movies without building their details.
// A sequel takes the first movie's language and titles, numbered.
const opening = (seed: number, c: CollectionPart | null | undefined): { r: Rng; lang: Language; title: string; original: string } => {
  const r = mulberry32(seed)
  const lang = LANGUAGES[languageIndexOf(seed)] as Language
  r()
  const own = titles(r, lang)
  if (c === undefined || c === null || c.part === 1) return { r, lang, ...own }
  const first = opening(c.firstSeed, null)
  const suffix = sequelSuffix(c)
  return { r, lang: first.lang, title: first.title + suffix, original: first.original + suffix }
}

/** The collection as TMDB appends it to every part: named after the first movie. */
const collectionOf = (m: MovieCore): WireDetails | null => {
  const c = m.collection
  if (c === undefined || c === null) return null
  const r = mulberry32(hash32(c.id, 0xc0))
  const name = `${opening(c.firstSeed, null).title} Collection`
  return { id: c.id, name, poster_path: imagePath(r, ".jpg"), backdrop_path: r() < 0.8 ? imagePath(r, ".jpg") : null }
}

/** `buildDetails(m).original_title`, without building the rest. */
export const originalTitleOf = (m: MovieCore): string => opening(m.seed, m.collection).original

/** The full /movie/{id} body, key order as TMDB sends it (alphabetical, like fixtures/movie-550). */
export const buildDetails = (m: MovieCore): WireDetails => {
  const { r, lang, title, original } = opening(m.seed, m.collection)
  const collection = collectionOf(m)
  const budget = budgetOf(r, m.voteCount)
  const revenue = revenueOf(r, budget)
  const genres = genresOf(r)
  const homepage = sentinel(r, () => `https://www.example.com/movies/${m.id}`, "", 0.5, 0.1)
  const imdbId = sentinel(r, () => `tt${int(r, 100000, 29999999).toString().padStart(7, "0")}`, "", 0.08, 0.07)
  const overview = overviewOf(r, title)
  const posterPath = r() < 0.9 ? imagePath(r, ".jpg") : null
  const backdropPath = r() < 0.85 ? imagePath(r, ".jpg") : null
  const companies = companiesOf(r, lang.country)
  const countries = [lang.country, ...(r() < 0.25 ? ["US"] : [])].filter((c, i, a) => a.indexOf(c) === i)
  const runtimeRoll = r()
  const runtime = runtimeRoll < 0.08 ? 0 : runtimeRoll < 0.12 ? null : runtimeOf(r)
  const spoken = [lang, ...(r() < 0.3 ? [LANGUAGES[0] as Language] : [])].filter((l, i, a) => a.indexOf(l) === i)
  const tagline = sentinel(
    r,
    () => pick(r, ["Mischief. Mayhem. Soap.", "Some doors should stay closed.", "¡Vamos!", "Based on \"real\" events."]),
    "",
    0.4,
    0.1
  )
  return {
    adult: m.adult,
    backdrop_path: backdropPath,
    belongs_to_collection: collection,
    budget,
    genres,
    homepage,
    id: m.id,
    imdb_id: imdbId,
    origin_country: [lang.country],
    original_language: lang.code,
    original_title: original,
    overview,
    popularity: m.popularity,
    poster_path: posterPath,
    production_companies: companies,
    production_countries: countries.map((c) => ({ iso_3166_1: c, name: COUNTRIES[c] ?? c })),
    release_date: m.releaseDate,
    revenue,
    runtime,
    spoken_languages: spoken.map((l) => ({ english_name: l.english, iso_639_1: l.code, name: l.native })),
    status: m.releaseDate === "" ? pick(r, ["In Production", "Planned", "Released"]) : "Released",
    tagline,
    title,
    video: m.video,
    vote_average: m.voteAverage,
    vote_count: m.voteCount
  }
}

/** A /discover/movie result item, built from the details so the two always agree. */
export const discoverItemOf = (d: WireDetails): DiscoverItem => {
  const genres = Array.isArray(d.genres) ? (d.genres as Array<{ id: number }>) : []
  const genreIds = genres.map((g) => g.id).filter((id, i, a) => a.indexOf(id) === i)
  return {
    adult: d.adult as boolean,
    backdrop_path: (d.backdrop_path ?? null) as string | null,
    genre_ids: genreIds,
    id: d.id as number,
    original_language: (d.original_language ?? "en") as string,
    original_title: d.original_title as string,
    overview: (d.overview ?? "") as string,
    popularity: Number(d.popularity),
    poster_path: (d.poster_path ?? null) as string | null,
    release_date: d.release_date as string,
    title: d.title as string,
    video: (d.video ?? false) as boolean,
    vote_average: d.vote_average as number,
    vote_count: d.vote_count as number
  }
}
