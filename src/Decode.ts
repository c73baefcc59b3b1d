import { Either, ParseResult, Schema } from "effect"
import { TYPED_APPENDS } from "./Appended.js"
import { fastDecoder } from "./FastDecode.js"
import {
  ChangesPageWire,
  type DiscoveredMovie,
  DiscoveredMovieFromWire,
  DiscoverPageWire,
  type MovieDetails,
  MovieDetailsFromWire,
  TmdbErrorBody,
  TmdbErrorsBody
} from "./Movie.js"

const MAX_MESSAGE = 300

/** One short line naming the first offending path, e.g. `title: Expected string, actual 42`. */
export const describeParseError = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const first = issues[0]
  if (first === undefined) return "invalid body"
  const path = first.path.length > 0 ? `${first.path.join(".")}: ` : ""
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : ""
  const line = `${path}${first.message}${more}`.replace(/\s+/g, " ")
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}…` : line
}

const decodeDiscovered = fastDecoder(DiscoveredMovieFromWire)
const decodeDetails = fastDecoder(MovieDetailsFromWire)
const decodeEnvelope = fastDecoder(DiscoverPageWire)

export interface InvalidItem {
  readonly index: number
  /** The item's id when it had a readable one. */
  readonly tmdbId: number | null
  readonly message: string
}

export interface DecodedDiscoverPage {
  readonly page: number
  readonly totalPages: number
  readonly totalResults: number
  readonly movies: ReadonlyArray<DiscoveredMovie>
  /** Items that failed to decode. The rest of the page is kept. */
  readonly invalid: ReadonlyArray<InvalidItem>
}

const readId = (item: unknown): number | null => typeof item === "object" && item !== null && "id" in item && typeof item.id === "number" ? item.id : null

/** Decodes a discover page; a bad item fails alone, a bad envelope fails the page. */
export const decodeDiscoverPage = (json: unknown): Either.Either<DecodedDiscoverPage, string> =>
  Either.map(Either.mapLeft(decodeEnvelope(json), describeParseError), (envelope) => {
    const movies: Array<DiscoveredMovie> = []
    const invalid: Array<InvalidItem> = []
    envelope.results.forEach((item, index) => {
      const decoded = decodeDiscovered(item)
      if (Either.isRight(decoded)) movies.push(decoded.right)
      else invalid.push({ index, tmdbId: readId(item), message: describeParseError(decoded.left) })
    })
    return {
      page: envelope.page,
      totalPages: envelope.total_pages,
      totalResults: envelope.total_results,
      movies,
      invalid
    }
  })

/**
 * Decodes `/movie/{id}`. The typed sub-resources (`TYPED_APPENDS`) get their own fields; a typed
 * one that was asked for must be there, as TMDB ignores names it does not know rather than fail.
 * Other names in `append` are kept raw on `appended`, under their sub-path name.
 */
export const decodeMovieDetails = (
  json: unknown,
  append: ReadonlyArray<string> = []
): Either.Either<MovieDetails, string> =>
  Either.flatMap(Either.mapLeft(decodeDetails(json), describeParseError), (record) => {
    const body = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {}
    const extra: Record<string, unknown> = {}
    for (const name of append) {
      if ((TYPED_APPENDS as ReadonlyArray<string>).includes(name)) {
        if (body[name] === undefined || body[name] === null) return Either.left(`${name}: asked for with append_to_response, absent from the response`)
      } else if (name in body) {
        extra[name] = body[name]
      }
    }
    return Either.right({ ...record, appended: extra, append })
  })

const decodeChanges = fastDecoder(ChangesPageWire)

/** A `/movie/changes` page: the changed ids and how many pages there are. */
export const decodeChangesPage = (
  json: unknown
): Either.Either<{ ids: ReadonlyArray<number>; adultIds: ReadonlyArray<number>; totalPages: number }, string> =>
  Either.map(Either.mapLeft(decodeChanges(json), describeParseError), (page) => ({
    ids: page.results.flatMap((r) => (r.id === null ? [] : [r.id])),
    adultIds: page.results.flatMap((r) => (r.id !== null && r.adult === true ? [r.id] : [])),
    totalPages: page.total_pages
  }))

export interface ErrorBody {
  readonly statusCode: number | null
  readonly message: string | null
}

const decodeErrorBody = Schema.decodeUnknownOption(TmdbErrorBody)
const decodeErrorsBody = Schema.decodeUnknownOption(TmdbErrorsBody)

/** Reads a TMDB error body of either shape; a body that is not JSON gives nulls, never a failure. */
export const parseErrorBody = (text: string): ErrorBody => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { statusCode: null, message: null }
  }
  const standard = decodeErrorBody(json)
  if (standard._tag === "Some") {
    return { statusCode: standard.value.status_code, message: standard.value.status_message }
  }
  const list = decodeErrorsBody(json)
  if (list._tag === "Some") return { statusCode: null, message: list.value.errors.join("; ") }
  return { statusCode: null, message: null }
}
