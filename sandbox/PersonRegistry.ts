import { appended } from "./Appends.js"
import type { CatalogueMovie } from "./Catalogue.js"
import { languageIndexOf, LANGUAGES } from "./Names.js"
import { isOneOff, keyOfId, personKey, personNameOf, personOf, regionCodeOf } from "./People.js"
import type { PersonFacts } from "./Persons.js"
import { hash32 } from "./Random.js"

// Who answers /person/{id}: everyone any movie of the catalogue credits (cast and crew, real and
// generated, adult movies' people too), and `extraPeople` made-up people credited in no movie, as
// TMDB's person export lists far more people than its movies credit. A person's facts are fixed
// when first met: the whole catalogue as generated, then each advance's edited and added movies,
// which can only bring new people. Advances edit and delete people (sandbox/Linked.ts).

const DEPARTMENTS = ["Acting", "Directing", "Writing", "Production", "Camera", "Editing", "Sound"]

interface Credited {
  /** Credits per department, in DEPARTMENTS' order (ties go to the earlier one). */
  readonly counts: Array<number>
  first: number
  last: number
  adultOnly: boolean
  /** Name and gender as the credits give them, for the real people (no key). */
  readonly real?: { readonly name: string; readonly gender: number; readonly popularity: number }
}

/** Extra people's ids start here: above every generated person's (3,000,000 + 2^28). */
const EXTRA_BASE = 300_000_000

type Item = Record<string, unknown>

export class PersonRegistry {
  private readonly credited = new Map<number, Credited>()
  private sortedIds: Array<number> | undefined
  readonly deleted = new Set<number>()
  readonly edits = new Map<number, number>()
  /** How many extra people the person export lists after the credited ones. */
  readonly extraCount: number

  constructor(movies: ReadonlyArray<CatalogueMovie>, private readonly seed: number, extraPeople: number | undefined) {
    this.scan(movies, this.credited)
    this.extraCount = extraPeople ?? Math.round(this.credited.size / 10)
  }

  private scan(movies: ReadonlyArray<CatalogueMovie>, into: Map<number, Credited>): void {
    for (const m of movies) {
      const credits = appended(m, m.details(), "credits") as { cast: Array<Item>; crew: Array<Item> }
      const day = m.releaseDay
      const add = (item: Item, department: unknown) => {
        const id = item.id as number
        let c = into.get(id)
        if (c === undefined) {
          const real = keyOfId(id) === undefined
            ? { name: String(item.name), gender: Number(item.gender ?? 0), popularity: Number(item.popularity ?? 0) }
            : undefined
          c = { counts: DEPARTMENTS.map(() => 0), first: Infinity, last: -Infinity, adultOnly: true, ...(real === undefined ? {} : { real }) }
          into.set(id, c)
        }
        const d = DEPARTMENTS.indexOf(String(department))
        c.counts[d < 0 ? 0 : d]!++
        if (day !== null) {
          c.first = Math.min(c.first, day)
          c.last = Math.max(c.last, day)
        }
        if (!m.adult) c.adultOnly = false
      }
      for (const item of credits.cast) add(item, "Acting")
      for (const item of credits.crew) add(item, item.department)
    }
  }

  /** Registers the people of movies an advance edited or added: only ids not met before. */
  meet(movies: ReadonlyArray<CatalogueMovie>): void {
    const batch = new Map<number, Credited>()
    this.scan(movies, batch)
    for (const [id, c] of batch) {
      if (this.credited.has(id)) continue
      this.credited.set(id, c)
      this.sortedIds = undefined
    }
  }

  /** Every credited person's id, ascending (deleted ones included). */
  ids(): ReadonlyArray<number> {
    this.sortedIds ??= [...this.credited.keys()].sort((a, b) => a - b)
    return this.sortedIds
  }

  isLive(id: number): boolean {
    return !this.deleted.has(id) && (this.credited.has(id) || this.extraIndex(id) !== undefined)
  }

  isReal(id: number): boolean {
    return this.credited.get(id)?.real !== undefined
  }

  /** The id of extra person k (0-based): increasing, gaps of 1 or 2. */
  extraId(k: number): number {
    return EXTRA_BASE + 2 * k + (hash32(this.seed, k, 0xe7a) & 1)
  }

  private extraIndex(id: number): number | undefined {
    const k = Math.floor((id - EXTRA_BASE) / 2)
    return id >= EXTRA_BASE && k < this.extraCount && this.extraId(k) === id ? k : undefined
  }

  /** Extra person k's key and language: a person credited once, in one of the catalogue's languages. */
  private extraKey(k: number): { h: number; code: string; key: number } {
    const h = hash32(this.seed, k, 0xe7b)
    const code = (LANGUAGES[languageIndexOf(h)] ?? LANGUAGES[0])!.code
    return { h, code, key: personKey("oneOff", code, h >>> 10) }
  }

  /** Extra person k's name and popularity, cheaply: what its export line says. */
  extraName(k: number): { name: string; popularity: number } {
    return personNameOf(this.extraKey(k).key)
  }

  /** Extra person k, made up from k alone. */
  extraFacts(k: number): PersonFacts {
    const { h, code, key } = this.extraKey(k)
    const p = personOf(key)
    const department = h % 10 < 8 ? "Acting" : (DEPARTMENTS[1 + (h % 6)] as string)
    const { name, gender, popularity, profile_path } = p
    return { id: this.extraId(k), name, gender, popularity, profile_path, adult: false, region: code, department, firstDay: null, lastDay: null, oneOff: true }
  }

  /** The facts of a live or deleted person, or undefined for an id no one has. */
  facts(id: number): PersonFacts | undefined {
    const k = this.extraIndex(id)
    if (k !== undefined) return this.extraFacts(k)
    const c = this.credited.get(id)
    if (c === undefined) return undefined
    const counts = c.counts
    const department = DEPARTMENTS[counts.indexOf(Math.max(...counts))] as string
    const firstDay = Number.isFinite(c.first) ? c.first : null
    const lastDay = Number.isFinite(c.last) ? c.last : null
    // Fields written out, not spread: spreading here made building a big export several times slower.
    if (c.real !== undefined) {
      const { name, gender, popularity } = c.real
      return { id, name, gender, popularity, profile_path: null, adult: c.adultOnly, region: "en", department, firstDay, lastDay, oneOff: false }
    }
    const key = keyOfId(id) as number
    const { name, gender, popularity, profile_path } = personOf(key)
    return { id, name, gender, popularity, profile_path, adult: c.adultOnly, region: regionCodeOf(key), department, firstDay, lastDay, oneOff: isOneOff(key) }
  }
}
