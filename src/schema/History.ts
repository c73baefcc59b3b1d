import { index, table } from "./Dialect.js"

// 6_metrics_history (README "History of popularity and votes"): a row each time a run sees a
// movie's popularity or votes differ from the latest row it holds for that movie. The one index
// serves both questions asked of it: a movie's latest row (each write compares with it) and a
// movie over time.

export const metricsHistory = [
  table("movie_metrics_history", "line", [
    "tmdb_id int NOT NULL",
    "observed_at instant NOT NULL",
    "popularity real",
    "vote_count int",
    "vote_average real",
    "source text NOT NULL"
  ]),
  index("movie_metrics_history", "tmdb_id", "observed_at")
]
