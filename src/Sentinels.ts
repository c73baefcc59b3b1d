import { Schema } from "effect"

// TMDB says "unknown" three ways: "", 0 and null (seen in the real responses of
// sandbox/fixtures, e.g. movie-latest-*.json). Each field's sentinels are normalized here and
// nowhere else.

/** `""`, `null` or a missing key become `null`. */
export const EmptyStringAsNull = Schema.transform(
  Schema.NullishOr(Schema.String),
  Schema.NullOr(Schema.String),
  {
    strict: true,
    decode: (s) => (s === undefined || s === null || s === "" ? null : s),
    encode: (s) => s ?? ""
  }
)

/** `0`, `null` or a missing key become `null`: TMDB sends 0 for an unknown budget, revenue or runtime. */
export const ZeroAsNull = Schema.transform(
  Schema.NullishOr(Schema.Number.pipe(Schema.int(), Schema.nonNegative())),
  Schema.NullOr(Schema.Number),
  {
    strict: true,
    decode: (n) => (n === undefined || n === null || n === 0 ? null : n),
    encode: (n) => n ?? 0
  }
)

/** `YYYY-MM-DD`, or `null` where TMDB sends `""` (unreleased and sparse titles). */
export const ReleaseDate = Schema.transform(
  Schema.NullishOr(Schema.Union(Schema.Literal(""), Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/)))),
  Schema.NullOr(Schema.String),
  {
    strict: true,
    decode: (s) => (s === undefined || s === null || s === "" ? null : s),
    encode: (s) => s ?? ""
  }
)

/** A float, the integer `0`, or (in legacy responses) a numeric string. */
export const Score = Schema.transform(
  Schema.NullishOr(Schema.Union(Schema.Finite, Schema.NumberFromString.pipe(Schema.finite()))),
  Schema.Number,
  { strict: true, decode: (n) => n ?? 0, encode: (n) => n }
)

export const Count = Schema.transform(
  Schema.NullishOr(Schema.Number.pipe(Schema.int(), Schema.nonNegative())),
  Schema.Number,
  { strict: true, decode: (n) => n ?? 0, encode: (n) => n }
)

/** A list de-duplicated by `key`, keeping the first: TMDB repeats entries now and then. */
export const uniqueBy = <A, K>(items: ReadonlyArray<A> | null | undefined, key: (a: A) => K): Array<A> => {
  const seen = new Set<K>()
  const out: Array<A> = []
  for (const item of items ?? []) {
    const k = key(item)
    if (seen.has(k)) continue
    seen.add(k)
    out.push(item)
  }
  return out
}

/** A list that TMDB may send as `null` or leave out (both empty), de-duplicated by `key`. */
export const ListOf = <A, I>(item: Schema.Schema<A, I>, key: (a: A) => unknown) =>
  Schema.transform(Schema.NullishOr(Schema.Array(item)), Schema.Array(Schema.typeSchema(item)), {
    strict: true,
    decode: (items) => uniqueBy(items, key),
    encode: (items) => items
  })

export const TmdbId = Schema.Number.pipe(Schema.int(), Schema.positive())

export const optionalNull = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { default: () => null as Schema.Schema.Type<S> })

/** TMDB's `gender`: 1 female, 2 male, 3 non-binary; 0 is "not set" and becomes `null`. */
export const Gender = Schema.transform(
  Schema.NullishOr(Schema.Number.pipe(Schema.int(), Schema.between(0, 3))),
  Schema.NullOr(Schema.Number),
  { strict: true, decode: (n) => (n === undefined || n === null || n === 0 ? null : n), encode: (n) => n ?? 0 }
)

export const Flag = Schema.transform(Schema.NullishOr(Schema.Boolean), Schema.NullOr(Schema.Boolean), {
  strict: true,
  decode: (b) => b ?? null,
  encode: (b) => b
})

const isCalendarDate = (s: string) => {
  const date = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(s)
}

/**
 * A day on the calendar (`YYYY-MM-DD`), or `null` where TMDB sends `""` or nothing (a person's
 * unknown birthday). Stored as a date in PostgreSQL, which refuses a day not on the calendar:
 * such a body fails to decode, naming the field, rather than failing the batch it is written in.
 */
export const CalendarDate = Schema.transform(
  Schema.NullishOr(
    Schema.Union(Schema.Literal(""), Schema.String.pipe(Schema.filter(isCalendarDate, { message: () => "not a day on the calendar (YYYY-MM-DD)" })))
  ),
  Schema.NullOr(Schema.String),
  {
    strict: true,
    decode: (s) => (s === undefined || s === null || s === "" ? null : s),
    encode: (s) => s ?? ""
  }
)
