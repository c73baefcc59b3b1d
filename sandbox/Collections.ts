import type { CatalogueMovie, Fate, WireDetails } from "./Catalogue.js"
import { discoverItemOf } from "./Details.js"
import { hash32, mulberry32 } from "./Random.js"

// /collection/{id} (https://developer.themoviedb.org/reference/collection-details): the
// collections the catalogue's movies name in `belongs_to_collection` (sandbox/Careers.ts for the
// generated ones, the recorded Deadpool 2's for the fixtures), each with every live part, stored
// by a collector or not: parts of other years and with few votes are listed all the same. Shape as
// jdrouet/tmdb-api assets/collection-details.json (Star Wars Collection): each part is a
// discover item with `media_type` after `poster_path`.

export interface CollectionBody {
  readonly id: number
  readonly name: string
  readonly overview: string
  readonly poster_path: string | null
  readonly backdrop_path: string | null
  readonly parts: ReadonlyArray<Record<string, unknown>>
}

/**
 * TMDB renames collections after movies first named them, so about one collection in five has a
 * /collection name that differs from what its movies' `belongs_to_collection` still says:
 * "The Secret Horizon Collection" there, "Secret Horizon Collection" here (or the other way).
 */
const renamed = (id: number, name: string): string => {
  if (hash32(id, 0x7e4a) % 5 !== 0) return name
  return name.startsWith("The ") ? name.slice(4) : `The ${name}`
}

const OVERVIEWS = [
  (name: string) => `All the films of the ${name.replace(/ Collection$/, "")} saga, in the order they came out.`,
  (name: string) => `A franchise that began with one film and kept coming back: the ${name}.`,
  () => "Every sequel, every return, every \"final\" chapter."
]

/** The collection's own fields (not its parts), as a part's details name it. */
const header = (named: WireDetails, recorded: boolean) => {
  const id = named.id as number
  const name = recorded ? String(named.name) : renamed(id, String(named.name))
  const r = mulberry32(hash32(id, 0xc011))
  const overview = recorded || r() < 0.25 ? "" : (OVERVIEWS[Math.floor(r() * OVERVIEWS.length)] as (n: string) => string)(name)
  const poster = recorded || r() >= 0.1 ? (named.poster_path as string | null) : null
  return { id, name, overview, poster_path: poster, backdrop_path: named.backdrop_path as string | null }
}

const partOf = (m: CatalogueMovie): Record<string, unknown> => {
  const d = discoverItemOf(m.details())
  return {
    adult: d.adult,
    backdrop_path: d.backdrop_path,
    id: d.id,
    title: d.title,
    original_language: d.original_language,
    original_title: d.original_title,
    overview: d.overview,
    poster_path: d.poster_path,
    media_type: "movie",
    genre_ids: d.genre_ids,
    popularity: d.popularity,
    release_date: d.release_date,
    video: d.video,
    vote_average: d.vote_average,
    vote_count: d.vote_count
  }
}

/** Which movies make up each collection: fixed when the catalogue is drawn (advances add none). */
export class CollectionIndex {
  private readonly members = new Map<number, Array<number>>()
  private readonly recorded = new Set<number>()

  constructor(movies: ReadonlyArray<CatalogueMovie>) {
    // Generated movies carry their part in `collection`, in release order; fixtures name theirs in the body.
    const sorted = [...movies].sort((a, b) => (a.collection?.part ?? 0) - (b.collection?.part ?? 0) || a.id - b.id)
    for (const m of sorted) {
      const id = m.fixture === null ? m.collection?.id : (m.details().belongs_to_collection as { id?: number } | null)?.id
      if (id === undefined) continue
      if (m.fixture !== null) this.recorded.add(id)
      const list = this.members.get(id)
      if (list === undefined) this.members.set(id, [m.id])
      else list.push(m.id)
    }
  }

  /** The live parts of collection `id`, in release order: movies deleted by an advance or answering 404 are not listed. */
  private liveParts(id: number, byId: ReadonlyMap<number, CatalogueMovie>, fates: ReadonlyMap<number, Fate>): Array<CatalogueMovie> {
    const out: Array<CatalogueMovie> = []
    for (const movieId of this.members.get(id) ?? []) {
      const m = byId.get(movieId)
      if (m !== undefined && fates.get(movieId) !== "deleted") out.push(m)
    }
    return out
  }

  /** The /collection/{id} body, or undefined when no live movie is a part of it. */
  body(id: number, byId: ReadonlyMap<number, CatalogueMovie>, fates: ReadonlyMap<number, Fate>): CollectionBody | undefined {
    const parts = this.liveParts(id, byId, fates)
    const first = parts[0]
    if (first === undefined) return undefined
    const named = first.details().belongs_to_collection as WireDetails
    return { ...header(named, this.recorded.has(id)), parts: parts.map(partOf) }
  }

  /** Every collection with a live part, by id, with its /collection name: the export file's lines. */
  names(byId: ReadonlyMap<number, CatalogueMovie>, fates: ReadonlyMap<number, Fate>): Array<{ id: number; name: string }> {
    const out: Array<{ id: number; name: string }> = []
    for (const id of [...this.members.keys()].sort((a, b) => a - b)) {
      const first = this.liveParts(id, byId, fates)[0]
      if (first === undefined) continue
      out.push({ id, name: header(first.details().belongs_to_collection as WireDetails, this.recorded.has(id)).name })
    }
    return out
  }
}
