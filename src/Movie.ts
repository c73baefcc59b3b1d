import { Schema } from "effect"

// TMDB says "unknown" three ways: "", 0 and null. Each field's sentinels are normalized
// here and nowhere else (../shared/tmdb-api-facts.md §5).

/** `""`, `null` or a missing key become `null`. */
const EmptyStringAsNull = Schema.transform(
  Schema.NullishOr(Schema.String),
  Schema.NullOr(Schema.String),
  {
    strict: true,
    decode: (s) => (s === undefined || s === null || s === "" ? null : s),
    encode: (s) => s ?? ""
  }
)

/** `0`, `null` or a missing key become `null`: TMDB sends 0 for an unknown budget, revenue or runtime. */
const ZeroAsNull = Schema.transform(
  Schema.NullishOr(Schema.Number.pipe(Schema.int(), Schema.nonNegative())),
  Schema.NullOr(Schema.Number),
  {
    strict: true,
    decode: (n) => (n === undefined || n === null || n === 0 ? null : n),
    encode: (n) => n ?? 0
  }
)

/** `YYYY-MM-DD`, or `null` where TMDB sends `""` (unreleased and sparse titles). */
const ReleaseDate = Schema.transform(
  Schema.NullishOr(Schema.Union(Schema.Literal(""), Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/)))),
  Schema.NullOr(Schema.String),
  {
    strict: true,
    decode: (s) => (s === undefined || s === null || s === "" ? null : s),
    encode: (s) => s ?? ""
  }
)

/** A float, the integer `0`, or (in legacy responses) a numeric string. */
const Score = Schema.transform(
  Schema.NullishOr(Schema.Union(Schema.Finite, Schema.NumberFromString.pipe(Schema.finite()))),
  Schema.Number,
  { strict: true, decode: (n) => n ?? 0, encode: (n) => n }
)

const Count = Schema.transform(
  Schema.NullishOr(Schema.Number.pipe(Schema.int(), Schema.nonNegative())),
  Schema.Number,
  { strict: true, decode: (n) => n ?? 0, encode: (n) => n }
)

const NamedEntity = Schema.Struct({ id: Schema.Number, name: Schema.String })

/** `[{id, name}]` de-duplicated by id, in TMDB's order, to a list of names. */
const NamesById = Schema.transform(
  Schema.NullishOr(Schema.Array(NamedEntity)),
  Schema.Array(Schema.String),
  {
    strict: true,
    decode: (items) => {
      const seen = new Set<number>()
      const names: Array<string> = []
      for (const item of items ?? []) {
        if (seen.has(item.id)) continue
        seen.add(item.id)
        names.push(item.name)
      }
      return names
    },
    encode: (names) => names.map((name, id) => ({ id, name }))
  }
)

const TmdbId = Schema.Number.pipe(Schema.int(), Schema.positive())

const optionalNull = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { default: () => null as Schema.Schema.Type<S> })

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

/** `/movie/{id}` decoded and normalized: the record that is stored. */
export const MovieDetailsFromWire = Schema.Struct({
  tmdbId: Schema.propertySignature(TmdbId).pipe(Schema.fromKey("id")),
  imdbId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("imdb_id")),
  title: Schema.String,
  originalTitle: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("original_title")),
  releaseDate: optionalNull(ReleaseDate).pipe(Schema.fromKey("release_date")),
  runtime: optionalNull(ZeroAsNull),
  budget: optionalNull(ZeroAsNull),
  revenue: optionalNull(ZeroAsNull),
  genres: Schema.optionalWith(NamesById, { default: () => [] }),
  productionCompanies: Schema.optionalWith(NamesById, { default: () => [] }).pipe(
    Schema.fromKey("production_companies")
  ),
  overview: optionalNull(EmptyStringAsNull),
  voteAverage: Schema.optionalWith(Score, { default: () => 0 }).pipe(Schema.fromKey("vote_average")),
  voteCount: Schema.optionalWith(Count, { default: () => 0 }).pipe(Schema.fromKey("vote_count")),
  popularity: Schema.optionalWith(Score, { default: () => 0 })
})
export interface MovieDetailsRecord extends Schema.Schema.Type<typeof MovieDetailsFromWire> {}

/** A details record plus the `append_to_response` sub-objects TMDB returned, kept raw. */
export interface MovieDetails extends MovieDetailsRecord {
  readonly appended: Readonly<Record<string, unknown>>
}

// ---------------------------------------------------------------------------
// /movie/changes

export const ChangesPageWire = Schema.Struct({
  page: Schema.Number,
  total_pages: Schema.Number,
  total_results: Schema.Number,
  // `adult` is null for some ids (fixtures/movie-changes-list-*.json).
  results: Schema.Array(Schema.Struct({ id: TmdbId, adult: Schema.optional(Schema.NullOr(Schema.Boolean)) }))
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
