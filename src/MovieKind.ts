import { Either } from "effect"
import { checkAppend } from "./Appended.js"
import { keeps, keepsDetails, parseExportLine } from "./Catalogue.js"
import { decodeMovieDetails } from "./Decode.js"
import type { MovieDetails } from "./Movie.js"
import { detailsWrite, movieRemoved, rebuildMovies, writeDetails } from "./MovieWrites.js"
import { recordKind } from "./RecordKind.js"

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
      votes_at: `${exportDate}T00:00:00.000Z`
    }),
    // Fresher numbers from details stay.
    refresh: (sql) =>
      sql`popularity = CASE WHEN movies.votes_at IS NULL OR movies.votes_at < excluded.votes_at THEN excluded.popularity ELSE movies.popularity END,
        votes_at = CASE WHEN movies.votes_at IS NULL OR movies.votes_at < excluded.votes_at THEN excluded.votes_at ELSE movies.votes_at END`
  },
  changes: "/movie/changes",
  details: {
    path: (id) => `/movie/${id}`,
    append: checkAppend,
    decode: (json, body, append) => Either.map(decodeMovieDetails(json, append), (details): MovieDetails => ({ ...details, body }))
  },
  idOf: (movie: MovieDetails) => movie.tmdbId,
  write: (sql, movies, at) => writeDetails(sql, movies.map((m) => detailsWrite(m, at))),
  payloads: { table: "movie_payloads", rebuild: rebuildMovies },
  removes: movieRemoved,
  keepsRecord: keepsDetails,
  recentColumn: "release_date",
  marks: { changes: "changes", exportsSince: "exports_since" },
  units: { catalogue: "catalogue", changes: "changes" }
})
