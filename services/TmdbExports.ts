import * as NodeStream from "@effect/platform-node/NodeStream"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Config, Duration, Effect, Either, Option, Stream } from "effect"
import * as zlib from "node:zlib"
import {
  datedExportFile,
  DEFAULT_FILES_URL,
  exportDates,
  ExportError,
  exportFileName,
  type ExportKind,
  type ExportLine,
  parseExportLine
} from "../src/Catalogue.js"

export { ExportError }

/** A line of an export: a movie (or a record of another kind), or why the line is malformed (counted, never fatal). */
export type ExportItem<L = ExportLine> =
  | { readonly _tag: "Line"; readonly line: L }
  | { readonly _tag: "Malformed"; readonly lineNumber: number; readonly reason: string }

export interface ExportsOptions {
  /** Where the exports are: `TMDB_FILES_URL`, else https://files.tmdb.org. */
  readonly filesUrl?: string | undefined
}

// gzip's two magic bytes (RFC 1952 §2.3.1).
const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
const LOCATE_TIMEOUT = Duration.seconds(30)

/**
 * TMDB's daily ID exports, read as a stream of lines: the file is fetched, gunzipped and split
 * as it arrives, never held whole. The files need no key, so none is sent: this client is not
 * TMDB's API client and never sees the credentials.
 */
export class TmdbExports extends Effect.Service<TmdbExports>()("tmdb/TmdbExports", {
  effect: (options: ExportsOptions = {}) =>
    Effect.gen(function*() {
      const http = yield* HttpClient.HttpClient
      const given = options.filesUrl ?? Option.getOrUndefined(yield* Config.option(Config.string("TMDB_FILES_URL")))
      const filesUrl: string = given ?? DEFAULT_FILES_URL
      // Checked when an export is asked for: a run by years never reads this setting's value.
      const valid = /^https?:\/\/[^\s]+$/.test(filesUrl)
        ? Effect.void
        : Effect.fail(new ExportError({ message: `TMDB_FILES_URL must be an http(s) URL, got '${filesUrl}'` }))
      const base = filesUrl.replace(/\/+$/, "")
      const urlOf = (stem: string, date: string) => `${base}/p/exports/${datedExportFile(stem, date)}`
      const unreachable = (url: string) => (e: { readonly message: string }) =>
        new ExportError({ message: `cannot reach the daily ID exports at ${url}: ${e.message}` })

      const get = (url: string) => http.get(url).pipe(Effect.mapError(unreachable(url)))

      const firstBytes = (response: HttpClientResponse.HttpClientResponse, url: string) =>
        response.stream.pipe(Stream.runHead, Effect.mapError(unreachable(url)))

      // Today's (UTC) export, else one day back at a time, up to three (a 404 moves back), where
      // every file the run reads is there: `files`, as their names start, else the movie file (and
      // the adult one with `includeAdult`).
      const locate = (
        nowMs: number,
        options: { readonly includeAdult?: boolean | undefined; readonly files?: ReadonlyArray<string> | undefined } = {}
      ) =>
        Effect.gen(function*() {
          yield* valid
          const dates = exportDates(nowMs)
          const stems = options.files ?? (options.includeAdult === true ? ["movie_ids", "adult_movie_ids"] : ["movie_ids"])
          // A day counts when every file the run reads is there.
          const present = (date: string) => Effect.reduce(stems, true, (all, stem) => (all ? isThere(urlOf(stem, date)) : Effect.succeed(false)))
          for (const date of dates) {
            if (yield* present(date)) return date
          }
          return yield* new ExportError({
            message: `no daily ID export at ${base}/p/exports for ${dates[dates.length - 1]} to ${dates[0]} (HTTP 404 for each)`
          })
        }).pipe(
          Effect.timeoutFail({ duration: LOCATE_TIMEOUT, onTimeout: () => new ExportError({ message: `no answer from ${base} within 30 s` }) }),
          Effect.withSpan("TmdbExports.locate")
        )

      /** Whether the file is there (404: not yet, or no longer); it must start as gzip. */
      const isThere = (url: string) =>
        Effect.scoped(Effect.gen(function*() {
          const response = yield* get(url)
          if (response.status === 404) return false
          if (response.status !== 200) {
            return yield* new ExportError({ message: `the daily ID export at ${url} answered HTTP ${response.status}` })
          }
          const head = yield* firstBytes(response, url)
          if (head._tag === "None" || !isGzip(head.value)) {
            return yield* new ExportError({ message: `the daily ID export at ${url} is not gzip` })
          }
          return true
        }))

      /** Every line of the file of `date` named `stem`, decoded by `parse`; a malformed line is an item of its own. */
      const read = <L>(stem: string, date: string, parse: (text: string) => Either.Either<L, string>): Stream.Stream<ExportItem<L>, ExportError> => {
        const url = urlOf(stem, date)
        return Stream.unwrapScoped(Effect.gen(function*() {
          yield* valid
          const response = yield* get(url)
          if (response.status !== 200) {
            return yield* new ExportError({ message: `the daily ID export at ${url} answered HTTP ${response.status}` })
          }
          let lineNumber = 0
          // Node's pipe holds the download back while gunzip's buffer is full, so a file is read as
          // fast as its lines are stored, in flat memory: pipeThroughDuplex writes on without
          // waiting for `drain` (@effect/platform-node-shared 0.61), so a whole file would pile up.
          const body = yield* NodeStream.toReadable(Stream.mapError(response.stream, unreachable(url)))
          const gunzip = zlib.createGunzip()
          body.on("error", (e) => gunzip.destroy(e))
          body.pipe(gunzip)
          // A reader that stops early (a failed write, Ctrl-C) ends the download too.
          yield* Effect.addFinalizer(() => Effect.sync(() => body.destroy()))
          return NodeStream.fromReadable<ExportError, Uint8Array>(
            () => gunzip,
            (e) =>
              e instanceof ExportError
                ? e
                : new ExportError({ message: `the daily ID export at ${url} is not valid gzip: ${e instanceof Error ? e.message : String(e)}` })
          ).pipe(
            Stream.decodeText(),
            Stream.splitLines,
            Stream.filterMap((text): Option.Option<ExportItem<L>> => {
              lineNumber++
              if (text.trim() === "") return Option.none()
              return Option.some(Either.match(parse(text), {
                onLeft: (reason): ExportItem<L> => ({ _tag: "Malformed", lineNumber, reason }),
                onRight: (line): ExportItem<L> => ({ _tag: "Line", line })
              }))
            })
          )
        }))
      }

      /** Every line of a movie export file, decoded. */
      const lines = (kind: ExportKind, date: string): Stream.Stream<ExportItem, ExportError> =>
        read(kind === "adult" ? "adult_movie_ids" : "movie_ids", date, parseExportLine)

      return {
        /** Where the exports are read from (`TMDB_FILES_URL`, else https://files.tmdb.org). */
        filesUrl: base,
        /** Whether that place was chosen (an option or `TMDB_FILES_URL`), not the default. */
        filesUrlChosen: given !== undefined,
        /**
         * The date of the newest export that is there: today's (UTC), else up to three days back.
         * Checks that each file starts as gzip, so a broken mirror fails before anything is written.
         */
        locate,
        /** Every line of an export file (named by how it starts: `movie_ids`, `person_ids`, ...), decoded by `parse`; a malformed line is an item of its own. */
        read,
        /** Every line of a movie export file (`movie` or `adult`), decoded. */
        lines,
        /** A movie export file's name on a date: `movie_ids_MM_DD_YYYY.json.gz`. */
        fileName: exportFileName
      } as const
    })
}) {}
