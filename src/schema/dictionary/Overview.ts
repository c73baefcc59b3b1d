import type { TableDoc } from "./Types.js"

// The analyst's view (src/schema/Overview.ts): every value is read from the tables at query time.

const from = (what: string) => `the view, from ${what}`

export const overview: TableDoc = {
  name: "movie_overview",
  about: "A view: one row per movie TMDB still serves (`removed_at` NULL), with its directors, top cast and genres as text.",
  columns: [
    { name: "tmdb_id", type: "int32", meaning: "The movie, a `movies` key", source: from("`movies.tmdb_id`") },
    { name: "year", type: "int32", meaning: "Year of the primary release date; NULL when the movie has none", source: from("`movies.release_date`") },
    { name: "title", type: "string", meaning: "The movie's title", source: from("`movies.title`") },
    {
      name: "directors",
      type: "string",
      meaning: "The directors' names, comma-separated, each person once, in the order of the crew list; NULL when none is credited",
      source: from("`movie_crew` rows with `job` `Director`")
    },
    {
      name: "top_cast",
      type: "string",
      meaning: "The first three of the cast by billing order (`ord`), comma-separated; NULL when no cast is stored",
      source: from("`movie_cast`")
    },
    { name: "genres", type: "string", meaning: "Genre names in TMDB's order, comma-separated; NULL when none", source: from("`movie_genres`") },
    { name: "budget", type: "int64", meaning: "Production budget; NULL when unknown", unit: "US dollars", source: from("`movies.budget`") },
    { name: "revenue", type: "int64", meaning: "Box-office revenue; NULL when unknown", unit: "US dollars", source: from("`movies.revenue`") },
    {
      name: "revenue_to_budget",
      type: "double",
      meaning: "Revenue divided by budget; NULL when either is unknown",
      unit: "ratio",
      source: from("`movies.revenue` / `movies.budget`")
    },
    {
      name: "collection",
      type: "string",
      meaning: "The collection's name as `/collection/{id}` gives it, or as the movie names it until then; NULL when none",
      source: from("`collections.name`, else `movies.collection_name`")
    }
  ]
}
