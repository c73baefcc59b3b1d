import { once } from "node:events"
import { createGzip } from "node:zlib"
import type { ZlibOptions } from "node:zlib"
import type { CatalogueMovie, Fate } from "./Catalogue.js"
import { hash32, int, mulberry32, todayDay } from "./Random.js"

// TMDB's daily ID exports (https://developer.themoviedb.org/docs/daily-id-exports): gzipped JSON
// Lines at files.tmdb.org/p/exports, no auth, one file per day kept about three months, adult
// titles in their own file since 2023-07-05. Every day's file here holds the catalogue's current state.

export const EXPORTS_PREFIX = "/p/exports/"
export const GZIP_TYPE = "application/gzip"

export type ExportKind = "movie" | "adult"
/** The files of the records around the movies (sandbox/LinkedExports.ts). */
export type LinkedExportKind = "person" | "adult_person" | "collection" | "production_company"
type FileKind = ExportKind | LinkedExportKind

/** Days a file is kept: today and the 89 before it ("only made available for 3 months"). */
export const EXPORT_DAYS = 90

const NAME = /^(adult_movie|movie|adult_person|person|collection|production_company)_ids_(\d{2})_(\d{2})_(\d{4})\.json\.gz$/

/** The file's kind and day (days since 1970-01-01), or undefined for any other name or an impossible date. */
export const parseExportName = (name: string): { kind: FileKind; day: number } | undefined => {
  const m = NAME.exec(name)
  if (m === null) return undefined
  const [month, day, year] = [Number(m[2]), Number(m[3]), Number(m[4])]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  return { kind: m[1] === "adult_movie" ? "adult" : m[1] as FileKind, day: date.getTime() / 86_400_000 }
}

/** TMDB's name for a day's file, e.g. `movie_ids_05_15_2024.json.gz` or `person_ids_05_15_2024.json.gz` (`%m_%d_%Y`). */
export const exportFileName = (kind: FileKind, day: number = todayDay()): string => {
  const [y, m, d] = new Date(day * 86_400_000).toISOString().slice(0, 10).split("-")
  return `${kind === "adult" ? "adult_movie" : kind}_ids_${m}_${d}_${y}.json.gz`
}

/** Whether the export files list `m`: a movie TMDB deleted (404) is no longer exported. */
export const inExports = (m: CatalogueMovie, fates: ReadonlyMap<number, Fate>): boolean => fates.get(m.id) !== "deleted"

/** One line, keys in the real files' order: `{"adult":false,"id":550,"original_title":"Fight Club","popularity":61.4,"video":false}`. */
const exportLine = (m: CatalogueMovie): string =>
  `{"adult":${m.adult},"id":${m.id},"original_title":${JSON.stringify(m.originalTitle())},"popularity":${JSON.stringify(m.popularity)},"video":${m.video}}`

// Garbage a damaged file could carry: a line cut short, a line that is not JSON, an id of the wrong type.
const MALFORMED = [
  "{\"adult\":false,\"id\":",
  "not json",
  "{\"adult\":false,\"id\":\"abc\",\"original_title\":\"Broken\",\"popularity\":0,\"video\":false}"
]

export interface ExportSettings {
  readonly seed: number
  readonly malformedLines: number
  readonly notGzip: boolean
}

/** Line positions (0..lines) before which the garbage lines go, ascending; fixed by the seed and the counts. */
const malformedPositions = (seed: number, count: number, lines: number): Array<number> => {
  const r = mulberry32(hash32(seed, 0xbad1, count))
  return Array.from({ length: count }, () => int(r, 0, lines)).sort((a, b) => a - b)
}

const CHUNK_LINES = 10_000

/** The file's text in chunks, so a million lines never sit in one string. */
function* chunks(movies: ReadonlyArray<CatalogueMovie>, s: ExportSettings, kind: ExportKind): Generator<string> {
  const positions = kind === "movie" ? malformedPositions(s.seed, s.malformedLines, movies.length) : []
  let next = 0
  let buf: Array<string> = []
  for (let i = 0; i <= movies.length; i++) {
    while (next < positions.length && positions[next] === i) buf.push(MALFORMED[next++ % MALFORMED.length] as string)
    if (i < movies.length) buf.push(exportLine(movies[i] as CatalogueMovie))
    if (buf.length >= CHUNK_LINES) {
      yield buf.join("\n") + "\n"
      buf = []
    }
  }
  if (buf.length > 0) yield buf.join("\n") + "\n"
}

/** A file's body from its text in chunks: gzipped (at `level`), or the text itself when `notGzip`. */
export const gzipChunks = async (text: Iterable<string>, notGzip: boolean, level?: number): Promise<Buffer> => {
  if (notGzip) return Buffer.concat([...text].map((c) => Buffer.from(c)))
  // A deep write buffer, so the next chunks are made while the thread pool compresses earlier ones.
  const options: ZlibOptions & { writableHighWaterMark: number } = { writableHighWaterMark: 8 << 20, chunkSize: 64 << 10 }
  if (level !== undefined) options.level = level
  const gzip = createGzip(options)
  const out: Array<Buffer> = []
  gzip.on("data", (b: Buffer) => out.push(b))
  const ended = once(gzip, "end")
  for (const chunk of text) if (!gzip.write(chunk)) await once(gzip, "drain")
  gzip.end()
  await ended
  return Buffer.concat(out)
}

const build = (movies: ReadonlyArray<CatalogueMovie>, s: ExportSettings, kind: ExportKind): Promise<Buffer> => gzipChunks(chunks(movies, s, kind), s.notGzip)

/**
 * The two files' bodies, built on first request and kept until the catalogue changes (`version`),
 * so a 1.2-million-movie catalogue is compressed once per state, not per request.
 */
export class ExportFiles {
  private readonly cache = new Map<ExportKind, { version: number; body: Promise<Buffer> }>()
  constructor(private readonly settings: ExportSettings) {}

  body(kind: ExportKind, version: number, movies: () => ReadonlyArray<CatalogueMovie>, fates: ReadonlyMap<number, Fate>): Promise<Buffer> {
    const hit = this.cache.get(kind)
    if (hit !== undefined && hit.version === version) return hit.body
    const listed = movies().filter((m) => inExports(m, fates) && m.adult === (kind === "adult"))
    const body = build(listed, this.settings, kind)
    this.cache.set(kind, { version, body })
    // A failed build is not kept: the next request tries again.
    body.catch(() => {
      if (this.cache.get(kind)?.body === body) this.cache.delete(kind)
    })
    return body
  }
}
