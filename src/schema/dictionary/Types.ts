// The shape of the data dictionary (src/schema/Dictionary.ts gathers it). Apart from it so the
// files that describe the tables import it without importing the file that imports them.

/**
 * What a column holds as an analyst reads it, whatever the dialect stores: a Parquet export
 * writes each as its own type (`int32` INT32, `int64` INT64, `double` DOUBLE, `string` UTF-8,
 * `date` DATE, `timestamp` TIMESTAMP in UTC, `bool` BOOLEAN, `list<string>` LIST<STRING>;
 * `json` is UTF-8 JSON text, `bytes` raw bytes).
 */
export type ValueType = "int32" | "int64" | "double" | "string" | "date" | "timestamp" | "bool" | "list<string>" | "json" | "bytes"

/** TMDB's codes and what each means, e.g. [["1", "Premiere"], ...]. */
export type Codes = ReadonlyArray<readonly [code: string, meaning: string]>

/** One column: what it means, in what unit, TMDB's codes where it has some, and where it comes from. */
export interface ColumnDoc {
  readonly name: string
  readonly type: ValueType
  readonly meaning: string
  /** e.g. "US dollars", "minutes", "days (YYYY-MM-DD)"; none for names and ids. */
  readonly unit?: string
  readonly codes?: Codes
  /** Where the value comes from: a TMDB field (`/movie/{id}` `budget`), or the collector itself. */
  readonly source: string
}

/** One table (or view) of the store, its columns in the table's order. */
export interface TableDoc {
  readonly name: string
  readonly about: string
  readonly columns: ReadonlyArray<ColumnDoc>
}
