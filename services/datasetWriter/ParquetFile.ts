import { Effect, Exit } from "effect"
import { fileWriter, ParquetWriter } from "hyparquet-writer"
import * as fs from "node:fs"
import { DatasetError } from "../../src/Dataset.js"
import { type ColumnDoc, columnLine, type TableDoc, type ValueType } from "../../src/schema/Dictionary.js"
import { failedWriting, reason } from "./Output.js"

// One table as one Parquet file, written row group by row group into `<file>.partial` (renamed
// by the caller once every file is complete). Each column has the type the data dictionary
// gives it (src/schema/Dictionary.ts), whatever the dialect stored: the Parquet format's logical
// types are https://github.com/apache/parquet-format/blob/master/LogicalTypes.md.

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]["schema"][number]

const STRING = { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } } as const

/** The leaf element of a column: every column may be NULL, as the store's may. */
const elementsOf = (column: ColumnDoc): Array<SchemaElement> => {
  const optional = { name: column.name, repetition_type: "OPTIONAL" } as const
  switch (column.type) {
    case "int32":
      return [{ ...optional, type: "INT32" }]
    case "int64":
      return [{ ...optional, type: "INT64" }]
    case "double":
      return [{ ...optional, type: "DOUBLE" }]
    case "bool":
      return [{ ...optional, type: "BOOLEAN" }]
    case "string":
      return [{ ...optional, ...STRING }]
    case "json":
      return [{ ...optional, type: "BYTE_ARRAY", converted_type: "JSON", logical_type: { type: "JSON" } }]
    case "bytes":
      return [{ ...optional, type: "BYTE_ARRAY" }]
    case "date":
      return [{ ...optional, type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } }]
    case "timestamp":
      // isAdjustedToUTC: an instant, which readers show in UTC (DuckDB: TIMESTAMP WITH TIME ZONE).
      return [{ ...optional, type: "INT64", converted_type: "TIMESTAMP_MILLIS", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" } }]
    case "list<string>":
      // The three-level list every reader maps to a list of strings.
      return [
        { ...optional, converted_type: "LIST", logical_type: { type: "LIST" }, num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", repetition_type: "OPTIONAL", ...STRING }
      ]
  }
}

/** A value the column cannot hold, e.g. a release date not on the calendar: written as NULL, and counted. */
const UNREADABLE = Symbol("unreadable")

const DAY_MS = 86_400_000
const INT32_MAX = 2_147_483_647
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** A day as days since 1970-01-01, only if it is on the calendar (TMDB has sent 2019-02-30). */
const dayOf = (text: string) => {
  const match = DAY.exec(text)
  if (match === null) return UNREADABLE
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  // setUTCFullYear, not Date.UTC, which reads the years 0 to 99 as 1900 to 1999.
  const at = new Date(0)
  at.setUTCFullYear(year, month - 1, day)
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day ? at.getTime() / DAY_MS : UNREADABLE
}

// An instant as both dialects read it (layers/Pg.ts): ISO-8601 with its offset. Date.parse alone
// would roll 2019-02-30 over to March 2, and read text without an offset as local time.
const INSTANT = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/

const instantOf = (text: string) => {
  const match = INSTANT.exec(text)
  const ms = match === null || dayOf(match[1]!) === UNREADABLE ? NaN : Date.parse(text)
  return Number.isNaN(ms) ? UNREADABLE : ms
}

/**
 * A stored value as the column's type. Both dialects read alike (layers/Pg.ts): numbers, ISO-8601
 * text for instants and days, JSON as text, flags as 0/1.
 */
const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return UNREADABLE
  }
}

const converters: Record<ValueType, (value: unknown) => unknown> = {
  int32: (v) => (typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= INT32_MAX ? v : UNREADABLE),
  int64: (v) => (typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : UNREADABLE),
  double: (v) => (typeof v === "number" ? v : UNREADABLE),
  bool: (v) => (v === 0 || v === 1 ? v === 1 : typeof v === "boolean" ? v : UNREADABLE),
  string: (v) => (typeof v === "string" ? v : UNREADABLE),
  json: (v) => (typeof v === "string" ? parsed(v) : UNREADABLE),
  bytes: (v) => (v instanceof Uint8Array ? v : UNREADABLE),
  date: (v) => (typeof v === "string" ? dayOf(v.slice(0, 10)) : UNREADABLE),
  timestamp: (v) => (typeof v === "string" ? instantOf(v) : UNREADABLE),
  "list<string>": (v) => {
    const list = typeof v === "string" ? parsed(v) : UNREADABLE
    return Array.isArray(list) && list.every((item) => typeof item === "string") ? list : UNREADABLE
  }
}

