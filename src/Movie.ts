import { Schema } from "effect"
import { Credits, ExternalIds, Keywords, ReleaseDates } from "./Appended.js"
import { Count, EmptyStringAsNull, Flag, ListOf, optionalNull, ReleaseDate, Score, TmdbId, ZeroAsNull } from "./Sentinels.js"

// ---------------------------------------------------------------------------
// /discover/movie

/** One `/discover/movie` result, decoded and normalized. Extra keys are ignored. */
export const DiscoveredMovieFromWire = Schema.Struct({
  tmdbId: Schema.propertySignature(TmdbId).pipe(Schema.fromKey("id")),
  title: Schema.String,
  releaseDate: optionalNull(ReleaseDate).pipe(Schema.fromKey("release_date")),
  voteAverage: Schema.optionalWith(Score, { default: () => 0 }).pipe(Schema.fromKey("vote_average")),
  voteCount: Schema.optionalWith(Count, { default: () => 0 }).pipe(Schema.fromKey("vote_count")),
  popularity: Schema.optionalWith(Score, { default: () => 0 })
})
export interface DiscoveredMovie extends Schema.Schema.Type<typeof DiscoveredMovieFromWire> {}

/**
 * The page envelope. Items stay `unknown` here so that one bad item fails alone
 * (see `decodeDiscoverPage`).
 */
export const DiscoverPageWire = Schema.Struct({
  page: Schema.Number.pipe(Schema.int()),
  results: Schema.Array(Schema.Unknown),
  total_pages: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  total_results: Schema.Number.pipe(Schema.int(), Schema.nonNegative())
})
export type DiscoverPageWire = typeof DiscoverPageWire.Type

// ---------------------------------------------------------------------------
// /movie/{id}

const Genre = Schema.Struct({ id: TmdbId, name: Schema.String })
export interface Genre extends Schema.Schema.Type<typeof Genre> {}

// Older records list companies as {name, id} only (sandbox/fixtures/movie-87421-*): no country.
const Company = Schema.Struct({
  id: TmdbId,
  name: Schema.String,
  originCountry: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("origin_country"))
})
export interface Company extends Schema.Schema.Type<typeof Company> {}

const Country = Schema.Struct({
  code: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("iso_3166_1")),
  name: optionalNull(EmptyStringAsNull)
})
export interface Country extends Schema.Schema.Type<typeof Country> {}

// `english_name` is missing from records before about late 2020 (sandbox/fixtures/movie-14160-up.json).
const Language = Schema.Struct({
  code: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("iso_639_1")),
  name: optionalNull(EmptyStringAsNull),
  englishName: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("english_name"))
})
export interface Language extends Schema.Schema.Type<typeof Language> {}

const Collection = Schema.Struct({ id: TmdbId, name: Schema.String })

/** `/movie/{id}` decoded and normalized: the record that is stored. */
export const MovieDetailsFromWire = Schema.Struct({
  tmdbId: Schema.propertySignature(TmdbId).pipe(Schema.fromKey("id")),
  imdbId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("imdb_id")),
  title: Schema.String,
  originalTitle: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("original_title")),
  originalLanguage: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("original_language")),
  releaseDate: optionalNull(ReleaseDate).pipe(Schema.fromKey("release_date")),
  runtime: optionalNull(ZeroAsNull),
  budget: optionalNull(ZeroAsNull),
  revenue: optionalNull(ZeroAsNull),
  status: optionalNull(EmptyStringAsNull),
  tagline: optionalNull(EmptyStringAsNull),
  homepage: optionalNull(EmptyStringAsNull),
  adult: optionalNull(Flag),
  video: optionalNull(Flag),
  posterPath: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("poster_path")),
  backdropPath: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("backdrop_path")),
  collection: optionalNull(Schema.NullOr(Collection)).pipe(Schema.fromKey("belongs_to_collection")),
  genres: Schema.optionalWith(ListOf(Genre, (g) => g.id), { default: () => [] }),
  productionCompanies: Schema.optionalWith(ListOf(Company, (c) => c.id), { default: () => [] }).pipe(
    Schema.fromKey("production_companies")
  ),
  productionCountries: Schema.optionalWith(ListOf(Country, (c) => c.code), { default: () => [] }).pipe(
    Schema.fromKey("production_countries")
  ),
  spokenLanguages: Schema.optionalWith(ListOf(Language, (l) => l.code), { default: () => [] }).pipe(
    Schema.fromKey("spoken_languages")
  ),
  overview: optionalNull(EmptyStringAsNull),
  voteAverage: Schema.optionalWith(Score, { default: () => 0 }).pipe(Schema.fromKey("vote_average")),
  voteCount: Schema.optionalWith(Count, { default: () => 0 }).pipe(Schema.fromKey("vote_count")),
  popularity: Schema.optionalWith(Score, { default: () => 0 }),
  // Appended sub-resources: null when not asked for (and not sent).
  credits: optionalNull(Schema.NullOr(Credits)),
  keywords: optionalNull(Schema.NullOr(Keywords)),
  releaseDates: optionalNull(Schema.NullOr(ReleaseDates)).pipe(Schema.fromKey("release_dates")),
  externalIds: optionalNull(Schema.NullOr(ExternalIds)).pipe(Schema.fromKey("external_ids"))
})
export interface MovieDetailsRecord extends Schema.Schema.Type<typeof MovieDetailsFromWire> {}

