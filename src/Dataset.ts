import { Schema } from "effect"
import { type Json, pythonFloat, pythonJson } from "./PythonText.js"

export { pythonFloat, pythonJson } from "./PythonText.js"

// The shape of Kaggle's "TMDB 5000" dataset (tmdb_5000_movies.csv, tmdb_5000_credits.csv), so
// notebooks written for it run on a fresh copy: its columns in its order, its JSON-in-cell text,
// its way of saying "unknown".

export const ExportFormat = Schema.Literal("csv", "jsonl", "parquet")
export type ExportFormat = typeof ExportFormat.Type

// dprint-ignore
export const MOVIE_COLUMNS = [
  "budget", "genres", "homepage", "id", "keywords", "original_language", "original_title", "overview", "popularity", "production_companies",
  "production_countries", "release_date", "revenue", "runtime", "spoken_languages", "status", "tagline", "title", "vote_average", "vote_count"
] as const

export const CREDIT_COLUMNS = ["movie_id", "title", "cast", "crew"] as const

/** The two files a csv or jsonl export writes into its folder. */
export const exportFiles = (format: "csv" | "jsonl") => ({ movies: `tmdb_5000_movies.${format}`, credits: `tmdb_5000_credits.${format}` }) as const

/**
 * Writing the dataset failed: its folder or a file cannot be created or written. Not the
 * `ExportError` of TMDB's daily ID exports, so `catchTag` tells them apart.
 */
export class DatasetError extends Schema.TaggedError<DatasetError>()("DatasetError", { path: Schema.String, message: Schema.String }) {}

// The rows an export reads, column for column (README "Database schema"); NULL is unknown.
const Id = { tmdb_id: Schema.Number }
const Text = Schema.NullOr(Schema.String)
const Num = Schema.NullOr(Schema.Number)

export const MovieSource = Schema.Struct({
  ...Id,
  title: Schema.String,
  original_title: Text,
  release_date: Text,
  runtime: Num,
  budget: Num,
  revenue: Num,
  overview: Text,
  vote_average: Num,
  vote_count: Num,
  popularity: Num,
  original_language: Text,
  status: Text,
  tagline: Text,
  homepage: Text
})
export type MovieSource = typeof MovieSource.Type

export const GenreSource = Schema.Struct({ ...Id, genre_id: Schema.Number, name: Schema.String })
export const KeywordSource = Schema.Struct({ ...Id, keyword_id: Schema.Number, name: Schema.String })
export const CompanySource = Schema.Struct({ ...Id, company_id: Schema.Number, name: Schema.String })
export const CountrySource = Schema.Struct({ ...Id, iso_3166_1: Schema.String, name: Text })
export const LanguageSource = Schema.Struct({ ...Id, iso_639_1: Schema.String, name: Text })
export const CastSource = Schema.Struct({
  ...Id,
  person_id: Schema.Number,
  name: Schema.String,
  character: Text,
  ord: Schema.Number,
  credit_id: Text,
  gender: Num,
  cast_id: Num
})
export const CrewSource = Schema.Struct({
  ...Id,
  person_id: Schema.Number,
  name: Schema.String,
  department: Schema.String,
  job: Schema.String,
  credit_id: Text,
  gender: Num
})

/** One page of movies and every child row of theirs, each list ordered by (tmdb_id, ord). */
export interface SourcePage {
  readonly movies: ReadonlyArray<MovieSource>
  readonly genres: ReadonlyArray<typeof GenreSource.Type>
  readonly keywords: ReadonlyArray<typeof KeywordSource.Type>
  readonly companies: ReadonlyArray<typeof CompanySource.Type>
  readonly countries: ReadonlyArray<typeof CountrySource.Type>
  readonly languages: ReadonlyArray<typeof LanguageSource.Type>
  readonly cast: ReadonlyArray<typeof CastSource.Type>
  readonly crew: ReadonlyArray<typeof CrewSource.Type>
}

/** A row of tmdb_5000_movies: the JSONL object, and the CSV row once `movieCells` flattens it. */
export type MovieRecord = {
  readonly budget: number
  readonly genres: ReadonlyArray<{ readonly id: number; readonly name: string }>
  readonly homepage: string
  readonly id: number
  readonly keywords: ReadonlyArray<{ readonly id: number; readonly name: string }>
  readonly original_language: string
  readonly original_title: string
  readonly overview: string
  readonly popularity: number
  readonly production_companies: ReadonlyArray<{ readonly name: string; readonly id: number }>
  readonly production_countries: ReadonlyArray<{ readonly iso_3166_1: string; readonly name: string }>
  readonly release_date: string
  readonly revenue: number
  readonly runtime: number | null
  readonly spoken_languages: ReadonlyArray<{ readonly iso_639_1: string; readonly name: string }>
  readonly status: string
  readonly tagline: string
  readonly title: string
  readonly vote_average: number
  readonly vote_count: number
}