// A row group is flushed at whichever comes first: readers skip by row group, and its values are
// held in memory until then, and copied a few times as they are encoded (a byte array for each
// string). 100,000 values is 3,000 rows of movies' 33 columns and 12,500 to 50,000 of another
// table's 2 to 8; 4 MB of text bounds a group of people's biographies. Larger groups compress a
// little better but took the export past 160 MB at the peak (BENCHMARKS.md, export).
const GROUP_VALUES = 100_000
const GROUP_TEXT = 4_000_000

/** A table's Parquet file being written. */
export interface ParquetOutput {
  readonly file: string
  readonly partial: string
  readonly table: TableDoc
  /** Dropped once the file is finished, with the buffer it holds. */
  writer: ParquetWriter | undefined
  readonly columns: Array<Array<unknown>>
  /** Rows and text bytes buffered for the next row group. */
  pending: { rows: number; text: number }
  rows: number
  /** Values the column type could not hold, written as NULL: column name → count. */
  readonly unreadable: Map<string, number>
}

/** Opens `<file>.partial` for the table, with its descriptions in the file's key-value metadata. */
export const openParquet = (file: string, table: TableDoc) =>
  Effect.acquireRelease(
    Effect.try({
      try: (): ParquetOutput => {
        const partial = `${file}.partial`
        const schema: Array<SchemaElement> = [{ name: "schema", num_children: table.columns.length }, ...table.columns.flatMap(elementsOf)]
        // Key-value metadata is what pyarrow, polars and DuckDB all read back
        // (parquet_kv_metadata): `description` for the table, `description:<column>` for each column.
        const kvMetadata = [
          { key: "description", value: `${table.name}: ${table.about}` },
          ...table.columns.map((column) => ({ key: `description:${column.name}`, value: columnLine(column) }))
        ]
        const writer = new ParquetWriter({ writer: fileWriter(partial), schema, kvMetadata, createdBy: "tmdb-collector" })
        return { file, partial, table, writer, columns: table.columns.map(() => []), pending: { rows: 0, text: 0 }, rows: 0, unreadable: new Map() }
      },
      catch: (cause) => new DatasetError({ path: file, message: `cannot write ${file}: ${reason(cause)}` })
    }),
    // A failed or interrupted export leaves no half-written file behind.
    (output, exit) => Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => fs.rmSync(output.partial, { force: true }))
  )

const flush = (output: ParquetOutput) =>
  Effect.try({
    try: () => {
      if (output.pending.rows === 0) return
      const columnData = output.table.columns.map((column, i) => ({ name: column.name, data: output.columns[i]! }))
      void output.writer!.write({ columnData, rowGroupSize: output.pending.rows })
      for (const values of output.columns) values.length = 0
      output.pending = { rows: 0, text: 0 }
    },
    catch: failedWriting(output)
  })

/** Adds rows (objects with the table's columns), writing a row group whenever one is full. */
export const appendRows = (output: ParquetOutput, rows: ReadonlyArray<Record<string, unknown>>) =>
  Effect.gen(function*() {
    const { columns } = output.table
    for (const row of rows) {
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!
        const raw = row[column.name]
        let value = raw === null || raw === undefined ? null : converters[column.type](raw)
        if (value === UNREADABLE) {
          output.unreadable.set(column.name, (output.unreadable.get(column.name) ?? 0) + 1)
          value = null
        }
        if (typeof raw === "string") output.pending.text += raw.length
        output.columns[i]!.push(value)
      }
      output.pending.rows++
      output.rows++
      const { rows, text } = output.pending
      if (rows * columns.length >= GROUP_VALUES || text >= GROUP_TEXT) yield* flush(output)
    }
  })

/** Writes the last row group and the footer: the file is complete, still as `.partial`. */
export const finishParquet = (output: ParquetOutput) =>
  Effect.zipRight(
    flush(output),
    Effect.try({
      try: () => {
        void output.writer!.finish()
        output.writer = undefined
      },
      catch: failedWriting(output)
    })
  )
