import { Effect, Schema } from "effect"
import { chunks } from "../MovieWrites.js"
import { EmptyStringAsNull, ListOf, optionalNull, TmdbId } from "../Sentinels.js"
import { linkedKind, namedExportLine, storedSince } from "./Linked.js"

/**
 * `/collection/{id}` (https://developer.themoviedb.org/reference/collection-details), decoded:
 * a franchise, named as TMDB names the collection (which can differ from what a movie's
 * `belongs_to_collection` says), and the ids of every part it lists, stored movie or not.
 */
export const CollectionFromWire = Schema.Struct({
  id: TmdbId,
  name: Schema.String,
  overview: optionalNull(EmptyStringAsNull),
  posterPath: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("poster_path")),
  backdropPath: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("backdrop_path")),
  parts: Schema.optionalWith(ListOf(Schema.Struct({ id: TmdbId }), (p) => p.id), { default: () => [] })
})

/** A collection as stored, with the body TMDB sent. */
export interface CollectionRecord extends Schema.Schema.Type<typeof CollectionFromWire> {
  readonly body?: string | undefined
}

/**
 * Collections, for every collection a stored movie names. TMDB keeps no changes feed for them
 * (the feeds are movie, person and TV: https://developer.themoviedb.org/docs/tracking-content-changes):
 * one is read again when it goes stale, and when a stored movie starts or stops naming it.
 */
export const collectionKind = linkedKind({
  name: "collection",
  records: "collections",
  key: "collection_id",
  path: "/collection",
  schema: CollectionFromWire,
  row: (c: CollectionRecord) => ({
    collection_id: c.id,
    name: c.name,
    overview: c.overview,
    poster_path: c.posterPath,
    backdrop_path: c.backdropPath
  }),
  children: (sql, collections) =>
    Effect.gen(function*() {
      for (const chunk of chunks(collections)) {
        yield* sql`DELETE FROM collection_parts WHERE ${sql.in("collection_id", chunk.map((c) => c.id))}`
        for (const rows of chunks(chunk.flatMap((c) => c.parts.map((p) => ({ collection_id: c.id, tmdb_id: p.id }))), 1000)) {
          yield* sql`INSERT INTO collection_parts ${sql.insert(rows)}`
        }
      }
    }),
  exports: {
    files: () => ["collection_ids"],
    parse: namedExportLine,
    columns: (line) => ({ name: line.name })
  },
  linked: (sql, since) =>
    sql`INSERT INTO collections (collection_id, name)
      SELECT collection_id, min(collection_name) FROM movies
      WHERE collection_id IS NOT NULL${storedSince(sql, since)}
      GROUP BY collection_id
      ON CONFLICT (collection_id) DO NOTHING RETURNING collection_id`
})

/** A collection for a fake: the fields given, every other one unknown (no parts). Id 1, "Untitled Collection". */
export const collectionOf = (fields: Partial<CollectionRecord> = {}): CollectionRecord => ({
  id: 1,
  name: "Untitled Collection",
  overview: null,
  posterPath: null,
  backdropPath: null,
  parts: [],
  ...fields
})
