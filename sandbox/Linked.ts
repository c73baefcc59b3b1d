import type { CatalogueMovie, Fate } from "./Catalogue.js"
import { CollectionIndex } from "./Collections.js"
import type { CollectionBody } from "./Collections.js"
import { PersonRegistry } from "./PersonRegistry.js"
import { personBody, personExternalIds } from "./Persons.js"
import { ChangesIndex } from "./Query.js"
import { type Rng, sample } from "./Random.js"
import type { PeopleTimeline } from "./Timeline.js"

// The records around the movies: their collections and their people (companies are a fixed
// table, sandbox/Companies.ts). Both are built on first use, from the catalogue as generated plus
// every advance since, so a sandbox that never serves them never pays for them and one built late
// serves what one built early would.

export interface LinkedCatalogue {
  readonly byId: ReadonlyMap<number, CatalogueMovie>
  readonly fates: ReadonlyMap<number, Fate>
}

export class Linked implements PeopleTimeline {
  /** /person/changes: the people advances edited or deleted, on their day. */
  readonly personChanges = new ChangesIndex([])
  private registry: PersonRegistry | undefined
  private collectionIndex: CollectionIndex | undefined
  /** Movies advances edited or added before the registry was built, in order. */
  private readonly pending: Array<ReadonlyArray<CatalogueMovie>> = []

  constructor(
    private readonly original: ReadonlyArray<CatalogueMovie>,
    readonly state: LinkedCatalogue,
    private readonly seed: number,
    private readonly extraPeople: number | undefined
  ) {}

  people(): PersonRegistry {
    if (this.registry === undefined) {
      this.registry = new PersonRegistry(this.original, this.seed, this.extraPeople)
      for (const batch of this.pending.splice(0)) this.registry.meet(batch)
    }
    return this.registry
  }

  collections(): CollectionIndex {
    this.collectionIndex ??= new CollectionIndex(this.original)
    return this.collectionIndex
  }

  /** The /person/{id} body with the appends TMDB knows here (external_ids), or undefined when no live person has the id. */
  personBody(id: number, append: ReadonlyArray<string> = []): Record<string, unknown> | undefined {
    const people = this.people()
    const facts = people.isLive(id) ? people.facts(id) : undefined
    if (facts === undefined) return undefined
    const body = personBody(facts, people.edits.get(id) ?? 0)
    // An unknown append name adds nothing (https://developer.themoviedb.org/docs/append-to-response).
    if (append.includes("external_ids")) body.external_ids = personExternalIds(body)
    return body
  }

  collectionBody(id: number): CollectionBody | undefined {
    return this.collections().body(id, this.state.byId, this.state.fates)
  }

  /** Live people an advance may edit or delete: credited, generated (the real ones stay as recorded), by id. */
  private candidates(): Array<number> {
    const people = this.people()
    return people.ids().filter((id) => !people.deleted.has(id) && !people.isReal(id))
  }

  refusal(edit: number, del: number): string | undefined {
    if (edit + del === 0) return undefined
    const live = this.candidates().length
    return edit + del > live ? `editPeople + deletePeople = ${edit + del}, but only ${live} live credited people` : undefined
  }

  advance(touched: ReadonlyArray<CatalogueMovie>, edit: number, del: number, stream: (k: number) => Rng, day: number) {
    if (this.registry === undefined) this.pending.push(touched)
    else this.registry.meet(touched)
    if (edit + del === 0) return { editedPeople: [], deletedPeople: [] }
    const people = this.people()
    const candidates = this.candidates()
    const editedPeople = sample(stream(4), candidates, edit, (id) => id)
    const chosen = new Set(editedPeople)
    const deletedPeople = sample(stream(5), candidates.filter((id) => !chosen.has(id)), del, (id) => id)
    for (const id of editedPeople) people.edits.set(id, (people.edits.get(id) ?? 0) + 1)
    for (const id of deletedPeople) people.deleted.add(id)
    const adult = (id: number) => people.facts(id)?.adult ?? false
    this.personChanges.record([...editedPeople, ...deletedPeople].map((id) => ({ day, id, adult: adult(id) })))
    return { editedPeople, deletedPeople }
  }
}
