import { Layer } from "effect"
import { MovieRepository } from "../services/MovieRepository.js"
import type { TmdbClientOptions } from "../src/Config.js"
import { SqlLive } from "./Sql.js"
import { TmdbLive } from "./Tmdb.js"

/**
 * Everything the collector needs. The TMDB side is built first, so a missing key fails before
 * any database file is created.
 */
export const MainLive = (options: { readonly db: string; readonly client?: TmdbClientOptions }) =>
  MovieRepository.Default.pipe(
    Layer.provide(SqlLive(options.db)),
    Layer.provideMerge(TmdbLive(options.client))
  )
