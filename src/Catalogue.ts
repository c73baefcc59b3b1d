import { Either, ParseResult, Schema } from "effect"

// TMDB's daily ID exports (https://developer.themoviedb.org/docs/daily-id-exports): gzip JSON
// Lines at files.tmdb.org/p/exports, one file a day, kept three months, no auth.

export const DEFAULT_FILES_URL = "https://files.tmdb.org"

/** The daily ID export cannot be had or read: unreachable, none of the last days, not gzip, cut off. */
export class ExportError extends Schema.TaggedError<ExportError>()("ExportError", { message: Schema.String }) {}

/** Which file: adult titles are in their own file since 2023-07-05. */
export type ExportKind = "movie" | "adult"

/** One movie of an export, as its line gives it. */
export interface ExportLine {
  readonly id: number
  readonly originalTitle: string
  readonly popularity: number
  readonly adult: boolean
  readonly video: boolean
}

// A line: {"adult":false,"id":550,"original_title":"Fight Club","popularity":61.4,"video":false}.
// Only the id must be there; a title or flag missing is not worth losing the movie over.
const Line = Schema.Struct({
  id: Schema.Int.pipe(Schema.positive()),
  original_title: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  popularity: Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
  adult: Schema.optionalWith(Schema.NullOr(Schema.Boolean), { default: () => null }),
  video: Schema.optionalWith(Schema.NullOr(Schema.Boolean), { default: () => null })
})
const decodeLine = Schema.decodeUnknownEither(Line)

/** A line decoded, or the reason it is malformed. */
export const parseExportLine = (text: string): Either.Either<ExportLine, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left("not JSON")
  }
  return Either.mapBoth(decodeLine(json), {
    onLeft: (e) => ParseResult.TreeFormatter.formatErrorSync(e).split("\n").slice(-1)[0]!.trim(),
    onRight: (l) => ({
      id: l.id,
      originalTitle: l.original_title ?? "",
      popularity: l.popularity ?? 0,
      adult: l.adult === true,
      video: l.video === true
    })
  })
}

/** Which lines a run keeps: `--min-popularity`, `--include-adult`, `--include-video`. */
export interface ExportFilter {
  readonly minPopularity?: number | undefined
  readonly includeAdult?: boolean | undefined
  readonly includeVideo?: boolean | undefined
}

/** Adult and video titles are left out unless asked for, as discover leaves them out. */
export const keeps = (filter: ExportFilter, line: Pick<ExportLine, "popularity" | "adult" | "video">): boolean =>
  line.popularity >= (filter.minPopularity ?? 0) && (!line.adult || filter.includeAdult === true) && (!line.video || filter.includeVideo === true)

/** The same filters over a movie's details: for a movie new since the export, known only by its id. */
export const keepsDetails = (
  filter: ExportFilter,
  details: { readonly popularity: number; readonly adult: boolean | null; readonly video: boolean | null }
): boolean => keeps(filter, { popularity: details.popularity, adult: details.adult === true, video: details.video === true })

/** The file of `date` whose name starts `stem` (`movie_ids`, `person_ids`, ...): dates are written `MM_DD_YYYY`. */
export const datedExportFile = (stem: string, date: string): string => {
  const [y, m, d] = date.split("-")
  return `${stem}_${m}_${d}_${y}.json.gz`
}

/** The movie export files of `date`. */
export const exportFileName = (kind: ExportKind, date: string): string => datedExportFile(kind === "adult" ? "adult_movie_ids" : "movie_ids", date)

/** Today (UTC) and up to three days back, newest first: before about 08:00 UTC today's file is not there yet. */
export const exportDates = (nowMs: number): Array<string> => [0, 1, 2, 3].map((back) => new Date(nowMs - back * 86_400_000).toISOString().slice(0, 10))

/** What reading an export came to (the run summary's `export`). */
export interface ExportReport {
  /** The export's date (YYYY-MM-DD). */
  readonly date: string
  readonly files: ReadonlyArray<string>
  readonly lines: number
  readonly kept: number
  readonly filteredOut: number
  readonly malformed: number
  /** The first malformed line's line number and reason, if any. */
  readonly firstMalformed?: { readonly file: string; readonly line: number; readonly reason: string } | undefined
  /** Kept movies the store did not hold. */
  readonly new: number
}
