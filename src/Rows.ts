import type { MovieDetails } from "./Movie.js"
import type { MovieRow } from "./Storage.js"

// A details record as the rows the repository writes, in column (encoded) form. The column
// names are the public schema (README "Database schema"); test/MovieRepository.test.ts reads
// what these builders write back through the row schemas.

type Row = Record<string, string | number | null>

/** The child tables: every one is rewritten with its movie, from the response being stored. */
export const CHILD_TABLES = [
  "movie_genres",
  "movie_companies",
  "movie_countries",
  "movie_languages",
  "movie_cast",
  "movie_crew",
  "movie_keywords",
  "movie_release_dates"
] as const
export type ChildTable = typeof CHILD_TABLES[number]

const flag = (b: boolean | null): 0 | 1 | null => (b === null ? null : b ? 1 : 0)

/** The `movies` columns a details response writes; the sync columns are the collector's own. */
export type DetailsRow = Omit<typeof MovieRow.Encoded, "removed_at" | "exported_on" | "changed_at">

/** The `movies` row. `wikidata_id` is NULL when `external_ids` was not appended. */
export const movieRow = (m: MovieDetails, at: string): DetailsRow => ({
  tmdb_id: m.tmdbId,
  imdb_id: m.imdbId,
  title: m.title,
  original_title: m.originalTitle,
  release_date: m.releaseDate,
  runtime: m.runtime,
  budget: m.budget,
  revenue: m.revenue,
  genres: JSON.stringify(m.genres.map((g) => g.name)),
  production_companies: JSON.stringify(m.productionCompanies.map((c) => c.name)),
  overview: m.overview,
  vote_average: m.voteAverage,
  vote_count: m.voteCount,
  popularity: m.popularity,
  discovered_at: at,
  details_fetched_at: at,
  original_language: m.originalLanguage,
  status: m.status,
  tagline: m.tagline,
  homepage: m.homepage,
  adult: flag(m.adult),
  video: flag(m.video),
  poster_path: m.posterPath,
  backdrop_path: m.backdropPath,
  collection_id: m.collection?.id ?? null,
  collection_name: m.collection?.name ?? null,
  production_countries: JSON.stringify(m.productionCountries.map((c) => c.code)),
  spoken_languages: JSON.stringify(m.spokenLanguages.map((l) => l.code)),
  wikidata_id: m.externalIds?.wikidataId ?? null,
  votes_at: at
})

/** Each child table's rows for one movie. */
export const childRows = (m: MovieDetails): Record<ChildTable, ReadonlyArray<Row>> => {
  const id = m.tmdbId
  return {
    movie_genres: m.genres.map((g, ord) => ({ tmdb_id: id, genre_id: g.id, name: g.name, ord })),
    movie_companies: m.productionCompanies.map((c, ord) => ({
      tmdb_id: id,
      company_id: c.id,
      name: c.name,
      origin_country: c.originCountry,
      ord
    })),
    movie_countries: m.productionCountries.map((c, ord) => ({ tmdb_id: id, iso_3166_1: c.code, name: c.name, ord })),
    movie_languages: m.spokenLanguages.map((l, ord) => ({ tmdb_id: id, iso_639_1: l.code, name: l.name, english_name: l.englishName, ord })),
    movie_cast: (m.credits?.cast ?? []).map((c) => ({
      tmdb_id: id,
      person_id: c.personId,
      name: c.name,
      character: c.character,
      ord: c.order,
      credit_id: c.creditId,
      gender: c.gender,
      cast_id: c.castId
    })),
    movie_crew: (m.credits?.crew ?? []).map((c, ord) => ({
      tmdb_id: id,
      person_id: c.personId,
      name: c.name,
      department: c.department,
      job: c.job,
      credit_id: c.creditId,
      gender: c.gender,
      ord
    })),
    movie_keywords: (m.keywords ?? []).map((k, ord) => ({ tmdb_id: id, keyword_id: k.id, name: k.name, ord })),
    movie_release_dates: (m.releaseDates ?? []).map((r) => ({
      tmdb_id: id,
      country: r.country,
      type: r.type,
      release_date: r.releaseDate,
      certification: r.certification,
      note: r.note,
      language: r.language
    }))
  }
}
