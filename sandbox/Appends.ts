import type { CatalogueMovie, WireDetails } from "./Catalogue.js"
import { editCredits } from "./Edits.js"
import { fixtureJson, SUB_FIXTURES } from "./Fixtures.js"
import { KEYWORDS } from "./Names.js"
import { personKey, personOf } from "./People.js"
import type { Person as PoolPerson } from "./People.js"
import { hash32, int, mulberry32, pick } from "./Random.js"
import type { Rng } from "./Random.js"
import { certificationFor } from "./Ratings.js"
import { realCredits } from "./RealCredits.js"

// Sub-resources for append_to_response (https://developer.themoviedb.org/docs/append-to-response)
// and /movie/{id}/{name}. Appended objects carry no `id` key while the standalone endpoints do:
// compare the appended credits in fixtures/movie-87421-riddick-append-many-legacy.json with
// fixtures/movie-550-external-ids.json.

const hex = (r: Rng, n: number): string => {
  let s = ""
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(r() * 16)]
  return s
}

type Person = ReturnType<typeof asCredited>
const asCredited = (p: PoolPerson) => ({
  adult: false,
  gender: p.gender,
  id: p.id,
  name: p.name,
  original_name: p.name,
  popularity: p.popularity,
  profile_path: p.profile_path
})

const CHARACTERS = ["Narrator", "Herself", "The \"Stranger\"", "Дед", "Young Amélie", "", ""]

// `legacy` is the older item shape (fixtures/movie-87421): no credit_id, no gender, fewer keys.
const castItem = (r: Rng, p: Person, order: number, legacy: boolean) => {
  // TMDB sends "" for an unnamed role far more often than null; both must be stored as null.
  const character = r() < 0.03 ? null : pick(r, CHARACTERS)
  const castId = int(r, 1, 90)
  if (legacy) return { id: p.id, name: p.name, character, order, cast_id: castId, profile_path: p.profile_path }
  return {
    adult: p.adult,
    gender: p.gender,
    id: p.id,
    known_for_department: "Acting",
    name: p.name,
    original_name: p.original_name,
    popularity: p.popularity,
    profile_path: p.profile_path,
    cast_id: castId,
    character,
    credit_id: hex(r, 24),
    order
  }
}

const crewItem = (r: Rng, p: Person, department: string, job: string, legacy: boolean) => {
  if (legacy) return { id: p.id, name: p.name, department, job, profile_path: p.profile_path }
  return {
    adult: p.adult,
    gender: p.gender,
    id: p.id,
    known_for_department: department,
    name: p.name,
    original_name: p.original_name,
    popularity: p.popularity,
    profile_path: p.profile_path,
    credit_id: hex(r, 24),
    department,
    job
  }
}

const CREW_JOBS = [
  ["Writing", "Screenplay"],
  ["Sound", "Original Music Composer"],
  ["Production", "Producer"],
  ["Camera", "Director of Photography"],
  ["Editing", "Editor"]
] as const

const insertAt = <T>(r: Rng, xs: Array<T>, x: T): void => {
  xs.splice(int(r, 0, xs.length), 0, x)
}

