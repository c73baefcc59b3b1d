import { catalogueYears, drawFields, generatedMovie, hotDaysOf } from "./Catalogue.js"
import type { CatalogueConfig, CatalogueMovie, DrawnFields, Fate } from "./Catalogue.js"
import { editedOnce } from "./Edits.js"
import { ChangesIndex, DiscoverIndex } from "./Query.js"
import type { ChangeEntry } from "./Query.js"
import { hash32, int, isoOfDay, mulberry32, pick, sample, todayDay } from "./Random.js"
import type { Rng } from "./Random.js"

// The catalogue as time passes: `advance` edits, adds, deletes and restores movies, logs each in
// /movie/changes on today's UTC day, and bumps `version`, which every derived index (discover,
// the sorted list, the export files) is rebuilt against on its next use.

export interface AdvanceSpec {
  /** Live, generated, fate-free movies to edit (title, budget and credits change). */
  edit?: number | undefined
  /** New movies, ids above the highest so far. */
  add?: number | undefined
  /** Live, generated, fate-free movies to delete (404 from then on). */
  delete?: number | undefined
  /** Ids deleted by an earlier advance, back as they were. */
  restore?: ReadonlyArray<number> | undefined
  /** Live credited people to edit (biography and popularity change). */
  editPeople?: number | undefined
  /** Live credited people to delete (404 from then on). */
  deletePeople?: number | undefined
}

export interface AdvanceResult {
  /** Today (UTC), the day the changes are logged on: YYYY-MM-DD. */
  day: string
  edited: Array<number>
  added: Array<number>
  deleted: Array<number>
  restored: Array<number>
  editedPeople: Array<number>
  deletedPeople: Array<number>
}

/** What an advance does to people (sandbox/Linked.ts), after the movies' changes. */
export interface PeopleTimeline {
  /** Why these numbers of people cannot be edited and deleted, checked before anything changes. */
  refusal(edit: number, del: number): string | undefined
  advance(touched: ReadonlyArray<CatalogueMovie>, edit: number, del: number, stream: (k: number) => Rng, day: number): {
    editedPeople: Array<number>
    deletedPeople: Array<number>
  }
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Every problem with an advance spec, one line each (empty when valid). */
const validateAdvance = (spec: unknown): Array<string> => {
  if (!isObject(spec)) return ["spec must be an object"]
  const errors: Array<string> = []
  for (const k of Object.keys(spec)) {
    if (!["edit", "add", "delete", "restore", "editPeople", "deletePeople"].includes(k)) errors.push(`${k} is not an advance field`)
  }
  for (const k of ["edit", "add", "delete", "editPeople", "deletePeople"]) {
    const v = spec[k]
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) errors.push(`${k} must be an integer >= 0`)
  }
  const r = spec.restore
  if (r !== undefined && (!Array.isArray(r) || !r.every((id) => Number.isInteger(id)))) errors.push("restore must be an array of integer ids")
  return errors
}

const ids = (ms: ReadonlyArray<CatalogueMovie>): Array<number> => ms.map((m) => m.id)

export class CatalogueState {
  /** The live movies by id (advance-deleted ones are not here; fate "deleted" ones are). */
  readonly byId: Map<number, CatalogueMovie>
  readonly changes: ChangesIndex
  private readonly removed = new Map<number, CatalogueMovie>()
  private current = 0
  private advances = 0
  private maxId: number
  private sorted: { version: number; movies: ReadonlyArray<CatalogueMovie> }
  private index: { version: number; discover: DiscoverIndex }

  constructor(original: ReadonlyArray<CatalogueMovie>, private readonly cfg: CatalogueConfig, readonly fates: ReadonlyMap<number, Fate>) {
    this.byId = new Map(original.map((m) => [m.id, m]))
    this.sorted = { version: 0, movies: original }
    this.index = { version: 0, discover: new DiscoverIndex(original) }
    this.changes = new ChangesIndex(original)
    this.maxId = original.reduce((max, m) => Math.max(max, m.id), 0)
  }

  /** Bumped by every advance. */
  get version(): number {
    return this.current
  }

  /** The live movies, by id. */
  movies(): ReadonlyArray<CatalogueMovie> {
    if (this.sorted.version !== this.current) this.sorted = { version: this.current, movies: [...this.byId.values()].sort((a, b) => a.id - b.id) }
    return this.sorted.movies
  }

