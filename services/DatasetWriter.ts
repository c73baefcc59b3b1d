import { SqlClient, SqlSchema } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, type ParseResult, Schema } from "effect"
import * as nodePath from "node:path"
import { DatabaseErrorMapping } from "../src/Database.js"
import {
  CastSource,
  CompanySource,
  CountrySource,
  CREDIT_COLUMNS,
  creditsCells,
  CrewSource,
  exportFiles,
  type ExportFormat,
  GenreSource,
  KeywordSource,
  LanguageSource,
  MOVIE_COLUMNS,
  movieCells,
  MovieSource,
  shapePage,
  type SourcePage
} from "../src/Dataset.js"
import { writeDictionary } from "./datasetWriter/DictionaryFile.js"
import { linkedWriter } from "./datasetWriter/Linked.js"
import { finish, makeFolder, openOutput, publish, write } from "./datasetWriter/Output.js"
import { parquetWriter } from "./datasetWriter/Parquet.js"

interface ExportOptions {
  readonly format: ExportFormat
  /** The folder to write into: created if missing, refused if it holds anything. */
  readonly dir: string
  /** Movies read per query (default 250; csv and jsonl). */
  readonly pageSize?: number | undefined
  /** Parquet: keep the rows TMDB has removed (removed_at set), and theirs. */
  readonly includeRemoved?: boolean | undefined
  /** Called as rows are written: the file's table (or name) and its rows so far. */
  readonly onProgress?: ((file: string, rows: number) => void) | undefined
}

export interface ExportResult {
  readonly movies: number
  /** The files written, DICTIONARY.md last: for csv and jsonl the TMDB 5000 two first, then
   * collections, collection_parts, companies, people; for parquet one per table. */
  readonly files: ReadonlyArray<string>
  /** Rows written per file name (Parquet; the text formats count movies only). */
  readonly rows: Readonly<Record<string, number>>
  /** Values a Parquet column's type could not hold, written as NULL: `table.column` → count. */
  readonly unreadable: Readonly<Record<string, number>>
}

// A page holds its movies' cast and crew too: at 100 a movie, a page of 1,000 movies held 57 MB of
// heap and one of 250 about a quarter, in the same time (each query reads an index range).
const PAGE_SIZE = 250
// A linked row is one row: a page of 1,000 people, biographies and all, is a few MB at most.
const LINKED_PAGE_SIZE = 1_000

const IdRange = Schema.Struct({ from: Schema.Number, to: Schema.Number })
const After = Schema.Struct({ after: Schema.Number, limit: Schema.Number })

/**
 * Writes the store into a new folder with its DICTIONARY.md. As csv or jsonl: the movies whose
 * details were fetched, by id, as TMDB 5000's two files, and the collections, companies and
 * people they name as four more (./datasetWriter/Linked.ts). As parquet: every table as it is,
 * typed (./datasetWriter/Parquet.ts).
 * Reads keyset pages and writes through streams, so memory holds one page whatever the catalogue.
 * The SQL is what SQLite and PostgreSQL both accept; the JSON cells are built here, not in SQL.
 */
