// tmdb-collector/sqlite: the store on a SQLite file.
//
// An entry of its own because of what it needs, which an app that only talks to TMDB does
// without: the optional peer dependencies `@effect/sql-sqlite-node` and `better-sqlite3` (a native
// addon, downloaded or compiled when installed), and their types in `SqlLive`'s:
//
//   npm install @effect/sql-sqlite-node@0.53 better-sqlite3@12
//
// The driver is loaded when a SQLite layer is built, not when a module is imported; built without
// it, a layer dies naming the packages to install. `tmdb-collector/testing`'s in-memory store
// (`SqlTest`, `MovieRepositoryTest`, `CollectorTest`) needs the same two packages.
//
// The rest of the store (`MovieRepository`, `MigrationsLive`, `Collector`) is in `tmdb-collector`
// and runs over the `SqlClient` it is given:
//
//   import { Layer } from "effect"
//   import { MovieRepository } from "tmdb-collector"
//   import { SqlLive } from "tmdb-collector/sqlite"
//   const Store = MovieRepository.Default.pipe(Layer.provide(SqlLive("movies.sqlite")))

export { sqliteErrors, SqlLive } from "./layers/Sql.js"
