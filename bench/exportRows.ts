import { ADJECTIVES, COUNTRIES, GENRES, LANGUAGES, NOUNS } from "../sandbox/Names.js"
import { mulberry32, type Rng } from "../sandbox/Random.js"

// The rows of one synthetic movie for the export benchmark (bench/exportStore.ts writes them):
// every column the collector fills (src/Rows.ts), with TMDB's unknowns (0, "") as the NULL it
// stores for them, and child rows whose counts have TMDB's long tail. The shares are round
// numbers near a TMDB-wide copy such as Kaggle's "The Movies Dataset": most budgets and revenues
// unknown, a tagline on about half the movies, 1 to 3 genres, casts from none to a few hundred.

/** How the store's ids are spread: ~1 collection per 25 movies, 1 company per 5, 1 person per 2. */
export const linkedCounts = (movies: number) => ({
  collections: Math.ceil(movies / 25),
  companies: Math.ceil(movies / 5),
  people: Math.ceil(movies / 2)
})

type Value = string | number | null
/** A child row: its values in the column order of CHILD_COLUMNS. */
type Values = Array<Value>

// dprint-ignore
export const CHILD_COLUMNS = {
  movie_genres: ["tmdb_id", "genre_id", "name", "ord"],
  movie_keywords: ["tmdb_id", "keyword_id", "name", "ord"],
  movie_companies: ["tmdb_id", "company_id", "name", "origin_country", "ord"],
  movie_countries: ["tmdb_id", "iso_3166_1", "name", "ord"],
  movie_languages: ["tmdb_id", "iso_639_1", "name", "english_name", "ord"],
  movie_release_dates: ["tmdb_id", "country", "type", "release_date", "certification", "note", "language"]
} as const
export type ChildName = keyof typeof CHILD_COLUMNS

// dprint-ignore
export const CREDIT_COLUMNS = {
  movie_cast: ["tmdb_id", "person_id", "name", "character", "ord", "credit_id", "gender", "cast_id"],
  movie_crew: ["tmdb_id", "person_id", "name", "department", "job", "credit_id", "gender", "ord"]
} as const
type CreditName = keyof typeof CREDIT_COLUMNS

// dprint-ignore
export const MOVIE_COLUMNS = [
  "tmdb_id", "imdb_id", "title", "original_title", "release_date", "runtime", "budget", "revenue", "genres", "production_companies",
  "overview", "vote_average", "vote_count", "popularity", "discovered_at", "details_fetched_at", "original_language", "status", "tagline",
  "homepage", "adult", "video", "poster_path", "backdrop_path", "collection_id", "collection_name", "production_countries",
  "spoken_languages", "wikidata_id", "votes_at", "removed_at", "exported_on", "changed_at"
] as const
type MovieRow = Record<typeof MOVIE_COLUMNS[number], Value>

// dprint-ignore
const FIRST = ["James", "Mary", "Jean", "Marie", "Hiroshi", "Yuki", "Carlos", "Lucía", "Jürgen", "Anna", "Min-jun", "Ji-woo", "Olga", "Ivan",
  "Priya", "Arjun", "Wei", "Li", "Fatima", "Omar", "Noa", "David", "Sofia", "Thomas", "Emma", "Lars", "Chloé", "Mateo", "Aisha", "Kenji"]
// dprint-ignore
const LAST = ["Smith", "Johnson", "Martin", "Dubois", "Tanaka", "Sato", "García", "López", "Müller", "Schmidt", "Kim", "Park", "Ivanova",
  "Petrov", "Sharma", "Patel", "Wang", "Zhang", "Haddad", "Cohen", "Levi", "Rossi", "Bianchi", "O'Brien", "Nguyen", "Andersen", "Silva"]