  discover(): DiscoverIndex {
    if (this.index.version !== this.current) this.index = { version: this.current, discover: new DiscoverIndex(this.movies()) }
    return this.index.discover
  }

  /** The highest live id: TMDB's /movie/latest is its newest movie. */
  latest(): CatalogueMovie | undefined {
    const ms = this.movies()
    return ms[ms.length - 1]
  }

  isRemoved(id: number): boolean {
    return this.removed.has(id)
  }

  advance(spec: AdvanceSpec, people: PeopleTimeline): AdvanceResult {
    const errors = validateAdvance(spec)
    if (errors.length > 0) throw new Error(`invalid advance: ${errors.join("; ")}`)
    const restore = [...new Set(spec.restore ?? [])].sort((a, b) => a - b)
    const notRemoved = restore.filter((id) => !this.removed.has(id))
    if (notRemoved.length > 0) throw new Error(`invalid advance: not deleted by an earlier advance: ${notRemoved.join(", ")}`)
    const edit = spec.edit ?? 0
    const del = spec.delete ?? 0
    const restoring = new Set(restore)
    const candidates = this.movies().filter((m) => m.fixture === null && !this.fates.has(m.id) && !restoring.has(m.id))
    if (edit + del > candidates.length) {
      throw new Error(`invalid advance: edit + delete = ${edit + del}, but only ${candidates.length} live generated movies without a fate`)
    }
    const refused = people.refusal(spec.editPeople ?? 0, spec.deletePeople ?? 0)
    if (refused !== undefined) throw new Error(`invalid advance: ${refused}`)
    // One stream per operation, so asking for more additions leaves the edits and deletions as they were.
    const stream = (k: number): Rng => mulberry32(hash32(this.cfg.seed, 0xad7a, this.advances, k))
    const day = todayDay()

    const restored = restore.map((id) => this.removed.get(id) as CatalogueMovie)
    for (const m of restored) {
      this.removed.delete(m.id)
      this.byId.set(m.id, m)
    }
    const edited = sample(stream(1), candidates, edit, (m) => m.id).map(editedOnce)
    for (const m of edited) this.byId.set(m.id, m)
    const editedIds = new Set(ids(edited))
    const deleted = sample(stream(2), candidates.filter((m) => !editedIds.has(m.id)), del, (m) => m.id)
    for (const m of deleted) {
      this.byId.delete(m.id)
      this.removed.set(m.id, m)
    }
    const added = this.draw(stream(3), spec.add ?? 0, day)
    for (const m of added) this.byId.set(m.id, m)

    const touched = [...restored, ...edited, ...deleted, ...added]
    this.changes.record(touched.map((m): ChangeEntry => ({ day, id: m.id, adult: m.adult })))
    const { editedPeople, deletedPeople } = people.advance([...edited, ...added], spec.editPeople ?? 0, spec.deletePeople ?? 0, stream, day)
    this.advances++
    this.current++
    return { day: isoOfDay(day), edited: ids(edited), added: ids(added), deleted: ids(deleted), restored: restore, editedPeople, deletedPeople }
  }

  /** `count` new movies drawn as generateCatalogue draws them, ids above every id so far. */
  private draw(r: Rng, count: number, day: number): Array<CatalogueMovie> {
    const years = catalogueYears(this.cfg)
    const fields: Array<DrawnFields> = []
    for (let i = 0; i < count; i++) {
      const year = pick(r, years)
      fields.push(drawFields(r, year, hotDaysOf(r, year), this.cfg.crowdedDayFraction ?? 0))
    }
    // Rare kinds at 1-2% would seldom turn up in a small batch; three or more additions always
    // hold an undated, an adult and a video movie, so a test can count on meeting each.
    if (count >= 3) {
      if (!fields.some((f) => f.releaseDate === "")) fields[0] = { ...(fields[0] as DrawnFields), releaseDate: "" }
      if (!fields.some((f) => f.adult)) fields[1] = { ...(fields[1] as DrawnFields), adult: true }
      if (!fields.some((f) => f.video)) fields[2] = { ...(fields[2] as DrawnFields), video: true }
    }
    return fields.map((f) => {
      this.maxId += int(r, 1, 30)
      return generatedMovie(this.maxId, hash32(this.cfg.seed, this.maxId), f, day, false)
    })
  }
}
