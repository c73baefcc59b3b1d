import { Chunk, Effect, Either, Option, Stream } from "effect"
import { datedExportFile, type ExportFilter, type ExportReport } from "../../src/Catalogue.js"
import type { ChangesReport, CollectionProgress } from "../../src/Collection.js"
import type { DatabaseError } from "../../src/Database.js"
import { type FailureKind, failureKind, type TmdbError } from "../../src/Errors.js"
import type { AnyKind } from "../../src/RecordKind.js"
import { DAY, dayMs, dayOf, iso } from "../../src/Time.js"
import type { MovieRepository } from "../MovieRepository.js"
import type { ExportEntry } from "../movieRepository/CatalogueWrites.js"
import type { TmdbClient } from "../TmdbClient.js"
import type { TmdbExports } from "../TmdbExports.js"

// The whole-catalogue steps of a run, for any kind of record: its daily ID export (`--all`) and
// its changes feed (/movie/changes for movies).

const SLICE = 500
/**
 * TMDB's longest changes window (https://developer.themoviedb.org/docs/tracking-content-changes):
 * a longer one is its 422, code 20 (https://developer.themoviedb.org/docs/errors).
 */
const CHANGES_WINDOW_DAYS = 14

// Ids by pages of 4,096 bits (512 bytes), made as ids arrive: an export's 1.2 million movie ids
// (or 3.5 million person ids, all under 6 million on TMDB) take under 1 MB, not a 40 MB Set, and ids
// spread thinly over a wide range cost a page each rather than bits up to the largest.
const PAGE_BITS = 12

/** A set of ids as bits, in pages allocated as ids arrive. */
export class IdBits {
  private readonly pages = new Map<number, Uint8Array>()
  add(id: number): void {
    const key = Math.floor(id / (1 << PAGE_BITS))
    let page = this.pages.get(key)
    if (page === undefined) {
      page = new Uint8Array(1 << (PAGE_BITS - 3))
      this.pages.set(key, page)
    }
    const bit = id % (1 << PAGE_BITS)
    page[bit >>> 3]! |= 1 << (bit & 7)
  }
  has(id: number): boolean {
    const page = this.pages.get(Math.floor(id / (1 << PAGE_BITS)))
    const bit = id % (1 << PAGE_BITS)
    return page !== undefined && (page[bit >>> 3]! & (1 << (bit & 7))) !== 0
  }
}

/** What reading an export came to: its report, every id it listed, and the first export this store read. */
export interface ExportRead {
  readonly report: ExportReport
  readonly listed: IdBits
  readonly since: string
}

/**
 * Streams the kind's export files of `date` (the adult one too, when asked) into the store in one
 * transaction, counting what it read. Every id it lists, kept or not, goes into the returned bits.
 */
export const readExport = (
  repo: MovieRepository,
  exports: TmdbExports,
  kind: AnyKind,
  date: string,
  filter: ExportFilter,
  at: string,
  progress: (p: CollectionProgress) => void
) =>
  Effect.gen(function*() {
    const exported = kind.exports!
    const files = exported.files(filter)
    const listed = new IdBits()
    let lines = 0
    let kept = 0
    let malformed = 0
    let firstMalformed: ExportReport["firstMalformed"]
    const slices = Stream.concatAll(
      Chunk.fromIterable(files.map((stem) =>
        exports.read(stem, date, exported.parse).pipe(Stream.filterMap((item): Option.Option<ExportEntry> => {
          lines++
          if (item._tag === "Malformed") {
            malformed++
            firstMalformed ??= { file: datedExportFile(stem, date), line: item.lineNumber, reason: item.reason }
            return Option.none()
          }
          listed.add(item.line.id)
          const entry = { line: item.line, kept: exported.keeps(filter, item.line) }
          if (entry.kept) kept++
          return Option.some(entry)
        }))
      ))
    ).pipe(
      Stream.grouped(SLICE),
      Stream.map((chunk) => {
        progress({ phase: "export", kind: kind.name, lines, kept })
        return Chunk.toReadonlyArray(chunk)
      })
    )
    const added = yield* repo.storeExport(slices, date, at, kind)
    // The first export this store read: a record none has listed is checked once after it.
    const first = yield* repo.getMark(kind.marks.exportsSince)
    if (first === undefined) yield* repo.setMark(kind.marks.exportsSince, date, at)
    const since = first ?? date
    progress({ phase: "export", kind: kind.name, lines, kept })
    const report: ExportReport = {
      date,
      files: files.map((stem) => datedExportFile(stem, date)),
      lines,
      kept,
      filteredOut: lines - malformed - kept,
      malformed,
      firstMalformed,
      new: added
    }
    return { report, listed, since } satisfies ExportRead
  })