/** A details record, the other appended sub-objects kept raw, and the body as TMDB sent it. */
export interface MovieDetails extends MovieDetailsRecord {
  /** Appended sub-resources that have no typed field (`images`, `videos`, ...), as sent. */
  readonly appended: Readonly<Record<string, unknown>>
  /** The response body as received; the repository keeps it in `movie_payloads`. */
  readonly body?: string | undefined
  /** The sub-resources this fetch asked for: their tables are replaced when it is stored. */
  readonly append?: ReadonlyArray<string> | undefined
}

// ---------------------------------------------------------------------------
// /movie/changes

export const ChangesPageWire = Schema.Struct({
  page: Schema.Number,
  total_pages: Schema.Number,
  total_results: Schema.Number,
  // `adult` is null for some ids (fixtures/movie-changes-list-*.json), and `id` has been null
  // (https://github.com/jellyfin/TMDbLib/issues/296): such an item names no movie and is skipped.
  results: Schema.Array(Schema.Struct({ id: Schema.NullOr(TmdbId), adult: Schema.optional(Schema.NullOr(Schema.Boolean)) }))
})

// ---------------------------------------------------------------------------
// Error bodies

/**
 * `{status_code, status_message, success?}`. `success` is often absent (every legacy 429,
 * fixtures/error-404-not-found-no-success-field.json); key order varies.
 */
export const TmdbErrorBody = Schema.Struct({
  status_code: Schema.Number,
  status_message: Schema.String,
  success: Schema.optional(Schema.Boolean)
})
export type TmdbErrorBody = typeof TmdbErrorBody.Type

/** The other error shape TMDB sends: `{"errors": [...]}` (fixtures/error-422-validation-errors-array.json). */
export const TmdbErrorsBody = Schema.Struct({ errors: Schema.Array(Schema.String) })

/**
 * A movie for a test or a fake: the fields given, and every other one as TMDB says "unknown"
 * (null, empty lists, 0 votes), so a test names only what it cares about:
 * `movieDetailsOf({ title: "Fight Club", budget: 63_000_000 })`. Id 1 and "Untitled" unless given.
 */
export const movieDetailsOf = (fields: Partial<MovieDetails> = {}): MovieDetails => ({
  tmdbId: 1,
  title: "Untitled",
  imdbId: null,
  originalTitle: null,
  originalLanguage: null,
  releaseDate: null,
  runtime: null,
  budget: null,
  revenue: null,
  status: null,
  tagline: null,
  homepage: null,
  adult: null,
  video: null,
  posterPath: null,
  backdropPath: null,
  collection: null,
  genres: [],
  productionCompanies: [],
  productionCountries: [],
  spokenLanguages: [],
  overview: null,
  voteAverage: 0,
  voteCount: 0,
  popularity: 0,
  credits: null,
  keywords: null,
  releaseDates: null,
  externalIds: null,
  appended: {},
  ...fields
})
