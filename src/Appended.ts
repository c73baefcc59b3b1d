import { Either, ParseResult, Schema } from "effect"
import { EmptyStringAsNull, Gender, optionalNull, TmdbId, uniqueBy } from "./Sentinels.js"

// The `append_to_response` sub-resources that get types and tables of their own.

// Legacy credits (fixtures/movie-87421-...) have neither `credit_id` nor `gender`.
export const CastMember = Schema.Struct({
  personId: Schema.propertySignature(TmdbId).pipe(Schema.fromKey("id")),
  name: Schema.String,
  character: optionalNull(EmptyStringAsNull),
  order: Schema.Number.pipe(Schema.int()),
  creditId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("credit_id")),
  gender: optionalNull(Gender),
  castId: optionalNull(Schema.NullOr(Schema.Number.pipe(Schema.int()))).pipe(Schema.fromKey("cast_id"))
})
export interface CastMember extends Schema.Schema.Type<typeof CastMember> {}

export const CrewMember = Schema.Struct({
  personId: Schema.propertySignature(TmdbId).pipe(Schema.fromKey("id")),
  name: Schema.String,
  department: Schema.String,
  job: Schema.String,
  creditId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("credit_id")),
  gender: optionalNull(Gender)
})
export interface CrewMember extends Schema.Schema.Type<typeof CrewMember> {}

/** `credits`: the cast in TMDB's `order`, the crew as listed. A person may appear more than once. */
export const Credits = Schema.Struct({
  cast: Schema.optionalWith(Schema.Array(CastMember), { default: () => [] }),
  crew: Schema.optionalWith(Schema.Array(CrewMember), { default: () => [] })
})
export interface Credits extends Schema.Schema.Type<typeof Credits> {}

export const Keyword = Schema.Struct({ id: TmdbId, name: Schema.String })
export interface Keyword extends Schema.Schema.Type<typeof Keyword> {}

/** Movie keywords come as `{keywords: [...]}` (TV's as `{results: [...]}`). */
export const Keywords = Schema.transform(
  Schema.Struct({ keywords: Schema.NullishOr(Schema.Array(Keyword)) }),
  Schema.Array(Schema.typeSchema(Keyword)),
  { strict: true, decode: (k) => uniqueBy(k.keywords, (x) => x.id), encode: (keywords) => ({ keywords }) }
)

const ReleaseWire = Schema.Struct({
  certification: optionalNull(EmptyStringAsNull),
  note: optionalNull(EmptyStringAsNull),
  language: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("iso_639_1")),
  releaseDate: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("release_date")),
  type: Schema.Number.pipe(Schema.int())
})

export const Release = Schema.Struct({
  country: Schema.String,
  type: Schema.Number,
  releaseDate: Schema.String,
  certification: Schema.NullOr(Schema.String),
  note: Schema.NullOr(Schema.String),
  language: Schema.NullOr(Schema.String)
})
/** One dated release in one country: TMDB's type 1 premiere ... 6 TV; the date is ISO-8601 as sent. */
export interface Release extends Schema.Schema.Type<typeof Release> {}

/** `release_dates`, grouped by country on the wire, flattened to one entry per release. */
export const ReleaseDates = Schema.transformOrFail(
  Schema.Struct({
    results: Schema.NullishOr(Schema.Array(Schema.Struct({ iso_3166_1: Schema.String, release_dates: Schema.Array(ReleaseWire) })))
  }),
  Schema.Array(Release),
  {
    strict: true,
    decode: (w) => ParseResult.succeed((w.results ?? []).flatMap((c) => c.release_dates.map((r) => ({ ...r, country: c.iso_3166_1 })))),
    encode: (releases, _, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, releases, "release dates are not encoded back"))
  }
)

/** `external_ids`. Every id may be null; `""` is read as null too. */
export const ExternalIds = Schema.Struct({
  imdbId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("imdb_id")),
  wikidataId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("wikidata_id")),
  facebookId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("facebook_id")),
  instagramId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("instagram_id")),
  twitterId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("twitter_id"))
})
export interface ExternalIds extends Schema.Schema.Type<typeof ExternalIds> {}

/** The `append_to_response` sub-resources that are decoded, typed and stored in tables of their own. */
export const TYPED_APPENDS = ["credits", "keywords", "release_dates", "external_ids"] as const

/** What a details fetch appends unless told otherwise: everything that has a table. */
export const DEFAULT_APPEND: ReadonlyArray<string> = [...TYPED_APPENDS]

/**
 * The movie sub-resources `append_to_response` takes (developer.themoviedb.org, movie details).
 * `account_states` is left out: it needs a user session.
 */
export const KNOWN_APPENDS: ReadonlyArray<string> = [
  "alternative_titles",
  "changes",
  "credits",
  "external_ids",
  "images",
  "keywords",
  "lists",
  "recommendations",
  "release_dates",
  "reviews",
  "similar",
  "translations",
  "videos",
  "watch/providers"
]

/** Sub-requests allowed per call: TMDB answers 21 with HTTP 400, status_code 27. */
export const MAX_APPEND = 20

/**
 * Checks an append list: TMDB silently ignores a name it does not know, so a typo would quietly
 * drop a table's data; it refuses more than 20 names, repeats included. Repeats are then dropped.
 * The error is one line, naming the known names.
 */
export const checkAppend = (
  names: ReadonlyArray<string>
): Either.Either<ReadonlyArray<string>, { readonly tooMany: boolean; readonly message: string }> => {
  const given = names.map((n) => n.trim()).filter((n) => n !== "")
  if (given.length > MAX_APPEND) return Either.left({ tooMany: true, message: `append_to_response takes at most ${MAX_APPEND} names, got ${given.length}` })
  const unknown = Array.from(new Set(given.filter((n) => !KNOWN_APPENDS.includes(n))))
  if (unknown.length > 0) {
    const message = `unknown append_to_response name${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; known: ${KNOWN_APPENDS.join(", ")}`
    return Either.left({ tooMany: false, message })
  }
  return Either.right(Array.from(new Set(given)))
}
