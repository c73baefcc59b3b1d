import { index, table } from "./Dialect.js"

// 5_linked_records (README "Database schema"): the records a movie names, each kept as a record of
// its own: its collection, its production companies, its people. Every records table has the
// columns the collector keeps for any kind (`details_fetched_at`, `removed_at`, `exported_on`,
// `changed_at`); beside it, the kind's failures, leases (PostgreSQL's collectors) and payloads,
// shaped as the movies' are, so the workflow treats them alike.

const collections = table("collections", "block", [
  "collection_id int PRIMARY KEY",
  "name text",
  "overview text",
  "poster_path text",
  "backdrop_path text",
  "details_fetched_at instant",
  "removed_at instant",
  "exported_on date",
  "changed_at instant"
])

// Every part TMDB lists, stored movie or not: an analyst joins it to `movies` for the ones kept.
const collectionParts = table("collection_parts", "line", ["collection_id int NOT NULL", "tmdb_id int NOT NULL"])

const companies = table("companies", "block", [
  "company_id int PRIMARY KEY",
  "name text",
  "description text",
  "headquarters text",
  "homepage text",
  "origin_country text",
  "parent_company_id int",
  "parent_company_name text",
  "logo_path text",
  "details_fetched_at instant",
  "removed_at instant",
  "exported_on date",
  "changed_at instant"
])

const people = table("people", "block", [
  "person_id int PRIMARY KEY",
  "name text",
  "also_known_as json",
  "gender int",
  "birthday date",
  "deathday date",
  "place_of_birth text",
  "known_for_department text",
  "biography text",
  "popularity real",
  "adult bool",
  "imdb_id text",
  "homepage text",
  "profile_path text",
  "details_fetched_at instant",
  "removed_at instant",
  "exported_on date",
  "changed_at instant"
])

/** A kind's failures, leases and payloads, named after it (`person_failures`, ...), keyed by `key`. */
const beside = (kind: string, key: string) => [
  table(`${kind}_failures`, "line", [
    `${key} int PRIMARY KEY`,
    "kind text NOT NULL",
    "message text NOT NULL",
    "attempts int NOT NULL",
    "last_attempt_at instant NOT NULL"
  ]),
  table(`${kind}_leases`, "line", [`${key} int PRIMARY KEY`, "run_id bigint NOT NULL", "expires_at instant NOT NULL"]),
  table(`${kind}_payloads`, "line", [
    `${key} int PRIMARY KEY`,
    "fetched_at instant NOT NULL",
    "body bytes NOT NULL",
    "encoding text NOT NULL",
    "append text NOT NULL"
  ])
]

// Each records table is chosen from by when its details were fetched, as `movies` is.
export const linkedRecords = [
  collections,
  index("collections", "details_fetched_at"),
  collectionParts,
  index("collection_parts", "collection_id"),
  index("collection_parts", "tmdb_id"),
  ...beside("collection", "collection_id"),
  companies,
  index("companies", "details_fetched_at"),
  index("companies", "parent_company_id"),
  ...beside("company", "company_id"),
  people,
  index("people", "details_fetched_at"),
  ...beside("person", "person_id"),
  // The collector finds the companies a movie names by id.
  index("movie_companies", "company_id")
]