// dprint-ignore
const CREW = [["Directing", "Director"], ["Writing", "Screenplay"], ["Writing", "Novel"], ["Production", "Producer"], ["Production",
  "Executive Producer"], ["Production", "Casting"], ["Sound", "Original Music Composer"], ["Camera", "Director of Photography"],
  ["Editing", "Editor"], ["Art", "Production Design"], ["Costume & Make-Up", "Costume Design"], ["Visual Effects", "VFX Supervisor"],
  ["Crew", "Stunt Coordinator"], ["Lighting", "Gaffer"]] as const
// dprint-ignore
const STATUS = ["Released", "Released", "Released", "Released", "Released", "Released", "Released", "Released", "Released", "Released",
  "Released", "Released", "Released", "Released", "Released", "Released", "Released", "Post Production", "In Production", "Planned"]
const CERTIFICATIONS = [null, null, null, "G", "PG", "PG-13", "R", "NC-17", "12", "16", "18", "U", "12A", "15", "TP"]
const CODES = Object.keys(COUNTRIES)
const GENRE_TOTAL = GENRES.reduce((n, g) => n + g[2], 0)
const LANGUAGE_TOTAL = LANGUAGES.reduce((n, l) => n + l.weight, 0)

const pick = <T>(r: Rng, xs: ReadonlyArray<T>): T => xs[Math.floor(r() * xs.length)]!
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1))
// Random text is built as one flat string from character codes: concatenated pieces and
// Number.toString cost more than writing the row, 17 credit ids a movie.
const codes = { 24: new Array<number>(24).fill(0), 27: new Array<number>(27).fill(0) }
const codesOf = (alphabet: string) => [...alphabet].map((c) => c.charCodeAt(0))
const HEX = codesOf("0123456789abcdef")
const ALNUM = codesOf("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
/** `n` characters of `alphabet` (at most 62 letters), five from each draw. */
const random = (r: Rng, alphabet: ReadonlyArray<number>, n: 24 | 27) => {
  const chars = codes[n]
  for (let i = 0; i < n; i += 5) {
    let x = Math.floor(r() * 916_132_832) // 62 ** 5
    for (let j = i; j < Math.min(n, i + 5); j++) {
      chars[j] = alphabet[x % alphabet.length]!
      x = Math.floor(x / alphabet.length)
    }
  }
  return String.fromCharCode.apply(null, chars)
}
const gauss = (r: Rng) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
/** A count of mean about `mean` with a log-normal tail: sigma 1 puts ~0.2% of casts of mean 8 at 100 or more. */
const tail = (r: Rng, mean: number, sigma: number) => Math.floor(Math.exp(Math.log(mean + 0.5) - (sigma * sigma) / 2 + sigma * gauss(r)))
/** An id in 1..n, small ids far more often: a few studios and actors are in many movies. */
const skewed = (r: Rng, n: number) => {
  const u = r() // u * u * u, not u ** 3: Math.pow was a sixth of the generator's time
  return 1 + Math.floor(n * u * u * u)
}
/** A count from a table of shares (index = count). */
const counted = (r: Rng, shares: ReadonlyArray<number>) => {
  let x = r()
  for (let i = 0; i < shares.length; i++) if ((x -= shares[i]!) < 0) return i
  return shares.length - 1
}
/** `n` words: titles, taglines, overviews, biographies. */
export const words = (r: Rng, n: number) => {
  let s = pick(r, ADJECTIVES)
  for (let i = 1; i < n; i++) s += ` ${i % 3 === 0 ? pick(r, ADJECTIVES).toLowerCase() : pick(r, NOUNS).toLowerCase()}`
  return s
}

export const personName = (id: number) => `${FIRST[id % FIRST.length]} ${LAST[Math.floor(id / FIRST.length) % LAST.length]}`
export const companyName = (id: number) => `${ADJECTIVES[id % ADJECTIVES.length]} ${NOUNS[Math.floor(id / 7) % NOUNS.length]} Pictures`
/** The n-th collection's id: TMDB's are sparse. */
export const collectionIdOf = (n: number) => n * 7 + 3
export const collectionName = (id: number) => `The ${ADJECTIVES[id % ADJECTIVES.length]} ${NOUNS[Math.floor(id / 3) % NOUNS.length]} Collection`
export const countryOf = (id: number) => CODES[id % CODES.length]!
export const path = (r: Rng) => `/${random(r, ALNUM, 27)}.jpg`
const DAY = 86_400_000
const days = new Map<number, string>()
/** `YYYY-MM-DD` of an instant, each day formatted once: Date's formatting is slow at this rate. */
export const isoDay = (ms: number) => {
  const d = Math.floor(ms / DAY)
  let day = days.get(d)
  if (day === undefined) days.set(d, day = new Date(d * DAY).toISOString().slice(0, 10))
  return day
}

// The collector's clock for the store: fixed, so two runs with one seed write the same rows.
export const NOW = Date.UTC(2026, 0, 15)

/** The tmdb_id of each movie: TMDB's ids have gaps (deleted and adult entries). From a stream of its own. */
export const movieIds = (seed: number, movies: number): Int32Array => {
  const r = mulberry32(seed)
  const ids = new Int32Array(movies)
  for (let i = 0, id = 1; i < movies; i++) ids[i] = id += 1 + (r() < 0.25 ? Math.floor(r() * 6) : 0)
  return ids
}

/** A movie's cast and crew, the largest child tables, handed to `add`: their own stream, their own process. */
export const creditRows = (r: Rng, counts: ReturnType<typeof linkedCounts>, tmdbId: number, add: (table: CreditName, row: Values) => void) => {
  for (let ord = 0, n = tail(r, 8, 1); ord < n; ord++) {
    const id = skewed(r, counts.people)
    const character = r() < 0.05 ? "Himself" : r() < 0.1 ? null : personName(int(r, 1, 10_000))
    add("movie_cast", [tmdbId, id, personName(id), character, ord, random(r, HEX, 24), r() < 0.4 ? null : int(r, 1, 2), ord + 1])
  }
  for (let ord = 0, n = tail(r, 9, 1.1); ord < n; ord++) {
    const id = skewed(r, counts.people)
    const [department, job] = ord === 0 ? CREW[0] : pick(r, CREW)
    add("movie_crew", [tmdbId, id, personName(id), department, job, random(r, HEX, 24), r() < 0.5 ? null : int(r, 1, 3), ord])
  }
}

/** The `movies` row of `tmdbId`, and the rows of each other child table handed to `add` as they are made. */
export const movieRows = (
  r: Rng,
  counts: ReturnType<typeof linkedCounts>,
  tmdbId: number,
  collection: number | undefined,
  add: (table: ChildName, row: Values) => void
) => {
  const year = 1920 + Math.floor(r() ** 0.4 * 106)
  const day = Date.UTC(year, int(r, 0, 11), int(r, 1, 28))
  const released = r() < 0.98 ? isoDay(day) : null
  const genres: Array<string> = []
  for (let ord = 0, n = counted(r, [0.04, 0.26, 0.36, 0.22, 0.12]); ord < n; ord++) {
    let x = r() * GENRE_TOTAL
    const g = GENRES.find((g) => (x -= g[2]) < 0) ?? GENRES[0]!
    if (genres.includes(g[1])) continue
    genres.push(g[1])
    add("movie_genres", [tmdbId, g[0], g[1], genres.length - 1])
  }
  for (let ord = 0, n = tail(r, 4, 0.9); ord < n; ord++) {
    const id = skewed(r, 60_000)
    add("movie_keywords", [tmdbId, id, `${ADJECTIVES[id % ADJECTIVES.length]!.toLowerCase()} ${NOUNS[id % NOUNS.length]!.toLowerCase()}`, ord])
  }
  const companies: Array<string> = []
  for (let ord = 0, n = counted(r, [0.15, 0.4, 0.25, 0.12, 0.05, 0.03]); ord < n; ord++) {
    const id = skewed(r, counts.companies)
    companies.push(companyName(id))
    add("movie_companies", [tmdbId, id, companyName(id), r() < 0.9 ? countryOf(id) : null, ord])
  }
  const countries: Array<string> = []
  for (let ord = 0, n = counted(r, [0.05, 0.75, 0.15, 0.05]); ord < n; ord++) {
    const code = ord === 0 ? "US" : pick(r, CODES)
    countries.push(code)
    add("movie_countries", [tmdbId, code, COUNTRIES[code] ?? null, ord])
  }
  let y = r() * LANGUAGE_TOTAL
  const language = LANGUAGES.find((l) => (y -= l.weight) < 0) ?? LANGUAGES[0]!
  const languages: Array<string> = []
  for (let ord = 0, n = counted(r, [0.05, 0.75, 0.15, 0.05]); ord < n; ord++) {
    const l = ord === 0 ? language : pick(r, LANGUAGES)
    languages.push(l.code)
    add("movie_languages", [tmdbId, l.code, l.native, l.english, ord])
  }
  if (released !== null) {
    for (let i = 0, n = Math.max(1, tail(r, 3, 0.7)); i < n; i++) {
      const at = isoDay(day + (i === 0 ? 0 : int(r, 0, 200) * DAY))
      add("movie_release_dates", [
        tmdbId,
        i === 0 ? countries[0] ?? "US" : pick(r, CODES),
        i === 0 ? 3 : int(r, 1, 6),
        `${at}T00:00:00.000Z`,
        pick(r, CERTIFICATIONS),
        r() < 0.95 ? null : "Festival",
        r() < 0.7 ? null : language.code
      ])
    }
  }
  const title = words(r, int(r, 1, 4))
  const fetched = new Date(NOW - int(r, 0, 30 * 86_400) * 1000).toISOString()
  const row: MovieRow = {
    tmdb_id: tmdbId,
    imdb_id: r() < 0.85 ? `tt${int(r, 100_000, 29_999_999)}` : null,
    title,
    original_title: language.code === "en" || r() < 0.5 ? title : words(r, 2),
    release_date: released,
    runtime: r() < 0.05 ? null : r() < 0.05 ? 0 : int(r, 60, 180),
    budget: r() < 0.7 ? null : Math.round(10 ** (5 + r() * 3.5)),
    revenue: r() < 0.75 ? null : Math.round(10 ** (4 + r() * 5)),
    genres: JSON.stringify(genres),
    production_companies: JSON.stringify(companies),
    overview: r() < 0.03 ? null : `${words(r, int(r, 20, 70))}.`,
    vote_average: Math.round(r() * 100) / 10,
    vote_count: Math.floor(Math.exp(gauss(r) * 2 + 2)),
    popularity: Math.round(Math.exp(gauss(r) + 1) * 1000) / 1000,
    discovered_at: fetched,
    details_fetched_at: fetched,
    original_language: language.code,
    status: pick(r, STATUS),
    tagline: r() < 0.5 ? null : `${words(r, int(r, 3, 9))}.`,
    homepage: r() < 0.8 ? null : `https://www.example.com/movie/${tmdbId}`,
    adult: r() < 0.99 ? 0 : 1,
    video: r() < 0.97 ? 0 : 1,
    poster_path: r() < 0.1 ? null : path(r),
    backdrop_path: r() < 0.35 ? null : path(r),
    collection_id: collection ?? null,
    collection_name: collection === undefined ? null : collectionName(collection),
    production_countries: JSON.stringify(countries),
    spoken_languages: JSON.stringify(languages),
    wikidata_id: r() < 0.4 ? null : `Q${int(r, 1_000, 130_000_000)}`,
    votes_at: fetched,
    removed_at: r() < 0.005 ? new Date(NOW - int(r, 0, 20) * DAY).toISOString() : null,
    exported_on: r() < 0.9 ? isoDay(NOW - int(r, 0, 5) * DAY) : null,
    changed_at: r() < 0.9 ? null : new Date(NOW - int(r, 0, 3) * DAY).toISOString()
  }
  return row
}
