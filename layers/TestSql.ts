import { SqliteClient } from "@effect/sql-sqlite-node"
import type * as SqlClient from "@effect/sql/SqlClient"
import { Layer } from "effect"
import { MovieRepository } from "../services/MovieRepository.js"
import type { DatabaseErrorMapping } from "../src/Database.js"
import { MigrationsLive, sqliteErrors } from "./Sql.js"

/**
 * A SQL client over a fresh in-memory SQLite database with the migrations applied: no file, no
 * network. Each build is a new, empty database.
 */
export const SqlTest: Layer.Layer<SqlClient.SqlClient | DatabaseErrorMapping> = MigrationsLive.pipe(
  Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" })),
  Layer.merge(sqliteErrors(":memory:")),
  Layer.orDie
)

/**
 * `MovieRepository` over `SqlTest`. Its `SqlClient` is exposed too, so a test can read the tables
 * directly.
 */
export const MovieRepositoryTest: Layer.Layer<MovieRepository | SqlClient.SqlClient> = MovieRepository.Default.pipe(
  Layer.provideMerge(SqlTest)
)
