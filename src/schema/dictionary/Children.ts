import { GENDER, tmdb, tmdbId } from "./Common.js"
import type { ColumnDoc, TableDoc } from "./Types.js"

// The child tables of `movies`, one row per item of a list in the movie's latest details response
// (src/Rows.ts `childRows`). A field under `credits`, `keywords` or `release_dates` is in that
// response when it appended the sub-resource (`append_to_response`; src/Appended.ts).

const DETAILS = "/movie/{id}"

/** What every child table says of its rows; `append`: the sub-resource that brings them, if any. */
const about = (what: string, append?: string) =>
  `${what} Rewritten with its movie from each details response${append === undefined ? "" : `; none for a response that did not ask for \`${append}\``}.`

const movie: ColumnDoc = { name: "tmdb_id", type: "int32", meaning: "The movie, a `movies` key", source: tmdb(DETAILS, "id") }

/** `ord`: where the item stands in TMDB's list. */
const ord = (list: string): ColumnDoc => ({ name: "ord", type: "int32", meaning: `0-based position in TMDB's \`${list}\` list`, source: "the collector" })

const person = (request: string, list: string): Array<ColumnDoc> => [
  tmdbId("person_id", "person", ", a `people` key", request, `${list}[].id`),
  { name: "name", type: "string", meaning: "The person's name, as the credit gives it", source: tmdb(request, `${list}[].name`) }
]

const creditId = (request: string, list: string): ColumnDoc => ({
  name: "credit_id",
  type: "string",
  meaning: "TMDB's id of the credit (`/credit/{id}`); NULL in legacy credits",
  source: tmdb(request, `${list}[].credit_id`)
})

const gender = (request: string, list: string): ColumnDoc => ({
  name: "gender",
  type: "int32",
  meaning: "The person's gender, as the credit gives it",
  codes: GENDER,
  source: tmdb(request, `${list}[].gender`)
})

