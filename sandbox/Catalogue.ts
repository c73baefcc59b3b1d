import { planCatalogue } from "./Careers.js"
import type { CollectionPart } from "./Careers.js"
import { buildDetails, discoverItemOf, originalTitleOf } from "./Details.js"
import type { DiscoverItem, MovieCore, WireDetails } from "./Details.js"
import { fixtureBytes, fixtureJson, MOVIE_FIXTURE_FILES } from "./Fixtures.js"
import { dayOf, daysInMonth, hash32, int, mulberry32, parseIsoDay, pick, weighted } from "./Random.js"
import type { Rng } from "./Random.js"

export type { DiscoverItem, WireDetails } from "./Details.js"

export interface CatalogueConfig {
  readonly seed: number
  readonly startYear: number
  readonly endYear: number
  readonly perYear: number | Readonly<Record<number, number>>
  readonly includeFixtures: boolean
  /**
   * Share of each year's movies dated January 1, as TMDB's placeholder dates crowd that day once
   * the vote threshold is low. 0 (the default) leaves the catalogue as the seed alone makes it.
   */
  readonly crowdedDayFraction?: number | undefined
}

/**
 * One movie. The record keeps what discover filters and sorts on; the full wire details are
 * rebuilt from `seed` on demand (or are a real fixture's bytes), so 100k movies stay small.
 */
export interface CatalogueMovie extends MovieCore {
  /** Days since 1970-01-01, null when release_date is "" (such movies have no date to filter on). */
  readonly releaseDay: number | null
  /** The day this movie appears in /movie/changes. */
  readonly changedDay: number
  /** /movie/changes reports `"adult": null` for this one, as real lists sometimes do. */
  readonly changeAdultNull: boolean
  /** File name under sandbox/fixtures when this movie is a real recorded response. */
  readonly fixture: string | null
  /** How many times `sandbox.advance` has edited this movie (0: as generated). */
  readonly edits: number
  /**
   * Its career in the catalogue (sandbox/Careers.ts CataloguePlan.careers); -1 for fixtures,
   * undated and added movies, which belong to none.
   */
  readonly career: number
  readonly collection: CollectionPart | null
  /** The raw /movie/{id} body as a JSON object. */
  details(): WireDetails
  discoverItem(): DiscoverItem
  /** `details().original_title`, cheaply: the export files name every movie. */
  originalTitle(): string
  /** The exact /movie/{id} body: the fixture's bytes, or the details serialised. */
  body(): Buffer
}

class Movie implements CatalogueMovie {
  readonly releaseDay: number | null
  readonly edits = 0
  constructor(
    readonly id: number,
    readonly seed: number,
    readonly releaseDate: string,
    readonly adult: boolean,
    readonly video: boolean,
    readonly voteCount: number,
    readonly voteAverage: number,
    readonly popularity: number,
    readonly changedDay: number,
    readonly changeAdultNull: boolean,
    readonly fixture: string | null
  ) {
    this.releaseDay = releaseDate === "" ? null : (parseIsoDay(releaseDate) ?? null)
  }
  // Set once, by generateCatalogue, when the whole catalogue has been drawn.
  career = -1
  collection: CollectionPart | null = null
  details(): WireDetails {
    return this.fixture !== null ? fixtureJson(this.fixture) : buildDetails(this)
  }
  discoverItem(): DiscoverItem {
    return discoverItemOf(this.details())
  }
  originalTitle(): string {
    return this.fixture !== null ? String(fixtureJson(this.fixture).original_title) : originalTitleOf(this)
  }
  body(): Buffer {
    return this.fixture !== null ? fixtureBytes(this.fixture) : Buffer.from(JSON.stringify(this.details()))
  }
}

// Release dates bunch up: autumn and December are busier than February, and a few days a month
// carry several releases (festival and holiday weekends).
const MONTH_WEIGHTS = [6, 5, 8, 7, 8, 7, 8, 8, 11, 12, 9, 11]

export const catalogueYears = (cfg: CatalogueConfig): Array<number> => {
  const years = new Set<number>()
  for (let y = cfg.startYear; y <= cfg.endYear; y++) years.add(y)
  if (typeof cfg.perYear === "object") { for (const k of Object.keys(cfg.perYear)) years.add(Number(k)) }
  return [...years].sort((a, b) => a - b)
}

const countFor = (cfg: CatalogueConfig, year: number): number => typeof cfg.perYear === "number" ? cfg.perYear : (cfg.perYear[year] ?? 60)

const voteCountOf = (r: Rng): number => {
  const x = r()
  if (x < 0.07) return r() < 0.25 ? 0 : int(r, 1, 199)
  if (x < 0.12) return 200
  if (x < 0.17) return pick(r, [250, 500, 1000, 2000])
  return Math.floor(200 * Math.exp(r() * 5))
}

const popularityOf = (r: Rng, voteCount: number): number => {
  if (voteCount === 0 && r() < 0.5) return 0
  if (r() < 0.05) return pick(r, [1, 2, 5, 10])
  return Math.round(Math.exp(r() * 8) * 1000) / 1000
}

const voteAverageOf = (r: Rng, voteCount: number): number => {
  if (voteCount === 0) return 0
  const v = 3 + r() * 6
  return r() < 0.3 ? Math.round(v * 10) / 10 : Math.round(v * 1000) / 1000
}

