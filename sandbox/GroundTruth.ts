import type { CatalogueMovie, Fate } from "./Catalogue.js"
import { inExports } from "./Exports.js"
import { dayOf } from "./Random.js"

// What a perfect collector ends up with, computed from the catalogue directly (not over HTTP),
// with normalisation rules written independently of the project's own decoder.

export interface GroundTruthQuery {
  startYear: number
  endYear: number
  /** default 200 */
  minVoteCount?: number | undefined
  /** default false */
  includeAdult?: boolean | undefined
  /** default false */
  includeVideo?: boolean | undefined
}

export interface DiscoveredFields {
  tmdbId: number
  title: string
  releaseDate: string
  voteAverage: number
  voteCount: number
  popularity: number
}

export interface NormalizedDetails {
  tmdbId: number
  imdbId: string | null
  title: string
  originalTitle: string | null
  releaseDate: string | null
  runtime: number | null
  budget: number | null
  revenue: number | null
  genres: Array<string>
  productionCompanies: Array<string>
  overview: string | null
  voteAverage: number
  voteCount: number
  popularity: number
}

export type ExpectedFailure = "not_found" | "server" | "decode"

export interface GroundTruthEntry {
  tmdbId: number
  discovered: DiscoveredFields
  /** null exactly when expectedFailure is set */
  details: NormalizedDetails | null
  expectedFailure: ExpectedFailure | null
}

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null)

const toNumber = (v: unknown): number | null => {
  if (typeof v === "number") return Number.isFinite(v) ? v : null
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v)
    return Number.isFinite(n) ? n : null
  }
  return null
}

/** 0, null and missing all mean "unknown" for runtime, budget and revenue. */
const known = (v: unknown): number | null => {
  const n = toNumber(v)
  return n === null || n === 0 ? null : n
}

const namesById = (v: unknown): Array<string> => {
  if (!Array.isArray(v)) return []
  const seen = new Set<unknown>()
  const names: Array<string> = []
  for (const item of v) {
    if (typeof item !== "object" || item === null) continue
    const { id, name } = item as { id?: unknown; name?: unknown }
    if (seen.has(id) || typeof name !== "string") continue
    seen.add(id)
    names.push(name)
  }
  return names
}

/**
 * A /movie/{id} body normalised. Throws when the body cannot be a movie at all (id not a
 * number, title not a string): that is what a schema-drifted record looks like.
 */
export const normalizeDetails = (wire: unknown): NormalizedDetails => {
  if (typeof wire !== "object" || wire === null) throw new Error("details: not an object")
  const w = wire as Record<string, unknown>
  if (typeof w.id !== "number" || !Number.isInteger(w.id)) throw new Error("details: id is not an integer")
  if (typeof w.title !== "string") throw new Error("details: title is not a string")
  return {
    tmdbId: w.id,
    imdbId: text(w.imdb_id),
    title: w.title,
    originalTitle: text(w.original_title),
    releaseDate: text(w.release_date),
    runtime: known(w.runtime),
    budget: known(w.budget),
    revenue: known(w.revenue),
    genres: namesById(w.genres),
    productionCompanies: namesById(w.production_companies),
    overview: text(w.overview),
    voteAverage: toNumber(w.vote_average) ?? 0,
    voteCount: toNumber(w.vote_count) ?? 0,
    popularity: toNumber(w.popularity) ?? 0
  }
}

const FAILURE: Record<Fate, ExpectedFailure> = {
  deleted: "not_found",
  alwaysFail: "server",
  driftTitle: "decode",
  driftId: "decode"
}

/** What a collector ends up with for one movie it was told about: its listed fields and its details or failure. */
const truthEntry = (m: CatalogueMovie, fates: ReadonlyMap<number, Fate>): GroundTruthEntry => {
  const d = m.details()
  const fate = fates.get(m.id)
  return {
    tmdbId: m.id,
    discovered: {
      tmdbId: m.id,
      title: d.title as string,
      releaseDate: m.releaseDate,
      voteAverage: m.voteAverage,
      voteCount: m.voteCount,
      popularity: m.popularity
    },
    details: fate === undefined ? normalizeDetails(d) : null,
    expectedFailure: fate === undefined ? null : FAILURE[fate]
  }
}

/** Every movie discover lists for these years and filters, by tmdbId ascending. */
export const groundTruth = (
  catalogue: ReadonlyArray<CatalogueMovie>,
  fates: ReadonlyMap<number, Fate>,
  q: GroundTruthQuery
): Array<GroundTruthEntry> => {
  const from = dayOf(q.startYear, 1, 1)
  const to = dayOf(q.endYear, 12, 31)
  const minVotes = q.minVoteCount ?? 200
  const entries: Array<GroundTruthEntry> = []
  for (const m of catalogue) {
    if (m.releaseDay === null || m.releaseDay < from || m.releaseDay > to) continue
    if (m.voteCount < minVotes || (m.adult && q.includeAdult !== true) || (m.video && q.includeVideo !== true)) continue
    entries.push(truthEntry(m, fates))
  }
  return entries.sort((a, b) => a.tmdbId - b.tmdbId)
}

export interface ExportTruthFilter {
  /** Keep movies whose export popularity is at least this; default: every movie. */
  minPopularity?: number | undefined
  /** default false: the adult file is not read */
  includeAdult?: boolean | undefined
  /** default false: lines with "video":true are skipped */
  includeVideo?: boolean | undefined
}

/**
 * Whole-catalogue mode: every movie the daily export files list that the filters keep, undated
 * ones included (`discovered.releaseDate` is then ""), by tmdbId ascending.
 */
export const exportTruth = (
  catalogue: ReadonlyArray<CatalogueMovie>,
  fates: ReadonlyMap<number, Fate>,
  f: ExportTruthFilter
): Array<GroundTruthEntry> => {
  const min = f.minPopularity ?? -Infinity
  const entries: Array<GroundTruthEntry> = []
  for (const m of catalogue) {
    if (!inExports(m, fates) || m.popularity < min) continue
    if ((m.adult && f.includeAdult !== true) || (m.video && f.includeVideo !== true)) continue
    entries.push(truthEntry(m, fates))
  }
  return entries.sort((a, b) => a.tmdbId - b.tmdbId)
}