export const children: ReadonlyArray<TableDoc> = [
  {
    name: "movie_genres",
    about: about("One row per genre of the movie, each genre once (by id)."),
    columns: [
      movie,
      { name: "genre_id", type: "int32", meaning: "TMDB's id of the genre", source: tmdb(DETAILS, "genres[].id") },
      { name: "name", type: "string", meaning: "The genre's name (English)", source: tmdb(DETAILS, "genres[].name") },
      ord("genres")
    ]
  },
  {
    name: "movie_companies",
    about: about("One row per production company of the movie, each company once (by id)."),
    columns: [
      movie,
      tmdbId("company_id", "company", ", a `companies` key", DETAILS, "production_companies[].id"),
      { name: "name", type: "string", meaning: "The company's name", source: tmdb(DETAILS, "production_companies[].name") },
      {
        name: "origin_country",
        type: "string",
        meaning: "ISO 3166-1 code of the company's country; NULL when TMDB sends `\"\"` or nothing (records before 2017)",
        source: tmdb(DETAILS, "production_companies[].origin_country")
      },
      ord("production_companies")
    ]
  },
  {
    name: "movie_countries",
    about: about("One row per production country of the movie, each country once."),
    columns: [
      movie,
      { name: "iso_3166_1", type: "string", meaning: "ISO 3166-1 code of the country", source: tmdb(DETAILS, "production_countries[].iso_3166_1") },
      {
        name: "name",
        type: "string",
        meaning: "The country's English name; NULL when TMDB sends `\"\"`",
        source: tmdb(DETAILS, "production_countries[].name")
      },
      ord("production_countries")
    ]
  },
  {
    name: "movie_languages",
    about: about("One row per spoken language of the movie, each language once."),
    columns: [
      movie,
      { name: "iso_639_1", type: "string", meaning: "ISO 639-1 code of the language", source: tmdb(DETAILS, "spoken_languages[].iso_639_1") },
      {
        name: "name",
        type: "string",
        meaning: "The language's own name for itself; NULL when TMDB sends `\"\"`",
        source: tmdb(DETAILS, "spoken_languages[].name")
      },
      {
        name: "english_name",
        type: "string",
        meaning: "The language's English name; NULL in records before late 2020, which lack it",
        source: tmdb(DETAILS, "spoken_languages[].english_name")
      },
      ord("spoken_languages")
    ]
  },
  {
    name: "movie_cast",
    about: about("One row per cast credit of the movie; a person may appear more than once.", "credits"),
    columns: [
      movie,
      ...person(DETAILS, "credits.cast"),
      { name: "character", type: "string", meaning: "The role played; NULL when TMDB sends `\"\"`", source: tmdb(DETAILS, "credits.cast[].character") },
      {
        name: "ord",
        type: "int32",
        meaning: "Billing order, TMDB's `order`: 0 is the top-billed",
        source: tmdb(DETAILS, "credits.cast[].order")
      },
      creditId(DETAILS, "credits.cast"),
      gender(DETAILS, "credits.cast"),
      {
        name: "cast_id",
        type: "int32",
        meaning: "TMDB's older id of the cast entry within the movie; NULL when TMDB sends none",
        source: tmdb(DETAILS, "credits.cast[].cast_id")
      }
    ]
  },
  {
    name: "movie_crew",
    about: about("One row per crew credit of the movie: a person with two jobs has two rows.", "credits"),
    columns: [
      movie,
      ...person(DETAILS, "credits.crew"),
      {
        name: "department",
        type: "string",
        meaning: "The department (e.g. `Directing`, `Writing`, `Sound`)",
        source: tmdb(DETAILS, "credits.crew[].department")
      },
      {
        name: "job",
        type: "string",
        meaning: "The job (e.g. `Director`, `Screenplay`, `Original Music Composer`)",
        source: tmdb(DETAILS, "credits.crew[].job")
      },
      creditId(DETAILS, "credits.crew"),
      gender(DETAILS, "credits.crew"),
      ord("credits.crew")
    ]
  },
  {
    name: "movie_keywords",
    about: about("One row per keyword of the movie, each keyword once (by id).", "keywords"),
    columns: [
      movie,
      { name: "keyword_id", type: "int32", meaning: "TMDB's id of the keyword", source: tmdb(DETAILS, "keywords.keywords[].id") },
      { name: "name", type: "string", meaning: "The keyword", source: tmdb(DETAILS, "keywords.keywords[].name") },
      ord("keywords.keywords")
    ]
  },
  {
    name: "movie_release_dates",
    about: about("One row per dated release of the movie in one country (TMDB groups them by country).", "release_dates"),
    columns: [
      movie,
      { name: "country", type: "string", meaning: "ISO 3166-1 code of the country released in", source: tmdb(DETAILS, "release_dates.results[].iso_3166_1") },
      {
        name: "type",
        type: "int32",
        meaning: "The kind of release (https://developer.themoviedb.org/reference/movie-release-dates)",
        codes: [["1", "Premiere"], ["2", "Theatrical (limited)"], ["3", "Theatrical"], ["4", "Digital"], ["5", "Physical"], ["6", "TV"]],
        source: tmdb(DETAILS, "release_dates.results[].release_dates[].type")
      },
      {
        name: "release_date",
        type: "timestamp",
        meaning: "The release's date, an ISO-8601 instant as TMDB sends it (e.g. `1999-10-15T00:00:00.000Z`), kept as text",
        source: tmdb(DETAILS, "release_dates.results[].release_dates[].release_date")
      },
      {
        name: "certification",
        type: "string",
        meaning: "The age rating in that country (e.g. `PG-13`); NULL when TMDB sends `\"\"`",
        source: tmdb(DETAILS, "release_dates.results[].release_dates[].certification")
      },
      {
        name: "note",
        type: "string",
        meaning: "TMDB's note on the release (e.g. a festival's name); NULL when TMDB sends `\"\"`",
        source: tmdb(DETAILS, "release_dates.results[].release_dates[].note")
      },
      {
        name: "language",
        type: "string",
        meaning: "ISO 639-1 code of the release's language, given only where releases differ by language; NULL when TMDB sends `\"\"`",
        source: tmdb(DETAILS, "release_dates.results[].release_dates[].iso_639_1")
      }
    ]
  }
]
