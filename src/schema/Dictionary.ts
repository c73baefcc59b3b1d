import { claims, marks, perKind, runs } from "./dictionary/Bookkeeping.js"
import { children } from "./dictionary/Children.js"
import { metricsHistory } from "./dictionary/History.js"
import { linked } from "./dictionary/Linked.js"
import { movies } from "./dictionary/Movies.js"
import { overview } from "./dictionary/Overview.js"
import type { ColumnDoc, TableDoc } from "./dictionary/Types.js"

// The data dictionary (README "Database schema", DICTIONARY.md beside every export, the Parquet
// files' metadata): every table and column of the store described once, in src/schema/dictionary/,
// beside the DDL that makes them. test/dictionary.test.ts fails when a table or column has no
// description, or one the migrations do not make.

export type { ColumnDoc, TableDoc, ValueType } from "./dictionary/Types.js"

/** Every table and view of the store, the analyst's first, then the collector's own. */
export const DICTIONARY: ReadonlyArray<TableDoc> = [movies, ...children, metricsHistory, overview, ...linked, ...perKind, runs, marks, claims]

/** The description of `name`; one the dictionary lacks is a defect: callers name tables of the schema. */
export const tableDoc = (name: string): TableDoc => {
  const found = DICTIONARY.find((t) => t.name === name)
  if (found === undefined) throw new Error(`the data dictionary has no table ${name}`)
  return found
}

const described = (column: ColumnDoc) =>
  [
    column.meaning,
    column.unit === undefined ? undefined : `unit: ${column.unit}`,
    column.codes === undefined ? undefined : `codes: ${column.codes.map(([code, meaning]) => `${code} = ${meaning}`).join(", ")}`
  ].filter((part) => part !== undefined).join("; ")

/** The column in one line of plain text (meaning; unit; codes), as a Parquet file's column description. */
export const columnLine = (column: ColumnDoc): string => described(column).replaceAll("`", "")

const cell = (text: string) => text.replaceAll("|", "\\|")

/** Markdown: each table's name and what it holds, then a row per column (DICTIONARY.md, README "Database schema"). */
export const dictionaryMarkdown = (tables: ReadonlyArray<TableDoc>): string =>
  tables.map((table) =>
    [
      `\`${table.name}\`: ${table.about}`,
      "",
      "| Column | Type | Meaning | Source |",
      "|---|---|---|---|",
      ...table.columns.map((c) => `| \`${cell(c.name)}\` | \`${c.type}\` | ${cell(described(c))} | ${cell(c.source)} |`)
    ].join("\n")
  ).join("\n\n") + "\n"
