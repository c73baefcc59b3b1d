import { Schema } from "effect"
import { FailureKind } from "./Errors.js"
import { DAY, iso } from "./Time.js"

// The stored records, column for column as README "Database schema" documents them. Each
// schema decodes the rows a query returns and encodes the rows the repository writes.

const JsonNames = Schema.parseJson(Schema.Array(Schema.String))

/** SQLite has no boolean: 0 and 1. */
const Flag = Schema.transform(Schema.Literal(0, 1), Schema.Boolean, { strict: true, decode: (n) => n === 1, encode: (b) => (b ? 1 : 0) })

/** A stored movie, as users query it. */
export const MovieRow = Schema.Struct({
  tmdb_id: Schema.Number,
  imdb_id: Schema.NullOr(Schema.String),
  title: Schema.String,
  original_title: Schema.NullOr(Schema.String),
  release_date: Schema.NullOr(Schema.String),
  runtime: Schema.NullOr(Schema.Number),
  budget: Schema.NullOr(Schema.Number),
  revenue: Schema.NullOr(Schema.Number),
  genres: Schema.NullOr(JsonNames),
  production_companies: Schema.NullOr(JsonNames),
  overview: Schema.NullOr(Schema.String),
  vote_average: Schema.NullOr(Schema.Number),
  vote_count: Schema.NullOr(Schema.Number),
  popularity: Schema.NullOr(Schema.Number),
  discovered_at: Schema.NullOr(Schema.String),
  details_fetched_at: Schema.NullOr(Schema.String),
  original_language: Schema.NullOr(Schema.String),
  status: Schema.NullOr(Schema.String),
  tagline: Schema.NullOr(Schema.String),
  homepage: Schema.NullOr(Schema.String),
  adult: Schema.NullOr(Flag),
  video: Schema.NullOr(Flag),
  poster_path: Schema.NullOr(Schema.String),
  backdrop_path: Schema.NullOr(Schema.String),
  collection_id: Schema.NullOr(Schema.Number),
  collection_name: Schema.NullOr(Schema.String),
  production_countries: Schema.NullOr(JsonNames),
  spoken_languages: Schema.NullOr(JsonNames),
  wikidata_id: Schema.NullOr(Schema.String),
  /** When `vote_average`, `vote_count` and `popularity` were last written (details or discover). */
  votes_at: Schema.NullOr(Schema.String),
  /** When TMDB first answered 404 for this movie; NULL while it serves it. */
  removed_at: Schema.NullOr(Schema.String),
  /** The date (YYYY-MM-DD) of the latest daily ID export that listed it. */
  exported_on: Schema.NullOr(Schema.String),
  /** When /movie/changes last listed it: details fetched before this are stale. */
  changed_at: Schema.NullOr(Schema.String)
})
export type MovieRow = typeof MovieRow.Type

/** A movie whose latest details fetch failed. */
export const FailureRow = Schema.Struct({
  tmdb_id: Schema.Number,
  kind: FailureKind,
  message: Schema.String,
  attempts: Schema.Number,
  last_attempt_at: Schema.String
})
export type FailureRow = typeof FailureRow.Type

/** How a finished run ended. */
export const FinalRunStatus = Schema.Literal("complete", "incomplete", "failed", "interrupted")
export type FinalRunStatus = typeof FinalRunStatus.Type

/** A run's status: `running` until it finishes, `abandoned` once a later run finds it killed. */
export const RunStatus = Schema.Literal("running", "abandoned", ...FinalRunStatus.literals)
export type RunStatus = typeof RunStatus.Type

/** A row of `collection_runs`. */
export const RunRow = Schema.Struct({
  id: Schema.Number,
  started_at: Schema.String,
  finished_at: Schema.NullOr(Schema.String),
  status: RunStatus,
  options: Schema.parseJson(),
  // JSON text, even for a `null` summary (parseJson comes first, and any value is JSON);
  // NULL while the run is open.
  summary: Schema.Union(Schema.parseJson(), Schema.Null),
  /** The run's last sign of life; among collectors sharing a database, older than a lease is dead. */
  heartbeat_at: Schema.NullOr(Schema.String),
  /** Which process ran it: `host pid`. */
  collector: Schema.NullOr(Schema.String),
  /** Among collectors sharing a database: the first one's run id, shared by all started with it. */
  generation: Schema.NullOr(Schema.Number)
})
export type RunRow = typeof RunRow.Type

/** Which movies need details (`MovieRepository.selectForDetails`). */
export const SelectionPolicy = Schema.Struct({
  /** At most this many ids; undefined: all. */
  limit: Schema.optional(Schema.Number),
  /** Details fetched before this instant (ISO) are stale. */
  staleBefore: Schema.String,
  /** Movies released on or after this date (YYYY-MM-DD) go stale sooner... */
  recentReleasedAfter: Schema.String,
  /** ...when their details were fetched before this instant (ISO). */
  recentStaleBefore: Schema.String,
  /** `--all`: the latest export's date; stored movies it no longer lists are checked once. */
  exportDate: Schema.optional(Schema.String),
  /** `--all`: the first export this store read; a movie no export listed is checked once after it. */
  exportsSince: Schema.optional(Schema.String),
  /** Movies tried (fetched or failed) at or after this instant are left out: chosen already this run. */
  attemptedBefore: Schema.optional(Schema.String)
})
export interface SelectionPolicy extends Schema.Schema.Type<typeof SelectionPolicy> {}

/** The stale rule as of `nowMs`: details older than `staleAfterMs` are fetched again, and recent releases' after 7 days. */
export const staleHorizons = (nowMs: number, staleAfterMs: number): Pick<SelectionPolicy, "staleBefore" | "recentReleasedAfter" | "recentStaleBefore"> => ({
  staleBefore: iso(nowMs - staleAfterMs),
  // Numbers of recent releases still move: 7 days for films out in the last 90.
  recentReleasedAfter: iso(nowMs - 90 * DAY).slice(0, 10),
  recentStaleBefore: iso(nowMs - Math.min(staleAfterMs, 7 * DAY))
})
