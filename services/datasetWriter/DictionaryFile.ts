import { Effect } from "effect"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { DatasetError, type ExportFormat } from "../../src/Dataset.js"
import { dictionaryMarkdown, tableDoc } from "../../src/schema/Dictionary.js"
import { reason } from "./Output.js"

// DICTIONARY.md, beside every export: what each file's columns mean, from the one data
// dictionary (src/schema/Dictionary.ts) the README's schema and the Parquet metadata come from.

/** The tables the TMDB 5000 files are built from, and the linked ones written as they are. */
const TEXT_TABLES = [
  "movies",
  "movie_genres",
  "movie_keywords",
  "movie_companies",
  "movie_countries",
  "movie_languages",
  "movie_cast",
  "movie_crew",
  "collections",
  "collection_parts",
  "companies",
  "people"
]

const TMDB_5000 = `\`tmdb_5000_movies\` and \`tmdb_5000_credits\` have the columns of Kaggle's "TMDB 5000" dataset, so
notebooks written for it run on this copy. Each of their columns is built from the tables below:
\`id\` and \`movie_id\` are \`movies.tmdb_id\`; the other scalar columns are the \`movies\` columns of
the same name; \`genres\`, \`keywords\`, \`production_companies\`, \`production_countries\` and
\`spoken_languages\` are JSON lists of \`{id, name}\` (or \`{iso_3166_1, name}\`, \`{iso_639_1, name}\`)
built from the child tables; \`cast\` and \`crew\` from \`movie_cast\` and \`movie_crew\` (\`order\` is
\`ord\`). As in that dataset, an unknown number is \`0\` and an unknown text \`""\`, where the
tables below say NULL.`

/** The document for an export of `format` whose files hold `tables` (a Parquet export: one file each). */
const documentOf = (format: ExportFormat, tables: ReadonlyArray<string>) => {
  const files = format === "parquet"
    ? `One Parquet file per table, named after it, with the types below (DATE, TIMESTAMP in UTC, INT64,
LIST<STRING>, BOOLEAN); each file also carries these descriptions in its key-value metadata
(\`description\`, and \`description:<column>\` for each column).`
    : `${TMDB_5000}\n\n\`collections\`, \`collection_parts\`, \`companies\` and \`people\` are written as the tables are, less
the collector's bookkeeping columns.`
  return `# Data dictionary\n\nWritten by tmdb-collector's export (\`--format ${format}\`).\n\n${files}\n\n${dictionaryMarkdown(tables.map(tableDoc))}`
}

/** Writes `DICTIONARY.md.partial` into `dir`, for the caller to publish with the other files. */
export const writeDictionary = (dir: string, format: ExportFormat, tables: ReadonlyArray<string> = TEXT_TABLES) =>
  Effect.try({
    try: () => {
      const file = nodePath.join(dir, "DICTIONARY.md")
      const partial = `${file}.partial`
      fs.writeFileSync(partial, documentOf(format, tables))
      return { file, partial }
    },
    catch: (cause) => new DatasetError({ path: dir, message: `cannot write ${nodePath.join(dir, "DICTIONARY.md")}: ${reason(cause)}` })
  })