// Who works on a movie. A movie of a career (sandbox/Careers.ts) has its director and, in most
// roles, the director's circle: six regular actors (shared with the careers started just before
// and after, as contemporaries share casts) and three regular crew, each in one job. Everyone
// else is credited once. Movies of no career (fixtures, undated and added ones) have only those.
const people = (m: CatalogueMovie, d: WireDetails) => {
  const code = typeof d.original_language === "string" ? d.original_language : "en"
  // m.career: its number, -1 for none, -2 - its number when the director goes uncredited.
  const career = m.career >= 0 ? m.career : m.career <= -2 ? -2 - m.career : -1
  const once = (slot: number) => asCredited(personOf(personKey("oneOff", code, hash32(m.seed, slot, 0x0ff))))
  return {
    once,
    actor: (r: Rng, slot: number): Person => career >= 0 && r() < 0.55 ? asCredited(personOf(personKey("actor", code, 2 * career + int(r, 0, 5)))) : once(slot),
    crew: (r: Rng, slot: number): readonly [Person, string, string] => {
      if (career >= 0 && r() < 0.6) {
        const n = 3 * career + int(r, 0, 2)
        const [department, job] = CREW_JOBS[n % CREW_JOBS.length] as readonly [string, string]
        return [asCredited(personOf(personKey("crew", code, n))), department, job]
      }
      const [department, job] = pick(r, CREW_JOBS)
      return [once(100 + slot), department, job]
    },
    director: (r: Rng): Person | undefined =>
      career >= 0
        ? (m.career >= 0 ? asCredited(personOf(personKey("director", code, career))) : undefined)
        : (r() < 0.8 ? once(200) : undefined)
  }
}

// Stars: three prolific actors per language, one of whom closes the cast of about one movie in
// eight, whoever directs it, as character actors turn up in dozens of films on TMDB. The draw is on
// a stream of its own, appended last, so every other credit stays as it was.
const STAR_NUMBER = (1 << 22) - 8
const starOf = (m: CatalogueMovie, d: WireDetails, castSize: number): readonly [Person, Rng] | undefined => {
  const r = mulberry32(hash32(m.seed, 0x57a2))
  if (m.fixture !== null || castSize === 0 || r() >= 0.125) return undefined
  const code = typeof d.original_language === "string" ? d.original_language : "en"
  return [asCredited(personOf(personKey("actor", code, STAR_NUMBER + int(r, 0, 2)))), r]
}

// Shaped so a collector meets what real credits hold: the same person twice in crew with two
// jobs, an actor who also produced, an actor in two roles, unnamed roles and unset genders.
const credits = (m: CatalogueMovie, d: WireDetails, r: Rng) => {
  const real = m.fixture !== null ? realCredits(m.id) : undefined
  if (real !== undefined) return real
  const who = people(m, d)
  const legacy = r() < 0.05
  const cast: Array<Person> = []
  for (let slot = int(r, 0, 8); slot > 0; slot--) {
    const p = who.actor(r, slot)
    cast.push(cast.some((c) => c.id === p.id) ? who.once(300 + slot) : p)
  }
  if (cast.length > 0 && r() < 0.05) cast.push(cast[cast.length - 1] as Person)
  const castItems = cast.map((p, order) => castItem(r, p, order, legacy))
  const star = starOf(m, d, cast.length)
  if (star !== undefined && !cast.some((c) => c.id === star[0].id)) castItems.push(castItem(star[1], star[0], castItems.length, legacy))
  const crew = Array.from({ length: int(r, 0, 4) }, (_, slot) => {
    const [p, department, job] = who.crew(r, slot)
    return crewItem(r, p, department, job, legacy)
  })
  const director = who.director(r)
  if (director !== undefined) {
    insertAt(r, crew, crewItem(r, director, "Directing", "Director", legacy))
    if (r() < 0.3) insertAt(r, crew, crewItem(r, director, "Writing", "Screenplay", legacy))
  }
  if (cast.length > 0 && r() < 0.1) insertAt(r, crew, crewItem(r, cast[0] as Person, "Production", "Producer", legacy))
  return { cast: castItems, crew }
}

const externalIds = (m: CatalogueMovie, d: WireDetails, r: Rng): Record<string, unknown> => {
  const file = SUB_FIXTURES[`${m.id}/external_ids`]
  if (file !== undefined) {
    const { id: _id, ...rest } = fixtureJson(file)
    return rest
  }
  return {
    imdb_id: typeof d.imdb_id === "string" && d.imdb_id !== "" ? d.imdb_id : null,
    wikidata_id: r() < 0.6 ? `Q${int(r, 1000, 99999999)}` : null,
    facebook_id: r() < 0.3 ? `Movie${m.id}` : null,
    instagram_id: r() < 0.2 ? `movie_${m.id}` : null,
    twitter_id: r() < 0.2 ? `movie${m.id}` : null
  }
}