type CastItem = {
  readonly cast_id: number
  readonly character: string
  readonly credit_id: string
  readonly gender: number
  readonly id: number
  readonly name: string
  readonly order: number
}
type CrewItem = {
  readonly credit_id: string
  readonly department: string
  readonly gender: number
  readonly id: number
  readonly job: string
  readonly name: string
}

/** A row of tmdb_5000_credits. */
export type CreditsRecord = {
  readonly movie_id: number
  readonly title: string
  readonly cast: ReadonlyArray<CastItem>
  readonly crew: ReadonlyArray<CrewItem>
}

const byMovie = <A extends { readonly tmdb_id: number }>(rows: ReadonlyArray<A>): Map<number, Array<A>> => {
  const groups = new Map<number, Array<A>>()
  for (const row of rows) {
    const group = groups.get(row.tmdb_id)
    if (group === undefined) groups.set(row.tmdb_id, [row])
    else group.push(row)
  }
  return groups
}

/** The page's movies, in order, as TMDB 5000 records. Key order inside each item is the dataset's. */
export const shapePage = (page: SourcePage): Array<{ readonly movie: MovieRecord; readonly credits: CreditsRecord }> => {
  const genres = byMovie(page.genres)
  const keywords = byMovie(page.keywords)
  const companies = byMovie(page.companies)
  const countries = byMovie(page.countries)
  const languages = byMovie(page.languages)
  const cast = byMovie(page.cast)
  const crew = byMovie(page.crew)
  return page.movies.map((m) => {
    const of = <A>(groups: Map<number, Array<A>>) => groups.get(m.tmdb_id) ?? []
    const movie: MovieRecord = {
      // TMDB 5000 says 0 for an unknown budget or revenue, and "" for a missing text.
      budget: m.budget ?? 0,
      genres: of(genres).map((g) => ({ id: g.genre_id, name: g.name })),
      homepage: m.homepage ?? "",
      id: m.tmdb_id,
      keywords: of(keywords).map((k) => ({ id: k.keyword_id, name: k.name })),
      original_language: m.original_language ?? "",
      original_title: m.original_title ?? "",
      overview: m.overview ?? "",
      popularity: m.popularity ?? 0,
      production_companies: of(companies).map((c) => ({ name: c.name, id: c.company_id })),
      production_countries: of(countries).map((c) => ({ iso_3166_1: c.iso_3166_1, name: c.name ?? "" })),
      release_date: m.release_date ?? "",
      revenue: m.revenue ?? 0,
      runtime: m.runtime,
      // The dataset's `name` is the language's own name (Español), not the English one.
      spoken_languages: of(languages).map((l) => ({ iso_639_1: l.iso_639_1, name: l.name ?? "" })),
      status: m.status ?? "",
      tagline: m.tagline ?? "",
      title: m.title,
      vote_average: m.vote_average ?? 0,
      vote_count: m.vote_count ?? 0
    }
    const credits: CreditsRecord = {
      movie_id: m.tmdb_id,
      title: m.title,
      // TMDB's gender 0 is "not set", which is what NULL stores.
      cast: of(cast).map((c) => ({
        cast_id: c.cast_id ?? 0,
        character: c.character ?? "",
        credit_id: c.credit_id ?? "",
        gender: c.gender ?? 0,
        id: c.person_id,
        name: c.name,
        order: c.ord
      })),
      crew: of(crew).map((c) => ({
        credit_id: c.credit_id ?? "",
        department: c.department,
        gender: c.gender ?? 0,
        id: c.person_id,
        job: c.job,
        name: c.name
      }))
    }
    return { movie, credits }
  })
}

const cell = (value: Json, float: boolean): string =>
  value === null ? "" : typeof value === "string" ? value : typeof value === "number" ? (float ? pythonFloat(value) : String(value)) : pythonJson(value)

// pandas wrote these as floats: runtime too, since its unknowns (NaN) made the column float (162.0).
const FLOAT_COLUMNS: ReadonlySet<string> = new Set(["popularity", "runtime", "vote_average"])

/** A movie record as CSV cells, in MOVIE_COLUMNS order; an unknown runtime is an empty cell. */
export const movieCells = (record: MovieRecord): Array<string> => MOVIE_COLUMNS.map((column) => cell(record[column], FLOAT_COLUMNS.has(column)))

/** A credits record as CSV cells, in CREDIT_COLUMNS order. */
export const creditsCells = (record: CreditsRecord): Array<string> => CREDIT_COLUMNS.map((column) => cell(record[column], false))
