import { allCompanies } from "./Companies.js"
import { gzipChunks } from "./Exports.js"
import type { LinkedExportKind } from "./Exports.js"
import type { Linked } from "./Linked.js"

// The daily export files of people, collections and companies (https://developer.themoviedb.org/docs/daily-id-exports):
// `person_ids` `{"adult":false,"id":31,"name":"Tom Hanks","popularity":12.3}`, `adult_person_ids`
// the same for adult people, `collection_ids` and `production_company_ids` `{"id":10,"name":"…"}`,
// one line per live record, sorted by id. The person file lists every live credited person that
// is not adult, then `extraPeople` made-up people credited in no movie, their lines made one by one
// as the gzip stream asks for them, so millions of lines never sit in memory as objects.

const CHUNK_LINES = 10_000

const personLine = (adult: boolean, id: number, name: string, popularity: number): string =>
  `{"adult":${adult},"id":${id},"name":${JSON.stringify(name)},"popularity":${JSON.stringify(popularity)}}`

const nameLine = (r: { id: number; name: string }): string => `{"id":${r.id},"name":${JSON.stringify(r.name)}}`

/** The live credited people of one file (adult or not), as [id, name, popularity], edits applied. */
function* credited(linked: Linked, adult: boolean): Generator<string> {
  const people = linked.people()
  for (const id of people.ids()) {
    if (!people.isLive(id)) continue
    const f = people.facts(id)
    if (f === undefined || f.adult !== adult) continue
    // An edit moves the popularity: the file says what /person/{id} says.
    const popularity = people.edits.has(id) ? Number(linked.personBody(id)?.popularity) : f.popularity
    yield personLine(adult, id, f.name, popularity)
  }
}

/** The extra people's lines, a chunk at a time (a tight loop: there can be millions). */
function* extraChunks(linked: Linked): Generator<string> {
  const people = linked.people()
  for (let from = 0; from < people.extraCount; from += CHUNK_LINES) {
    const buf: Array<string> = []
    for (let k = from; k < Math.min(from + CHUNK_LINES, people.extraCount); k++) {
      const { name, popularity } = people.extraName(k)
      buf.push(personLine(false, people.extraId(k), name, popularity))
    }
    yield buf.join("\n") + "\n"
  }
}

function* lines(linked: Linked, kind: LinkedExportKind): Generator<string> {
  if (kind === "person" || kind === "adult_person") yield* credited(linked, kind === "adult_person")
  else if (kind === "collection") yield* linked.collections().names(linked.state.byId, linked.state.fates).map(nameLine)
  else yield* allCompanies().map(nameLine)
}

function* chunked(text: Iterable<string>): Generator<string> {
  let buf: Array<string> = []
  for (const line of text) {
    buf.push(line)
    if (buf.length >= CHUNK_LINES) {
      yield buf.join("\n") + "\n"
      buf = []
    }
  }
  if (buf.length > 0) yield buf.join("\n") + "\n"
}

function* concat(...parts: ReadonlyArray<Iterable<string>>): Generator<string> {
  for (const part of parts) yield* part
}

/** How many lines a file has now. */
export const exportLineCount = (linked: Linked, kind: LinkedExportKind): number => {
  let n = 0
  for (const _ of lines(linked, kind)) n++
  return kind === "person" ? n + linked.people().extraCount : n
}

/** The four files' bodies, each built on first request and kept until the catalogue changes (`version`). */
export class LinkedExportFiles {
  private readonly cache = new Map<LinkedExportKind, { version: number; body: Promise<Buffer> }>()
  constructor(private readonly linked: Linked, private readonly notGzip: boolean) {}

  body(kind: LinkedExportKind, version: number): Promise<Buffer> {
    const hit = this.cache.get(kind)
    if (hit !== undefined && hit.version === version) return hit.body
    // Level 1: a 3.5-million-line person file compresses in about a second rather than several.
    const text = chunked(lines(this.linked, kind))
    const body = gzipChunks(kind === "person" ? concat(text, extraChunks(this.linked)) : text, this.notGzip, 1)
    this.cache.set(kind, { version, body })
    body.catch(() => {
      if (this.cache.get(kind)?.body === body) this.cache.delete(kind)
    })
    return body
  }
}