export class DatasetWriter extends Effect.Service<DatasetWriter>()("tmdb/DatasetWriter", {
  accessors: true,
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const toDatabaseError = yield* DatabaseErrorMapping
    // Our own rows failing their schemas is a bug, not a database problem.
    const orFail = <A>(effect: Effect.Effect<A, SqlError | ParseResult.ParseError>) =>
      effect.pipe(Effect.catchTag("ParseError", Effect.die), Effect.mapError(toDatabaseError))

    const writeLinked = linkedWriter(sql, orFail)
    const writeParquet = parquetWriter(sql, orFail)

    const columnsOf = (fields: Schema.Struct.Fields) => sql.join(", ", false)(Object.keys(fields).map((column) => sql`${sql(column)}`))

    const moviesAfter = SqlSchema.findAll({
      Request: After,
      Result: MovieSource,
      execute: ({ after, limit }) =>
        sql`SELECT ${columnsOf(MovieSource.fields)} FROM movies
        WHERE details_fetched_at IS NOT NULL AND removed_at IS NULL AND tmdb_id > ${after} ORDER BY tmdb_id LIMIT ${limit}`
    })
    // Child rows by id range: two parameters whatever the page size, on each table's tmdb_id index.
    const childrenOf = <F extends Schema.Struct.Fields>(table: string, Row: Schema.Struct<F>) =>
      SqlSchema.findAll({
        Request: IdRange,
        Result: Row,
        execute: ({ from, to }) => sql`SELECT ${columnsOf(Row.fields)} FROM ${sql(table)} WHERE tmdb_id >= ${from} AND tmdb_id <= ${to} ORDER BY tmdb_id, ord`
      })
    const children = {
      genres: childrenOf("movie_genres", GenreSource),
      keywords: childrenOf("movie_keywords", KeywordSource),
      companies: childrenOf("movie_companies", CompanySource),
      countries: childrenOf("movie_countries", CountrySource),
      languages: childrenOf("movie_languages", LanguageSource),
      cast: childrenOf("movie_cast", CastSource),
      crew: childrenOf("movie_crew", CrewSource)
    }

    // One short read transaction a page: a movie and its child rows come from the same moment,
    // even while a collector rewrites them.
    const readPage = Effect.fn("DatasetWriter.readPage")(function*(after: number, limit: number) {
      return yield* orFail(sql.withTransaction(Effect.gen(function*() {
        const movies = yield* moviesAfter({ after, limit })
        if (movies.length === 0) return undefined
        const range = { from: movies[0]!.tmdb_id, to: movies[movies.length - 1]!.tmdb_id }
        const rows = yield* Effect.all({
          genres: children.genres(range),
          keywords: children.keywords(range),
          companies: children.companies(range),
          countries: children.countries(range),
          languages: children.languages(range),
          cast: children.cast(range),
          crew: children.crew(range)
        })
        return { movies, ...rows } satisfies SourcePage
      })))
    })

    const text = Effect.fn("DatasetWriter.text")(function*(options: ExportOptions, format: "csv" | "jsonl") {
      const names = exportFiles(format)
      const limit = options.pageSize ?? PAGE_SIZE
      const movies = yield* openOutput(nodePath.join(options.dir, names.movies), format, MOVIE_COLUMNS, movieCells)
      const credits = yield* openOutput(nodePath.join(options.dir, names.credits), format, CREDIT_COLUMNS, creditsCells)
      let count = 0
      let after = 0
      while (true) {
        const page = yield* readPage(after, limit)
        if (page === undefined) break
        for (const record of shapePage(page)) {
          yield* write(movies, record.movie)
          yield* write(credits, record.credits)
        }
        count += page.movies.length
        after = page.movies[page.movies.length - 1]!.tmdb_id
        options.onProgress?.(names.movies, count)
      }
      yield* finish(movies)
      yield* finish(credits)
      const linked = yield* writeLinked(options.dir, format, options.pageSize ?? LINKED_PAGE_SIZE)
      return { movies: count, outputs: [movies, credits, ...linked], rows: {}, unreadable: {} }
    })

    const parquet = Effect.fn("DatasetWriter.parquet")(function*(options: ExportOptions) {
      const files = yield* writeParquet(options.dir, options.includeRemoved === true, options.onProgress ?? (() => undefined))
      const rows = Object.fromEntries(files.map((file) => [file.table.name, file.rows]))
      const unreadable = Object.fromEntries(files.flatMap((file) => [...file.unreadable].map(([column, n]) => [`${file.table.name}.${column}`, n])))
      return { movies: rows["movies"] ?? 0, outputs: files, rows, unreadable, tables: files.map((file) => file.table.name) }
    })

    const run = Effect.fn("DatasetWriter.run")(function*(options: ExportOptions) {
      yield* makeFolder(options.dir)
      const { format } = options
      const written = format === "parquet" ? yield* parquet(options) : { ...yield* text(options, format), tables: undefined }
      const dictionary = yield* writeDictionary(options.dir, options.format, written.tables)
      // Every file complete before any is renamed: a failure leaves no file of this export.
      const files = [...written.outputs, dictionary]
      for (const output of files) yield* publish(output)
      return { movies: written.movies, files: files.map((output) => output.file), rows: written.rows, unreadable: written.unreadable } satisfies ExportResult
    }, Effect.scoped)

    return { run } as const
  })
}) {}
