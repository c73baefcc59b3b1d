import { movieKind } from "../MovieKind.js"
import type { AnyKind } from "../RecordKind.js"
import { collectionKind } from "./Collection.js"
import { companyKind } from "./Company.js"
import { personKind } from "./Person.js"

// The kinds of record tmdb-collector keeps, in the order a run takes them: movies first, since the
// others are the records stored movies name.

/**
 * What a run keeps unless told otherwise: movies, their collections and their companies. Those
 * two cost a few requests per hundred movies (README "The film world around each movie").
 */
export const DEFAULT_KINDS: ReadonlyArray<AnyKind> = [movieKind, collectionKind, companyKind]

/** With people (`--people`): every person credited in a stored movie, one request each. */
export const WITH_PEOPLE: ReadonlyArray<AnyKind> = [...DEFAULT_KINDS, personKind]

// English plurals of the kinds' names, for the lines a person reads; a kind of one's own that is
// not here gets an "s".
const PLURALS: Readonly<Record<string, string>> = { company: "companies", person: "people" }

/** `movies`, `collections`, `companies`, `people`: a kind's name as a count of its records says it. */
export const pluralOf = (kind: string): string => PLURALS[kind] ?? `${kind}s`