/**
 * Reads the kind's changes feed from its mark to today, in windows of at most 14 days (one day at a
 * time where a window holds more than TMDB pages through), every page of each, and marks the stored
 * records listed as changed. Changes carry dates, not times: the mark's own day is read again next
 * time, and a record fetched on a day it changed is fetched again.
 *
 * With no mark yet, a store that holds details (one written before changes were read) starts
 * from its oldest details; an empty store sets the mark, and reads today only when `probe` asks
 * for a first request to TMDB's API. A mark older than `readBackDays` (the stale horizon) is not
 * read back: the age-based refresh chooses everything fetched before the gap.
 *
 * Returns the report, the new ids (`all` mode: neither stored nor in `listed`), the mark to set
 * once the run has stored what it chose, and `unreachable`: the error of the very first request
 * when nothing came back at all.
 */
export interface ChangesRead {
  readonly report: ChangesReport
  readonly newIds: ReadonlyArray<number>
  readonly markTo: string | undefined
  readonly unreachable?: TmdbError | undefined
}

export const readChanges = (
  client: TmdbClient,
  repo: MovieRepository,
  kind: AnyKind & { readonly changes: string },
  nowMs: number,
  options: {
    readonly all: boolean
    readonly includeAdult: boolean
    readonly listed?: IdBits | undefined
    readonly readBackDays: number
    readonly probe: boolean
  }
): Effect.Effect<ChangesRead, DatabaseError> =>
  Effect.gen(function*() {
    const today = dayOf(nowMs)
    const empty = { windows: 0, listed: 0, stored: 0, new: 0 }
    const oldest = yield* repo.oldestDetailsOf(kind)
    const mark = (yield* repo.getMark(kind.marks.changes)) ?? (oldest !== undefined ? oldest.slice(0, 10) : options.probe ? today : undefined)
    if (mark === undefined) return { report: { status: "first-run", ...empty }, newIds: [], markTo: today }
    if (dayMs(mark) < dayMs(today) - options.readBackDays * DAY) {
      return { report: { status: "too-old", from: mark, to: today, ...empty }, newIds: [], markTo: today }
    }
    const seen = new Set<number>()
    const newIds: Array<number> = []
    let stored = 0
    let windows = 0
    const failed = (from: number, to: number, kind: FailureKind, message: string): ChangesRead => {
      const failure = { from: dayOf(from), to: dayOf(to), kind, message }
      const report: ChangesReport = { status: "failed", from: mark, to: today, windows, listed: seen.size, stored, new: newIds.length, failure }
      return { report, newIds, markTo: undefined }
    }
    const days = (from: number, to: number) =>
      Array.from({ length: (to - from) / DAY + 1 }, (_, i): readonly [number, number] => [from + i * DAY, from + i * DAY])
    const pending: Array<readonly [number, number]> = []
    for (let from = dayMs(mark); from <= dayMs(today); from += CHANGES_WINDOW_DAYS * DAY) {
      pending.push([from, Math.min(from + (CHANGES_WINDOW_DAYS - 1) * DAY, dayMs(today))])
    }
    while (pending.length > 0) {
      const [from, to] = pending.shift()!
      const result = yield* Effect.either(client.getChanges(kind.changes, { startDate: dayOf(from), endDate: dayOf(to) }))
      if (Either.isLeft(result)) {
        return { ...failed(from, to, failureKind(result.left), result.left.message), unreachable: windows === 0 ? result.left : undefined }
      }
      if (result.right.truncated) {
        if (from === to) return failed(from, to, "invalid_request", `more changes on ${dayOf(from)} than TMDB pages through (500 pages)`)
        pending.unshift(...days(from, to))
        continue
      }
      windows++
      // Every id of every window is marked: listed again in a later window, it changed later.
      const ids = result.right.ids
      const unseen = ids.filter((id) => !seen.has(id))
      for (const id of unseen) seen.add(id)
      // Changed some time up to the window's end: details fetched after it already hold it.
      const known = yield* repo.recordChanges(ids, iso(Math.min(nowMs, to + DAY)), kind)
      stored += unseen.filter((id) => known.has(id)).length
      if (options.all) {
        // Adult titles stay out unless asked for, as in the export.
        const wanted = (id: number) => !known.has(id) && options.listed?.has(id) !== true && (options.includeAdult || !result.right.adult.has(id))
        newIds.push(...unseen.filter(wanted))
      }
    }
    const report: ChangesReport = { status: "read", from: mark, to: today, windows, listed: seen.size, stored, new: newIds.length }
    return { report, newIds, markTo: today, unreachable: undefined }
  })
