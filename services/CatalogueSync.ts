import { Chunk, Effect, Either, Option, Stream } from "effect"
import { type ExportFilter, type ExportReport, keeps } from "../src/Catalogue.js"
import type { ChangesReport, CollectionProgress } from "../src/Collection.js"
import { failureKind } from "../src/Errors.js"
import type { ExportEntry } from "./CatalogueWrites.js"
import { MovieRepository } from "./MovieRepository.js"
import { TmdbClient } from "./TmdbClient.js"
import type { TmdbExports } from "./TmdbExports.js"

// The whole-catalogue steps of a run: the daily ID export (`--all`) and /movie/changes.

const DAY = 86_400_000
const SLICE = 500
/** TMDB's longest /movie/changes window: a longer one is its 422, code 20 (tmdb-api-facts.md §6). */
export const CHANGES_WINDOW_DAYS = 14
/**
 * How far back changes are read. Past it, the age-based refresh (90 days by default) has already
 * chosen every movie fetched before the gap, so reading months of windows would buy nothing.
 */
export const CHANGES_READ_BACK_DAYS = 90
export const CHANGES_MARK = "changes"

/** A set of movie ids as bits: the 1.2 million ids of an export in about 200 KB, not a 40 MB Set. */
export class IdBits {
  private bits = new Uint8Array(1 << 18)
  add(id: number): void {
    const byte = id >>> 3
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1))
      grown.set(this.bits)
      this.bits = grown
    }
    this.bits[byte]! |= 1 << (id & 7)
  }
  has(id: number): boolean {
    const byte = id >>> 3
    return byte < this.bits.length && (this.bits[byte]! & (1 << (id & 7))) !== 0
  }
}

const dayMs = (day: string) => Date.parse(`${day}T00:00:00.000Z`)
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * Streams the export of `date` (and its adult file when asked) into the store in one
 * transaction, counting what it read. Every id it lists, kept or not, goes into the returned bits.
 */
export const readExport = (exports: TmdbExports, date: string, filter: ExportFilter, at: string, progress: (p: CollectionProgress) => void) =>
  Effect.gen(function*() {
    const repo = yield* MovieRepository
    const files = filter.includeAdult === true ? (["movie", "adult"] as const) : (["movie"] as const)
    const listed = new IdBits()
    let lines = 0
    let kept = 0
    let malformed = 0
    let firstMalformed: ExportReport["firstMalformed"]
    const slices = Stream.concatAll(
      Chunk.fromIterable(files.map((kind) =>
        exports.lines(kind, date).pipe(Stream.filterMap((item): Option.Option<ExportEntry> => {
          lines++
          if (item._tag === "Malformed") {
            malformed++
            firstMalformed ??= { file: exports.fileName(kind, date), line: item.lineNumber, reason: item.reason }
            return Option.none()
          }
          listed.add(item.line.id)
          const entry = { line: item.line, kept: keeps(filter, item.line) }
          if (entry.kept) kept++
          return Option.some(entry)
        }))
      ))
    ).pipe(
      Stream.grouped(SLICE),
      Stream.map((chunk) => {
        progress({ phase: "export", lines, kept })
        return Chunk.toReadonlyArray(chunk)
      })
    )
    const added = yield* repo.storeExport(slices, date, at)
    progress({ phase: "export", lines, kept })
    const report: ExportReport = {
      date,
      files: files.map((kind) => exports.fileName(kind, date)),
      lines,
      kept,
      filteredOut: lines - malformed - kept,
      malformed,
      firstMalformed,
      new: added
    }
    return { report, listed }
  })

/**
 * Reads /movie/changes from the mark to today, in windows of at most 14 days, every page of
 * each, and marks the stored movies listed as changed. Changes carry dates, not times: the
 * mark's own day is read again next time, and a movie fetched on a day it changed is fetched
 * again. Returns the report, the new ids (`all` mode: neither stored nor in `listed`) and the
 * mark to set once the run has stored what it chose.
 */
export const readChanges = (
  nowMs: number,
  options: { readonly all: boolean; readonly includeAdult: boolean; readonly listed?: IdBits | undefined }
) =>
  Effect.gen(function*() {
    const client = yield* TmdbClient
    const repo = yield* MovieRepository
    const today = dayOf(nowMs)
    const mark = yield* repo.getMark(CHANGES_MARK)
    const empty = { windows: 0, listed: 0, stored: 0, new: 0 }
    if (mark === undefined) return { report: { status: "first-run", ...empty } as ChangesReport, newIds: [], markTo: today }
    if (dayMs(mark) < dayMs(today) - CHANGES_READ_BACK_DAYS * DAY) {
      return { report: { status: "too-old", from: mark, to: today, ...empty } as ChangesReport, newIds: [], markTo: today }
    }
    const seen = new Set<number>()
    const newIds: Array<number> = []
    let stored = 0
    let windows = 0
    for (let from = dayMs(mark); from <= dayMs(today); from += CHANGES_WINDOW_DAYS * DAY) {
      const to = Math.min(from + (CHANGES_WINDOW_DAYS - 1) * DAY, dayMs(today))
      const window = { startDate: dayOf(from), endDate: dayOf(to) }
      const result = yield* Effect.either(client.getMovieChanges(window))
      if (Either.isLeft(result)) {
        const failure = { from: window.startDate, to: window.endDate, kind: failureKind(result.left), message: result.left.message }
        const report: ChangesReport = { status: "failed", from: mark, to: today, windows, listed: seen.size, stored, new: newIds.length, failure }
        return { report, newIds, markTo: undefined }
      }
      windows++
      // Every id of every window is marked: listed again in a later window, it changed later.
      const ids = result.right.ids
      const unseen = ids.filter((id) => !seen.has(id))
      for (const id of unseen) seen.add(id)
      // Changed some time up to the window's end: details fetched after it already hold it.
      const known = yield* repo.recordChanges(ids, new Date(Math.min(nowMs, to + DAY)).toISOString())
      stored += unseen.filter((id) => known.has(id)).length
      if (options.all) {
        // Adult titles stay out unless asked for, as in the export.
        const wanted = (id: number) => !known.has(id) && options.listed?.has(id) !== true && (options.includeAdult || !result.right.adult.has(id))
        newIds.push(...unseen.filter(wanted))
      }
    }
    const report: ChangesReport = { status: "read", from: mark, to: today, windows, listed: seen.size, stored, new: newIds.length }
    return { report, newIds, markTo: today }
  })
