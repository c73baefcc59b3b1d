// tmdb-collector/postgres: the store on a PostgreSQL database, which many collectors can share.
//
// An entry of its own because of what it needs, which an app that only talks to TMDB, or stores
// into SQLite, does without: the optional peer dependencies `@effect/sql-pg` and `pg`, and for a
// TypeScript app that checks libraries' types (`skipLibCheck: false`) `@types/pg`:
//
//   npm install @effect/sql-pg@0.53 pg@8
//   npm install -D @types/pg@8
//
// Importing it loads `pg`. The rest of the store (`MovieRepository`, `MigrationsLive`,
// `CoordinationLive`, `Collector`) is in `tmdb-collector` and runs over the `SqlClient` it is
// given:
//
//   import { Layer, Redacted } from "effect"
//   import { CoordinationLive, MovieRepository } from "tmdb-collector"
//   import { PgLive } from "tmdb-collector/postgres"
//   const Store = Layer.mergeAll(MovieRepository.Default, CoordinationLive()).pipe(
//     Layer.provide(PgLive(Redacted.make("postgres://user:secret@host/movies"), "postgres://host/movies"))
//   )

export { PgLive, postgresErrors } from "./layers/Pg.js"
