import { Effect, Either } from "effect"
import { checkAppend } from "./Appended.js"
import { keeps, keepsDetails, parseExportLine } from "./Catalogue.js"
import { decodeMovieDetails } from "./Decode.js"
import { recordMetrics } from "./MetricsHistory.js"
import type { MovieDetails } from "./Movie.js"
import { detailsWrites, movieRemoved, rebuildMovies, writeDetails } from "./MovieWrites.js"
import { recordKind } from "./RecordKind.js"

/** An export's numbers count as of its day's start (UTC): numbers from a details response that day stay. */
const asOfExport = (exportDate: string) => `${exportDate}T00:00:00.000Z`

/**
 * The first kind: movies, listed by `movie_ids` (and `adult_movie_ids` with `includeAdult`, its own
 * file since 2023-07-05: https://developer.themoviedb.org/docs/daily-id-exports), changed by
 * /movie/changes, served by /movie/{id} with up to 20 appends. Its tables and mark names are the
 * ones released before kinds existed: `fetch_failures`, `detail_leases`, `changes`.
 */
export const movieKind = recordKind({
  name: "movie",
  tables: { records: "movies", key: "tmdb_id", failures: "fetch_failures", leases: "detail_leases" },
  exports: {
    files: (filter) => filter.includeAdult === true ? ["movie_ids", "adult_movie_ids"] : ["movie_ids"],
    parse: parseExportLine,
    keeps,
    // Titled by its original title until details arrive; the popularity is the export's, as of its day.
    row: (line, exportDate, at) => ({
      title: line.originalTitle,
      original_title: line.originalTitle,
      popularity: line.popularity,
      adult: line.adult ? 1 : 0,
      video: line.video ? 1 : 0,
      discovered_at: at,
      votes_at: asOfExport(exportDate)
    }),
    // Fresher numbers from details stay.
    refresh: (sql) =>
      sql`popularity = CASE WHEN movies.votes_at IS NULL OR movies.votes_at < excluded.votes_at THEN excluded.popularity ELSE movies.popularity END,
        votes_at = CASE WHEN movies.votes_at IS NULL OR movies.votes_at < excluded.votes_at THEN excluded.votes_at ELSE movies.votes_at END`,
    // Of the four kinds' exports, the issue asks for the movies' history alone (people's carry a popularity too).
    observed: (sql, ids, exportDate) => recordMetrics(sql, "export", ids, asOfExport(exportDate))
  },
  changes: "/movie/changes",
  details: {
    path: (id) => `/movie/${id}`,
    append: checkAppend,
    decode: (json, body, append) => Either.map(decodeMovieDetails(json, append), (details): MovieDetails => ({ ...details, body }))
  },
  idOf: (movie: MovieDetails) => movie.tmdbId,
  // The history is written here, not in writeDetails: `--renormalize` rebuilds through that from
  // stored payloads, and observes nothing new.
  write: (sql, movies, at) =>
    detailsWrites(movies, at).pipe(
      Effect.flatMap((writes) => writeDetails(sql, writes)),
      Effect.zipRight(recordMetrics(sql, "details", movies.map((m) => m.tmdbId), at))
    ),
  payloads: { table: "movie_payloads", rebuild: rebuildMovies },
  removes: movieRemoved,
  keepsRecord: keepsDetails,
  recentColumn: "release_date",
  marks: { changes: "changes", exportsSince: "exports_since" },
  units: { catalogue: "catalogue", changes: "changes" }
})
