import type { CollectionPart } from "./Careers.js"
import type { CatalogueMovie, DiscoverItem, WireDetails } from "./Catalogue.js"
import { discoverItemOf } from "./Details.js"
import { personKey, personOf } from "./People.js"
import { hash32, int, mulberry32 } from "./Random.js"

// What `sandbox.advance` does to an edited movie: each edit changes the title, the budget and the
// credits, so the `movies` row and the cast rows a collector stored all go stale at once.

const budgetAfter = (seed: number, edit: number, before: unknown): number => {
  const budget = int(mulberry32(hash32(seed, 0xed17, edit)), 100, 300000) * 1000
  return budget === before ? budget + 1000 : budget
}

/** `d` (fresh from buildDetails) after `edits` edits, key order unchanged. */
const editDetails = (d: WireDetails, edits: number, seed: number): WireDetails => {
  for (let k = 1; k <= edits; k++) {
    d.title = `${String(d.title)} (Redux)`
    d.budget = budgetAfter(seed, k, d.budget)
  }
  return d
}

type Obj = Record<string, unknown>

/**
 * Credits after `edits` edits: each drops the last cast member and renames the first one's
 * character; a cast left empty gains one member instead, so every edit changes the cast rows.
 */
export const editCredits = (credits: Obj, edits: number, seed: number): Obj => {
  const cast = Array.isArray(credits.cast) ? [...(credits.cast as Array<Obj>)] : []
  for (let k = 1; k <= edits; k++) {
    if (cast.length === 0) {
      // An extra credited once: a person of the pool, so the id has this one name everywhere.
      const extra = personOf(personKey("oneOff", "en", hash32(seed, 0xca57, k)))
      cast.push({
        adult: false,
        gender: extra.gender,
        id: extra.id,
        known_for_department: "Acting",
        name: extra.name,
        original_name: extra.name,
        popularity: extra.popularity,
        profile_path: extra.profile_path,
        cast_id: k,
        character: "Extra",
        credit_id: hash32(seed, 0xc7ed, k).toString(16).padStart(8, "0").repeat(3),
        order: 0
      })
      continue
    }
    cast.pop()
    const first = cast[0]
    if (first !== undefined) cast[0] = { ...first, character: `${typeof first.character === "string" ? first.character : ""} (Redux)`.trim() }
  }
  return { ...credits, cast }
}

/** A movie as an advance left it: the generated movie underneath, edited `edits` times. */
class EditedMovie implements CatalogueMovie {
  readonly id: number
  readonly seed: number
  readonly releaseDate: string
  readonly adult: boolean
  readonly video: boolean
  readonly voteCount: number
  readonly voteAverage: number
  readonly popularity: number
  readonly releaseDay: number | null
  readonly changedDay: number
  readonly changeAdultNull: boolean
  readonly fixture: string | null = null
  readonly career: number
  readonly collection: CollectionPart | null
  constructor(readonly base: CatalogueMovie, readonly edits: number) {
    this.id = base.id
    this.seed = base.seed
    this.releaseDate = base.releaseDate
    this.adult = base.adult
    this.video = base.video
    this.voteCount = base.voteCount
    this.voteAverage = base.voteAverage
    this.popularity = base.popularity
    this.releaseDay = base.releaseDay
    this.changedDay = base.changedDay
    this.changeAdultNull = base.changeAdultNull
    this.career = base.career
    this.collection = base.collection
  }
  details(): WireDetails {
    return editDetails(this.base.details(), this.edits, this.seed)
  }
  discoverItem(): DiscoverItem {
    return discoverItemOf(this.details())
  }
  /** Unchanged by an edit: the export files keep naming the movie as before. */
  originalTitle(): string {
    return this.base.originalTitle()
  }
  body(): Buffer {
    return Buffer.from(JSON.stringify(this.details()))
  }
}

/** `m` edited once more. */
export const editedOnce = (m: CatalogueMovie): CatalogueMovie => m instanceof EditedMovie ? new EditedMovie(m.base, m.edits + 1) : new EditedMovie(m, 1)
