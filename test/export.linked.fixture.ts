import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { MovieRepository } from "../services/MovieRepository.js"
import { collectionKind } from "../src/kinds/Collection.js"
import { companyKind } from "../src/kinds/Company.js"
import { personKind } from "../src/kinds/Person.js"
import { collectionOf, companyOf, personOf } from "../testing.js"

// The linked rows test/export.linked.test.ts exports, written the same way into any store (SQLite
// or PostgreSQL), and the columns each file must have.

export const T = "2026-01-02T00:00:00.000Z"
export const REMOVED = "2026-01-03T00:00:00.000Z"
export const TABLES = ["collections", "collection_parts", "companies", "people"] as const
// dprint-ignore
export const HEADERS = {
  collections: ["collection_id", "name", "overview", "poster_path", "backdrop_path", "details_fetched_at"],
  collection_parts: ["collection_id", "tmdb_id"],
  companies: ["company_id", "name", "description", "headquarters", "homepage", "origin_country", "parent_company_id", "parent_company_name", "logo_path",
    "details_fetched_at"],
  people: ["person_id", "name", "also_known_as", "gender", "birthday", "deathday", "place_of_birth", "known_for_department", "biography", "popularity",
    "adult", "imdb_id", "homepage", "profile_path", "details_fetched_at"]
} as const

export const HANKS_BIOGRAPHY = "Thomas Jeffrey Hanks, \"Tom\",\nborn in Concord."

// Removed rows (12, 902, 33) sit between written ones, so a page's id range covers them; 15, 903
// and 34 hold only the id and name a movie gave.
export const fill = Effect.gen(function*() {
  const repo = yield* MovieRepository
  const sql = yield* SqlClient.SqlClient
  yield* repo.saveRecords(
    collectionKind,
    [
      collectionOf({
        id: 10,
        name: "The Saga Collection",
        overview: "Three films, \"a saga\".",
        posterPath: "/p.jpg",
        parts: [{ id: 3 }, { id: 1 }, { id: 2 }]
      }),
      collectionOf({ id: 12, name: "Gone Saga", parts: [{ id: 7 }] }),
      collectionOf({ id: 30, name: "Another Saga", backdropPath: "/b.jpg", parts: [{ id: 4 }] })
    ],
    [],
    T
  )
  yield* repo.saveRecords(
    companyKind,
    [
      companyOf({ id: 901, name: "Lucasfilm Ltd.", originCountry: "US", headquarters: "San Francisco, California", parentCompany: { id: 2, name: "Disney" } }),
      companyOf({ id: 902, name: "Gone Pictures" }),
      companyOf({ id: 904, name: "Studio Ghibli", originCountry: "JP", description: "Anime, since 1985", logoPath: "/g.png" })
    ],
    [],
    T
  )
  yield* repo.saveRecords(
    personKind,
    [
      personOf({
        id: 31,
        name: "Tom Hanks",
        alsoKnownAs: ["Томас Хэнкс", "トム・ハンクス", "Tom \"Hanks\", Jr."],
        gender: 2,
        birthday: "1956-07-09",
        placeOfBirth: "Concord, California, USA",
        knownForDepartment: "Acting",
        biography: HANKS_BIOGRAPHY,
        popularity: 12.5,
        adult: false,
        imdbId: "nm0000158",
        profilePath: "/h.jpg"
      }),
      personOf({ id: 32, name: "Ann", gender: 1, birthday: "1930-05-31", deathday: "2020-01-02", popularity: 0.000372, adult: true }),
      personOf({ id: 33, name: "Gone Person", popularity: 1 })
    ],
    [],
    T
  )
  yield* sql`INSERT INTO collections (collection_id, name) VALUES (15, 'Named Saga')`
  yield* sql`INSERT INTO companies (company_id, name) VALUES (903, 'Named Pictures')`
  yield* sql`INSERT INTO people (person_id, name) VALUES (34, 'Named Person')`
  yield* sql`UPDATE collections SET removed_at = ${REMOVED} WHERE collection_id = 12`
  yield* sql`UPDATE companies SET removed_at = ${REMOVED} WHERE company_id = 902`
  yield* sql`UPDATE people SET removed_at = ${REMOVED} WHERE person_id = 33`
})
