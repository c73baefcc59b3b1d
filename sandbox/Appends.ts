import type { CatalogueMovie, WireDetails } from "./Catalogue.js"
import { fixtureJson, SUB_FIXTURES } from "./Fixtures.js"
import { KEYWORDS, PEOPLE } from "./Names.js"
import { hash32, int, mulberry32, pick } from "./Random.js"
import type { Rng } from "./Random.js"

// Sub-resources for append_to_response and /movie/{id}/{name}. Appended objects carry no `id`
// key while the standalone endpoints do (tmdb-api-facts.md §5, append_to_response).

const hex = (r: Rng, n: number): string => {
  let s = ""
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(r() * 16)]
  return s
}

const person = (r: Rng) => {
  const name = pick(r, PEOPLE)
  return {
    adult: false,
    gender: int(r, 0, 2),
    id: int(r, 1000, 3000000),
    name,
    original_name: name,
    popularity: Math.round(r() * 60000) / 1000,
    profile_path: r() < 0.8 ? `/${hex(r, 27)}.jpg` : null
  }
}

const credits = (r: Rng) => {
  const cast = Array.from({ length: int(r, 0, 8) }, (_, order) => {
    const p = person(r)
    return {
      adult: p.adult,
      gender: p.gender,
      id: p.id,
      known_for_department: "Acting",
      name: p.name,
      original_name: p.original_name,
      popularity: p.popularity,
      profile_path: p.profile_path,
      cast_id: int(r, 1, 90),
      character: pick(r, ["Narrator", "Herself", "The \"Stranger\"", "Дед", "Young Amélie", ""]),
      credit_id: hex(r, 24),
      order
    }
  })
  const crew = Array.from({ length: int(r, 0, 5) }, () => {
    const p = person(r)
    const [department, job] = pick(
      r,
      [["Directing", "Director"], ["Writing", "Screenplay"], ["Sound", "Original Music Composer"], ["Production", "Producer"]] as const
    )
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
  })
  return { cast, crew }
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

const releaseDates = (d: WireDetails, r: Rng) => {
  if (typeof d.release_date !== "string" || d.release_date === "") return { results: [] }
  const country = Array.isArray(d.origin_country) && typeof d.origin_country[0] === "string" ? d.origin_country[0] : "US"
  return {
    results: [{
      iso_3166_1: country,
      release_dates: [{
        certification: pick(r, ["", "PG", "PG-13", "R", "12", "16"]),
        descriptors: [],
        iso_639_1: "",
        note: r() < 0.2 ? "Festival" : "",
        release_date: `${d.release_date}T00:00:00.000Z`,
        type: r() < 0.2 ? 1 : 3
      }]
    }]
  }
}

const keywords = (r: Rng) => {
  const out: Array<{ id: number; name: string }> = []
  for (let i = int(r, 0, 4); i > 0; i--) {
    const [id, name] = pick(r, KEYWORDS)
    if (!out.some((k) => k.id === id)) out.push({ id, name })
  }
  return { keywords: out }
}

const BUILDERS: Record<string, (m: CatalogueMovie, d: WireDetails, r: Rng) => Record<string, unknown>> = {
  external_ids: externalIds,
  credits: (_m, _d, r) => credits(r),
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
  return build?.(m, d, mulberry32(hash32(m.seed, name.length, name.charCodeAt(0))))
}