/** The fields a generated movie draws, in the stream's order. */
export type DrawnFields = Omit<MovieCore, "id" | "seed">

/** A year's busy days: two per month. */
export const hotDaysOf = (r: Rng, year: number): Array<Array<number>> =>
  MONTH_WEIGHTS.map((_, m) => [int(r, 1, daysInMonth(year, m + 1)), int(r, 1, daysInMonth(year, m + 1))])

/** One movie's release date, flags, votes and popularity, drawn from `r`. */
export const drawFields = (r: Rng, year: number, hotDays: ReadonlyArray<ReadonlyArray<number>>, crowdedDayFraction: number): DrawnFields => {
  const crowded = crowdedDayFraction > 0 && r() < crowdedDayFraction
  const month = crowded ? 1 : weighted(r, MONTH_WEIGHTS) + 1
  const day = crowded ? 1 : r() < 0.35 ? (hotDays[month - 1]?.[int(r, 0, 1)] ?? 1) : int(r, 1, daysInMonth(year, month))
  const releaseDate = r() < 0.01 ? "" : `${year}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`
  const adult = r() < 0.02
  const video = r() < 0.02
  const voteCount = voteCountOf(r)
  const voteAverage = voteAverageOf(r, voteCount)
  const popularity = popularityOf(r, voteCount)
  return { releaseDate, adult, video, voteCount, voteAverage, popularity }
}

/** A generated (non-fixture) movie of no career and no collection, whose details derive from `seed`. */
export const generatedMovie = (id: number, seed: number, f: DrawnFields, changedDay: number, changeAdultNull: boolean): CatalogueMovie =>
  new Movie(id, seed, f.releaseDate, f.adult, f.video, f.voteCount, f.voteAverage, f.popularity, changedDay, changeAdultNull, null)

/** The whole catalogue, sorted by id. Same config, same catalogue. */
export const generateCatalogue = (cfg: CatalogueConfig): Array<CatalogueMovie> => {
  const r = mulberry32(hash32(cfg.seed, 0xca7a))
  const years = catalogueYears(cfg)
  const firstDay = dayOf(years[0] ?? cfg.startYear, 1, 1)
  const lastDay = dayOf(years[years.length - 1] ?? cfg.endYear, 12, 31)
  const fixtures = cfg.includeFixtures ? MOVIE_FIXTURE_FILES.map((f) => [f, fixtureJson(f)] as const) : []
  const fixtureIds = new Set(fixtures.map(([, j]) => j.id as number))
  const movies: Array<Movie> = []
  let nextId = 1000
  for (const year of years) {
    const hotDays = hotDaysOf(r, year)
    const count = countFor(cfg, year)
    for (let i = 0; i < count; i++) {
      nextId += int(r, 1, 30)
      while (fixtureIds.has(nextId)) nextId++
      const f = drawFields(r, year, hotDays, cfg.crowdedDayFraction ?? 0)
      const seed = hash32(cfg.seed, nextId)
      movies.push(
        new Movie(nextId, seed, f.releaseDate, f.adult, f.video, f.voteCount, f.voteAverage, f.popularity, int(r, firstDay, lastDay), r() < 0.03, null)
      )
    }
  }
  const plan = planCatalogue(movies, cfg.seed, firstDay, lastDay)
  movies.forEach((m, i) => {
    m.career = plan.careers[i] as number
    m.collection = plan.collections[i] ?? null
  })
  for (const [file, j] of fixtures) {
    const id = j.id as number
    movies.push(
      new Movie(
        id,
        hash32(cfg.seed, id),
        j.release_date as string,
        j.adult as boolean,
        j.video as boolean,
        j.vote_count as number,
        j.vote_average as number,
        Number(j.popularity),
        int(r, firstDay, lastDay),
        false,
        file
      )
    )
  }
  return movies.sort((a, b) => a.id - b.id)
}

export type Fate = "deleted" | "alwaysFail" | "driftTitle" | "driftId"

export interface FateFractions {
  readonly deletedFraction: number
  readonly alwaysFailFraction: number
  readonly driftFraction: number
}

/**
 * Which generated movies misbehave on /movie/{id}. Each movie draws one seeded number, so the
 * fractions are expected values; drift alternates between a missing title and a string id.
 * Real fixtures are never given a fate so they are always served byte for byte.
 */
export const assignFates = (movies: ReadonlyArray<CatalogueMovie>, f: FateFractions, seed: number): Map<number, Fate> => {
  const fates = new Map<number, Fate>()
  if (f.deletedFraction + f.alwaysFailFraction + f.driftFraction <= 0) return fates
  let drifted = 0
  for (const m of movies) {
    if (m.fixture !== null) continue
    const u = hash32(seed, m.id, 0xfa7e) / 4294967296
    if (u < f.deletedFraction) fates.set(m.id, "deleted")
    else if (u < f.deletedFraction + f.alwaysFailFraction) fates.set(m.id, "alwaysFail")
    else if (u < f.deletedFraction + f.alwaysFailFraction + f.driftFraction) fates.set(m.id, drifted++ % 2 === 0 ? "driftTitle" : "driftId")
  }
  return fates
}
