import type { TableDoc } from "./Types.js"

/** `movie_metrics_history` (6_metrics_history, src/schema/History.ts). */
export const metricsHistory: TableDoc = {
  name: "movie_metrics_history",
  about: "A row each time a run observed a movie's votes differ from its latest row here, or its popularity move by 10% of it " +
    "or more (its first observation too): how they moved over time, which TMDB keeps no history of. Written in the same " +
    "transaction as the movie's own row.",
  columns: [
    { name: "tmdb_id", type: "int32", meaning: "The movie (`movies.tmdb_id`).", source: "TMDB `id`" },
    {
      name: "observed_at",
      type: "timestamp",
      meaning: "When TMDB gave these numbers: the discover page's or details response's time; for the export, its day at 00:00 UTC.",
      unit: "UTC instant",
      source: "The collector (`movies.votes_at` as written)"
    },
    {
      name: "popularity",
      type: "double",
      meaning: "TMDB's popularity score, as stored in `movies.popularity`.",
      unit: "TMDB popularity (unitless, printed with 3 decimals)",
      source: "`popularity` of the discover result, the details response or the daily ID export line"
    },
    {
      name: "vote_count",
      type: "int32",
      meaning: "Votes cast. An export row carries the latest row's value (the `movies` row's when the movie had none): the export has no votes.",
      unit: "votes",
      source: "`vote_count` of the discover result or the details response"
    },
    {
      name: "vote_average",
      type: "double",
      meaning: "Mean vote, 0 when there are no votes. An export row carries the latest row's value (the `movies` row's when the movie had none).",
      unit: "points out of 10",
      source: "`vote_average` of the discover result or the details response"
    },
    {
      name: "source",
      type: "string",
      meaning: "What observed the numbers.",
      codes: [
        ["discover", "a /discover/movie page"],
        ["details", "a /movie/{id} response"],
        ["export", "the daily ID export (`movie_ids_MM_DD_YYYY.json.gz` with `--all`): popularity only"]
      ],
      source: "The collector"
    }
  ]
}
