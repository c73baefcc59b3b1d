// The data dictionary (README "Database schema", DICTIONARY.md beside every export, the Parquet
// files' metadata): every table and column of the store described once, here, beside the DDL
// that makes them. test/dictionary.test.ts fails when a table or column has no description.

/**
 * What a column holds as an analyst reads it, whatever the dialect stores: a Parquet export
 * writes each as its own type (`int32` INT32, `int64` INT64, `double` DOUBLE, `string` UTF-8,
 * `date` DATE, `timestamp` TIMESTAMP in UTC, `bool` BOOLEAN, `list<string>` LIST<STRING>;
 * `json` is UTF-8 JSON text, `bytes` raw bytes).
 */
export type ValueType = "int32" | "int64" | "double" | "string" | "date" | "timestamp" | "bool" | "list<string>" | "json" | "bytes"

/** One column: what it means, in what unit, TMDB's codes where it has some, and where it comes from. */
export interface ColumnDoc {
  readonly name: string
  readonly type: ValueType
  readonly meaning: string
  /** e.g. "US dollars", "minutes", "days (YYYY-MM-DD)"; none for names and ids. */
  readonly unit?: string
  /** TMDB's codes and what each means, e.g. [["1", "Premiere"], ...]. */
  readonly codes?: ReadonlyArray<readonly [code: string, meaning: string]>
  /** Where the value comes from: a TMDB field (`/movie/{id}` `budget`), or the collector itself. */
  readonly source: string
}

/** One table (or view) of the store, its columns in the table's order. */
export interface TableDoc {
  readonly name: string
  readonly about: string
  readonly columns: ReadonlyArray<ColumnDoc>
}