const release = (r: Rng, day: string, type: number, language: string, country: string, genreIds: ReadonlyArray<number>) => ({
  certification: certificationFor(r, country, genreIds),
  descriptors: [],
  iso_639_1: language,
  note: r() < 0.2 ? pick(r, ["Festival", "Netflix", "Re-release"]) : "",
  release_date: `${day}T00:00:00.000Z`,
  type
})

const daysLater = (iso: string, n: number): string => new Date(Date.parse(iso) + n * 86_400_000).toISOString().slice(0, 10)

// The origin country's first release is always the movie's release_date; some movies add a later
// digital release there and a release abroad, with a language code set as TMDB does for dubs.
const releaseDates = (d: WireDetails, r: Rng) => {
  if (typeof d.release_date !== "string" || d.release_date === "") return { results: [] }
  const country = Array.isArray(d.origin_country) && typeof d.origin_country[0] === "string" ? d.origin_country[0] : "US"
  const genreIds = Array.isArray(d.genres) ? (d.genres as Array<{ id: number }>).map((g) => g.id) : []
  const home = [release(r, d.release_date, r() < 0.2 ? 1 : 3, "", country, genreIds)]
  if (r() < 0.3) home.push(release(r, daysLater(d.release_date, int(r, 30, 120)), 4, "", country, genreIds))
  const results = [{ iso_3166_1: country, release_dates: home }]
  if (r() < 0.3) {
    const abroad = country === "US" ? "DE" : "US"
    results.push({ iso_3166_1: abroad, release_dates: [release(r, daysLater(d.release_date, int(r, 0, 60)), 3, r() < 0.5 ? "en" : "", abroad, genreIds)] })
  }
  return { results }
}

// TMDB occasionally repeats a keyword; the collector must keep the first.
const keywords = (r: Rng) => {
  const out: Array<{ id: number; name: string }> = []
  for (let i = int(r, 0, 4); i > 0; i--) {
    const [id, name] = pick(r, KEYWORDS)
    if (!out.some((k) => k.id === id)) out.push({ id, name })
  }
  if (out.length > 0 && r() < 0.05) out.push({ ...(out[0] as { id: number; name: string }) })
  return { keywords: out }
}

const BUILDERS: Record<string, (m: CatalogueMovie, d: WireDetails, r: Rng) => Record<string, unknown>> = {
  external_ids: externalIds,
  credits,
  keywords: (_m, _d, r) => keywords(r),
  release_dates: (_m, d, r) => releaseDates(d, r),
  images: () => ({ backdrops: [], logos: [], posters: [] }),
  videos: () => ({ results: [] }),
  alternative_titles: () => ({ titles: [] })
}

export const APPENDABLE: ReadonlyArray<string> = Object.keys(BUILDERS)

/** The sub-resource `name` of a movie as appended (no `id`), or undefined when unsupported. */
export const appended = (m: CatalogueMovie, d: WireDetails, name: string): Record<string, unknown> | undefined => {
  const build = Object.hasOwn(BUILDERS, name) ? BUILDERS[name] : undefined
  const obj = build?.(m, d, mulberry32(hash32(m.seed, name.length, name.charCodeAt(0))))
  return obj !== undefined && name === "credits" && m.edits > 0 ? editCredits(obj, m.edits, m.seed) : obj
}

/** The /movie/{id} body as sent with `append_to_response` = `names` (unknown names add nothing). */
export const withAppends = (m: CatalogueMovie, names: ReadonlyArray<string>): WireDetails => {
  const d = m.details()
  for (const name of names) {
    const obj = appended(m, d, name)
    if (obj !== undefined) d[name] = obj
  }
  return d
}
