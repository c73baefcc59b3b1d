import { Layer } from "effect"
import { Collector } from "../services/Collector.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { TmdbExports } from "../services/TmdbExports.js"
import type { TmdbClientOptions } from "../src/Config.js"
import { CollectorLock } from "./Lock.js"
import { preflight, SqlLive } from "./Sql.js"
import { HttpLive, TmdbLive } from "./Tmdb.js"

/**
 * Everything the collector needs. The TMDB side is built first, so a missing key fails before
 * any database file is created; then the path is checked, then one collector takes the file.
 */
export const MainLive = (options: { readonly db: string; readonly client?: TmdbClientOptions | undefined }) =>
  Collector.Default.pipe(
    Layer.provideMerge(MovieRepository.Default.pipe(
      Layer.provide(SqlLive(options.db)),
      Layer.provideMerge(CollectorLock(options.db)),
      Layer.provideMerge(Layer.effectDiscard(preflight(options.db))),
      Layer.provideMerge(TmdbLive(options.client))
    )),
    // The daily ID exports (`--all`): plain HTTP to TMDB_FILES_URL, no key, no rate limit.
    Layer.provideMerge(TmdbExports.Default().pipe(Layer.provide(HttpLive)))
  )

/**
 * What `--renormalize` needs: the repository on the existing database, held by one collector,
 * and no TMDB at all (no key, no request).
 */
export const RenormalizeLive = (db: string) =>
  MovieRepository.Default.pipe(
    Layer.provide(SqlLive(db)),
    Layer.provideMerge(CollectorLock(db)),
    Layer.provideMerge(Layer.effectDiscard(preflight(db)))
  )
