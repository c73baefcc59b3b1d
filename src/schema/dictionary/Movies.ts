import { changedAt, COLLECTOR, detailsFetchedAt, exportedOn, imagePath, listedChanged, removedAt, textOrNull, tmdb, tmdbId } from "./Common.js"
import type { TableDoc } from "./Types.js"

// The `movies` table and the analyst's view over it (src/schema/Tables.ts, src/schema/Overview.ts).
// What each value is comes from the row builders: src/Rows.ts, src/Movie.ts, src/Sentinels.ts.

const DETAILS = "/movie/{id}"
const details = (field: string) => tmdb(DETAILS, field)

export const movies: TableDoc = {
  name: "movies",
  about: "One row per movie. Storing discover results never erases stored details, but every discover page refreshes the votes and " +
    "popularity it lists (`votes_at`), and with `--all` the daily ID export refreshes popularity. Until details are stored, a row " +
    "holds the discover fields (title, release date, votes, popularity), or for a movie known only from the export its original " +
    "title as `title`, its popularity, `adult` and `video`.",
  columns: [
    tmdbId("tmdb_id", "movie", "; the table's key", DETAILS),
    textOrNull("imdb_id", "IMDb's id (`tt…`)", DETAILS),
    {
      name: "title",
      type: "string",
      meaning: "Title in TMDB's default language (en-US); never NULL: a movie known only from the daily export holds its original title " +
        "until details arrive",
      source: `${details("title")}, \`/discover/movie\` \`title\`; the daily export's \`original_title\` until details`
    },
    textOrNull("original_title", "Title in the original language", DETAILS),
    {
      name: "release_date",
      type: "date",
      meaning: "Primary release date: the first theatrical or limited release, else the premiere, else any other " +
        "(https://www.themoviedb.org/bible/movie/59f3b16d9251414f20000009); NULL when TMDB sends `\"\"`. Text `YYYY-MM-DD` in both " +
        "databases: TMDB's day is checked for its shape only, and one off the calendar would make PostgreSQL refuse a whole batch",
      source: `${details("release_date")}, \`/discover/movie\` \`release_date\``
    },
    { name: "runtime", type: "int32", meaning: "Running time; NULL when TMDB sends `0` or `null` (unknown)", unit: "minutes", source: details("runtime") },
    { name: "budget", type: "int64", meaning: "Production budget; NULL when TMDB sends `0` (unknown)", unit: "US dollars", source: details("budget") },
    { name: "revenue", type: "int64", meaning: "Box-office revenue; NULL when TMDB sends `0` (unknown)", unit: "US dollars", source: details("revenue") },
    {
      name: "genres",
      type: "list<string>",
      meaning: "Genre names in TMDB's order, each genre once (by id), as `movie_genres` lists them; NULL until details are stored",
      source: details("genres[].name")
    },
    {
      name: "production_companies",
      type: "list<string>",
      meaning: "Production company names in TMDB's order, each company once (by id); NULL until details are stored",
      source: details("production_companies[].name")
    },
    textOrNull("overview", "Plot summary", DETAILS),
    {
      name: "vote_average",
      type: "double",
      meaning: "Mean of TMDB users' ratings, as of `votes_at`; `0` when the movie has no votes (or TMDB sends `null`)",
      unit: "0–10 score",
      source: `${details("vote_average")}, \`/discover/movie\` \`vote_average\``
    },
    {
      name: "vote_count",
      type: "int32",
      meaning: "Number of TMDB users' ratings, as of `votes_at`",
      unit: "votes",
      source: `${details("vote_count")}, \`/discover/movie\` \`vote_count\``
    },
    {
      name: "popularity",
      type: "double",
      meaning: "TMDB's popularity, as of `votes_at`: a relative score that moves every day with page views, votes, watchlists " +
        "and releases (https://developer.themoviedb.org/docs/popularity-and-trending); `0` when TMDB sends none",
      unit: "TMDB popularity score (no fixed scale)",
      source: `${details("popularity")}, \`/discover/movie\` and the daily export \`movie_ids\` \`popularity\``
    },
    {
      name: "discovered_at",
      type: "timestamp",
      meaning: "When the movie first entered the store (a discover page, the daily export or a details fetch); never moves after",
      source: COLLECTOR
    },
    detailsFetchedAt("movie", DETAILS),
    textOrNull("original_language", "ISO 639-1 code of the original language", DETAILS),
    {
      name: "status",
      type: "string",
      meaning: "Where the movie stands in its making; NULL when TMDB sends `\"\"` or nothing",
      codes: [
        ["Rumored", "announced but not confirmed"],
        ["Planned", "confirmed but not yet filming"],
        ["In Production", "filming"],
        ["Post Production", "filmed and being finished"],
        ["Released", "released somewhere"],
        ["Canceled", "will not be made"]
      ],
      source: details("status")
    },
    textOrNull("tagline", "Tagline", DETAILS),
    textOrNull("homepage", "Official website's URL", DETAILS),
    { name: "adult", type: "bool", meaning: "TMDB's adult flag; NULL when TMDB leaves it out (old records)", source: `${details("adult")}, the daily export` },
    {
      name: "video",
      type: "bool",
      meaning: "TMDB's video flag, for an entry that is a video release rather than a film (a concert, a making-of...); NULL when left out",
      source: `${details("video")}, the daily export`
    },
    imagePath("poster_path", "poster", DETAILS),
    imagePath("backdrop_path", "backdrop", DETAILS),
    {
      name: "collection_id",
      type: "int32",
      meaning: "The collection (franchise) the movie belongs to, a `collections` key; NULL when none",
      source: details("belongs_to_collection.id")
    },
    {
      name: "collection_name",
      type: "string",
      meaning: "The collection's name as the movie gives it (`collections.name` has the collection's own); NULL when none",
      source: details("belongs_to_collection.name")
    },
    {
      name: "production_countries",
      type: "list<string>",
      meaning: "ISO 3166-1 codes of the production countries, in TMDB's order, each once; NULL until details are stored",
      source: details("production_countries[].iso_3166_1")
    },
    {
      name: "spoken_languages",
      type: "list<string>",
      meaning: "ISO 639-1 codes of the spoken languages, in TMDB's order, each once; NULL until details are stored",
      source: details("spoken_languages[].iso_639_1")
    },
    {
      name: "wikidata_id",
      type: "string",
      meaning: "Wikidata's id (`Q…`); NULL when TMDB has none or `external_ids` was not appended",
      source: details("external_ids.wikidata_id")
    },
    {
      name: "votes_at",
      type: "timestamp",
      meaning: "When `vote_average`, `vote_count` and `popularity` were last written: by a discover page, a details fetch, or " +
        "(popularity only) the daily export, dated 00:00 UTC of its day. A fresher value is never replaced by an older one from the export",
      source: COLLECTOR
    },
    removedAt("movie"),
    exportedOn("movie_ids"),
    changedAt(listedChanged("/movie/changes"), tmdb("/movie/changes", "results[].id"))
  ]
}
