import { Effect, Layer, Redacted } from "effect"
import { Collector } from "../services/Collector.js"
import { CoordinationLive } from "../services/Coordination.js"
import { MovieRepository } from "../services/MovieRepository.js"
import { TmdbExports } from "../services/TmdbExports.js"
import type { TmdbClientOptions } from "../src/Config.js"
import { type DatabaseTarget, databaseTarget } from "../src/Database.js"
import { CollectorLock } from "./Lock.js"
import { PgLive } from "./Pg.js"
import { preflight, SqlLive } from "./Sql.js"
import { HttpLive, TmdbLive, TmdbSharedClientLayer } from "./Tmdb.js"

/**
 * The store of a target, migrated: a SQLite file held by one collector (its lock), or a
 * PostgreSQL database that many collectors share through `Coordination`'s claims and leases.
 */
export const StoreLive = (target: DatabaseTarget, options: { readonly leaseSeconds?: number | undefined } = {}) =>
  target._tag === "sqlite"
    ? MovieRepository.Default.pipe(
      Layer.provide(SqlLive(target.path)),
      Layer.provideMerge(CollectorLock(target.path)),
      Layer.provideMerge(Layer.effectDiscard(preflight(target.path)))
    )
    : Layer.mergeAll(MovieRepository.Default, CoordinationLive(options.leaseSeconds)).pipe(Layer.provide(PgLive(target.url, target.display)))

/** A target as `--db` takes it (a SQLite path, or a `postgres://` URL), or one already parsed. */
const targetLayer = <A, E, R>(target: DatabaseTarget | string, layer: (target: DatabaseTarget) => Layer.Layer<A, E, R>) =>
  typeof target === "string" ? Layer.unwrapEffect(Effect.map(databaseTarget(target), layer)) : layer(target)

/**
 * Everything the collector needs, over `target`: a SQLite path or a `postgres://` URL (a bad URL
 * fails the layer with a DatabaseError that never shows its password), or a `DatabaseTarget`.
 * The TMDB side is built first, so a missing key fails before any database file is created; then
 * the path is checked, then one collector takes the file.
 */
export const MainLive = (options: {
  readonly target: DatabaseTarget | string
  readonly client?: TmdbClientOptions | undefined
  readonly leaseSeconds?: number | undefined
  /** A Redis URL: the request budget is shared with every collector on it. */
  readonly redis?: string | undefined
}) =>
  Collector.Default.pipe(
    Layer.provideMerge(
      targetLayer(options.target, (target) => StoreLive(target, options)).pipe(Layer.provideMerge(
        options.redis === undefined
          ? TmdbLive(options.client)
          : TmdbSharedClientLayer(options.client, { redis: Redacted.make(options.redis) }).pipe(Layer.provide(HttpLive))
      ))
    ),
    // The daily ID exports (`--all`): plain HTTP to TMDB_FILES_URL, no key, no rate limit.
    Layer.provideMerge(TmdbExports.Default().pipe(Layer.provide(HttpLive)))
  )

/**
 * What `--renormalize` needs: the repository on the existing database (held by one collector
 * on SQLite), and no TMDB at all (no key, no request).
 */
export const RenormalizeLive = (target: DatabaseTarget) => StoreLive(target)
