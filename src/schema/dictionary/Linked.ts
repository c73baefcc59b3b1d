import { changedAt, COLLECTOR, detailsFetchedAt, exportedOn, GENDER, imagePath, listedChanged, removedAt, textOrNull, tmdb, tmdbId } from "./Common.js"
import type { ColumnDoc, TableDoc } from "./Types.js"

// The records a movie names, each kept as a record of its own (src/schema/Linked.ts; what each
// value is: src/kinds/Collection.ts, Company.ts, Person.ts).

const COLLECTION = "/collection/{id}"
const COMPANY = "/company/{id}"
const PERSON = "/person/{id}"

/** TMDB keeps no changes feed for collections or companies, only movies, people and TV (https://developer.themoviedb.org/docs/tracking-content-changes). */
const noFeed = (records: string) => `TMDB keeps no changes feed for ${records}, which are read again once stale (\`--stale-after-days\`)`

/** A record's name: its own once fetched, and kept fresh by the daily export. */
const name = (record: string, request: string, file: string, before: string): ColumnDoc => ({
  name: "name",
  type: "string",
  meaning: `The ${record}'s name as \`${request}\` gives it; until then ${before}. The daily export refreshes it as of its day`,
  source: `${tmdb(request, "name")}; the daily export \`${file}\``
})

export const linked: ReadonlyArray<TableDoc> = [
  {
    name: "collections",
    about: `One row per collection (a franchise) a stored movie names. ${noFeed("collections")}, and when a stored movie starts or ` +
      "stops naming one, or is deleted (its list of parts has changed).",
    columns: [
      tmdbId("collection_id", "collection", "; the table's key", COLLECTION),
      name("collection", COLLECTION, "collection_ids", "the name a movie's `belongs_to_collection` gives it, which can differ"),
      textOrNull("overview", "The collection's summary", COLLECTION),
      imagePath("poster_path", "poster", COLLECTION),
      imagePath("backdrop_path", "backdrop", COLLECTION),
      detailsFetchedAt("collection", COLLECTION),
      removedAt("collection"),
      exportedOn("collection_ids"),
      changedAt("When a stored movie started or stopped naming the collection, or was deleted; details fetched before it are fetched again", COLLECTOR)
    ]
  },
  {
    name: "collection_parts",
    about: "One row per part TMDB lists for a collection, stored movie or not: join `movies` for the ones kept. Rewritten with its collection.",
    columns: [
      { name: "collection_id", type: "int32", meaning: "The collection, a `collections` key", source: tmdb(COLLECTION, "id") },
      {
        name: "tmdb_id",
        type: "int32",
        meaning: "TMDB's id of a movie in it; in `movies` only when the store keeps it",
        source: tmdb(COLLECTION, "parts[].id")
      }
    ]
  },
  {
    name: "companies",
    about: `One row per production company a stored movie names (a parent company only as \`parent_company_id\`, unless a movie names it too). ${
      noFeed("companies")
    }.`,
    columns: [
      tmdbId("company_id", "company", "; the table's key", COMPANY),
      name("company", COMPANY, "production_company_ids", "the name a movie gives it"),
      textOrNull("description", "The company's description", COMPANY),
      textOrNull("headquarters", "Where the company is based, as TMDB writes it", COMPANY),
      textOrNull("homepage", "The company's website URL", COMPANY),
      textOrNull("origin_country", "ISO 3166-1 code of the company's country (until fetched, as a movie gives it)", COMPANY),
      {
        name: "parent_company_id",
        type: "int32",
        meaning: "TMDB's id of the parent company; NULL when none. Has a row of its own only when a stored movie names it",
        source: tmdb(COMPANY, "parent_company.id")
      },
      {
        name: "parent_company_name",
        type: "string",
        meaning: "The parent's name as the company's body gives it, whatever the parent's own row; NULL when none",
        source: tmdb(COMPANY, "parent_company.name")
      },
      imagePath("logo_path", "logo", COMPANY),
      detailsFetchedAt("company", COMPANY),
      removedAt("company"),
      exportedOn("production_company_ids"),
      changedAt(`Always NULL: ${noFeed("companies")}`, COLLECTOR)
    ]
  },
  {
    name: "people",
    about: "One row per person a stored movie credits, in its cast or its crew; kept only with `--people`. `/person/changes` says which changed.",
    columns: [
      tmdbId("person_id", "person", "; the table's key", PERSON),
      name("person", PERSON, "person_ids", "the name a credit gives them"),
      {
        name: "also_known_as",
        type: "list<string>",
        meaning: "Other names (translations, birth names), each once; `[]` when none; NULL until details are stored",
        source: tmdb(PERSON, "also_known_as")
      },
      { name: "gender", type: "int32", meaning: "The person's gender", codes: GENDER, source: tmdb(PERSON, "gender") },
      { name: "birthday", type: "date", meaning: "Day of birth; NULL when TMDB sends `\"\"` or nothing", source: tmdb(PERSON, "birthday") },
      { name: "deathday", type: "date", meaning: "Day of death; NULL when TMDB sends `\"\"` or nothing (alive, or unknown)", source: tmdb(PERSON, "deathday") },
      textOrNull("place_of_birth", "Place of birth, as TMDB writes it", PERSON),
      textOrNull("known_for_department", "The department the person is best known for (e.g. `Acting`, `Directing`)", PERSON),
      textOrNull("biography", "Biography", PERSON),
      {
        name: "popularity",
        type: "double",
        meaning: "TMDB's popularity of the person (https://developer.themoviedb.org/docs/popularity-and-trending); `0` when TMDB sends none. " +
          "The daily export refreshes it as of its day",
        unit: "TMDB popularity score (no fixed scale)",
        source: `${tmdb(PERSON, "popularity")}; the daily export \`person_ids\``
      },
      { name: "adult", type: "bool", meaning: "TMDB's adult flag; NULL when TMDB leaves it out", source: tmdb(PERSON, "adult") },
      {
        name: "imdb_id",
        type: "string",
        meaning: "IMDb's id (`nm…`); NULL when TMDB sends `\"\"` or nothing",
        source: `${tmdb(PERSON, "imdb_id")}, else its appended \`external_ids.imdb_id\``
      },
      textOrNull("homepage", "The person's website URL", PERSON),
      imagePath("profile_path", "profile", PERSON),
      detailsFetchedAt("person", PERSON),
      removedAt("person"),
      exportedOn("person_ids"),
      changedAt(listedChanged("/person/changes"), tmdb("/person/changes", "results[].id"))
    ]
  }
]
