// tmdb-collector's public API: compose `TmdbLive()` (or `TmdbClientLayer()` over your own
// HttpClient) into your Effect app, then use `TmdbClient`.

export * from "./Collector.js"
export * from "./Config.js"
export * from "./Database.js"
export { decodeDiscoverPage, decodeMovieDetails, type DecodedDiscoverPage, type InvalidItem, parseErrorBody } from "./Decode.js"
export * from "./Discover.js"
export * from "./Errors.js"
export * from "./Movie.js"
export { type DateWindow, MAX_PAGE, MAX_RESULTS, PAGE_SIZE, splitWindow, yearWindow } from "./Windows.js"
export { type LimiterStats, RateLimiter } from "../services/RateLimiter.js"
export * from "../services/TmdbClient.js"
export { type FailureRecord, MovieRepository, MovieRow, type SelectionPolicy } from "../services/MovieRepository.js"
export { HttpLive, TmdbClientLayer, TmdbLive } from "../layers/Tmdb.js"
export { DEFAULT_DB, SqlLive } from "../layers/Sql.js"
export { MainLive } from "../layers/Main.js"
