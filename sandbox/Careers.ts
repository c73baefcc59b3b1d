import { languageIndexOf, LANGUAGES } from "./Names.js"
import { hash32, int, mulberry32, weighted } from "./Random.js"
import type { Rng } from "./Random.js"

// What ties movies of a catalogue together, drawn once for the whole catalogue from its seed in
// release order, on a stream of its own (the movies' own draws stay as they were):
// - collections: a first movie and 1 to 7 sequels, each released months or years after the one
//   before, in the first one's language, titled after it;
// - careers: a director and their circle (the actors and crew they keep working with) make a
//   long-tailed number of movies, months or years apart, in one language. Most make one; a few
//   prolific ones make ten or more in a big catalogue.

export interface CollectionPart {
  /** TMDB-style collection id, one per collection of the catalogue. */
  readonly id: number
  /** 1 for the first movie, 2 for its first sequel, ... */
  readonly part: number
  /** The first movie's seed: the collection takes its language and title. */
  readonly firstSeed: number
  /** How the sequels are numbered (sandbox/Details.ts sequelSuffix). */
  readonly style: number
}

/** The plans of a catalogue's movies, by their index in its input. */
export interface CataloguePlan {
  /**
   * The career each movie belongs to: the number of its director among its language's directors,
   * -1 for an undated movie. Negative numbers below -1 are careers whose director goes uncredited
   * on that movie (about one TMDB movie in five names none): -2 - number.
   */
  readonly careers: Int32Array
  readonly collections: ReadonlyArray<CollectionPart | null>
}

export interface PlanInput {
  readonly seed: number
  /** Days since 1970-01-01, null when undated (such movies join no collection and no career). */
  readonly releaseDay: number | null
}

const COLLECTION_START = 0.035
/** Sizes 2..8: most collections are a film and its sequel, a few run to eight. */
const COLLECTION_SIZES = [45, 25, 12, 8, 5, 3, 2]
const COLLECTION_IDS = 900_000
/** A career of n movies has weight 1/n² (n = 1..40): 61% make one movie, 5% ten or more. */
const CAREER_CUMULATIVE = Array.from({ length: 40 }, (_, i) => i + 1).map((_, i, all) => all.slice(0, i + 1).reduce((sum, k) => sum + 1 / k ** 2, 0))

const careerLength = (r: Rng): number => {
  const x = r() * (CAREER_CUMULATIVE[CAREER_CUMULATIVE.length - 1] as number)
  let n = 0
  while (n < CAREER_CUMULATIVE.length - 1 && (CAREER_CUMULATIVE[n] as number) <= x) n++
  return n + 1
}
/** How often a movie goes to a director who is free to make one, rather than to a newcomer. */
const JOIN = 0.62

/** The dated inputs' indexes by release day, ties in input order (a counting sort: days are few). */
const byDay = (inputs: ReadonlyArray<PlanInput>, firstDay: number, lastDay: number): Int32Array => {
  const starts = new Int32Array(lastDay - firstDay + 2)
  let dated = 0
  for (const m of inputs) {
    if (m.releaseDay === null) continue
    starts[m.releaseDay - firstDay + 1]!++
    dated++
  }
  for (let d = 1; d < starts.length; d++) starts[d]! += starts[d - 1]!
  const order = new Int32Array(dated)
  inputs.forEach((m, i) => {
    if (m.releaseDay !== null) order[starts[m.releaseDay - firstDay]!++] = i
  })
  return order
}

const firstAtOrAfter = (days: Int32Array, day: number): number => {
  let lo = 0
  let hi = days.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (days[mid]! < day) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Collections, by input index; positions are indexes into `order`, whose release days are `days`. */
const collections = (r: Rng, inputs: ReadonlyArray<PlanInput>, order: Int32Array, days: Int32Array, lastDay: number) => {
  const parts = new Array<CollectionPart | null>(inputs.length).fill(null)
  const taken = new Uint8Array(order.length)
  let count = 0
  for (let pos = 0; pos < order.length; pos++) {
    if (taken[pos] === 1 || r() >= COLLECTION_START) continue
    const size = weighted(r, COLLECTION_SIZES) + 2
    const members = [pos]
    let prev = days[pos]!
    while (members.length < size && prev < lastDay) {
      let target = prev + int(r, 240, 1100)
      if (target > lastDay) target = prev + 1 + Math.floor(r() * (lastDay - prev))
      let p = firstAtOrAfter(days, target)
      const end = Math.min(order.length, p + 50)
      while (p < end && taken[p] === 1) p++
      if (p >= end) break
      members.push(p)
      taken[p] = 1
      prev = days[p]!
    }
    if (members.length < 2) {
      for (const p of members) taken[p] = 0
      continue
    }
    // 7919 is prime and divides no power of 900,000's factors: ids are distinct for 900,000 collections.
    const id = 1_000_000 + ((count++ * 7919 + 4093) % COLLECTION_IDS)
    const style = int(r, 0, 3)
    const firstSeed = inputs[order[pos]!]!.seed
    members.forEach((p, k) => (parts[order[p]!] = { id, part: k + 1, firstSeed, style }))
    taken[pos] = 1
  }
  return parts
}

/** Same inputs and seed, same plan; the inputs' own seeds decide their languages, as their details do. */
export const planCatalogue = (inputs: ReadonlyArray<PlanInput>, seed: number, firstDay: number, lastDay: number): CataloguePlan => {
  const r = mulberry32(hash32(seed, 0xca4ee4))
  const order = byDay(inputs, firstDay, lastDay)
  const days = new Int32Array(order.length)
  order.forEach((i, pos) => (days[pos] = inputs[i]!.releaseDay!))
  const parts = collections(r, inputs, order, days, lastDay)
  const careers = new Int32Array(inputs.length).fill(-1)
  // Careers in parallel arrays, by handle: the director's number among their language's, the
  // language, the pace (days between two movies, on average: prolific directors are quick) and
  // the movies still to make. A big catalogue starts tens of thousands.
  const number: Array<number> = []
  const language: Array<number> = []
  const pace: Array<number> = []
  const remaining: Array<number> = []
  const free: Array<Array<number>> = LANGUAGES.map(() => [])
  const started = new Int32Array(LANGUAGES.length)
  // Careers resting after a movie, by the day they are free again (an offset from firstDay).
  const resting: Array<Array<number> | undefined> = []
  let today = firstDay - 1
  for (let pos = 0; pos < order.length; pos++) {
    const i = order[pos]!
    const day = days[pos]!
    for (; today < day; today++) {
      const back = resting[today + 1 - firstDay]
      if (back === undefined) continue
      for (const c of back) free[language[c]!]!.push(c)
      resting[today + 1 - firstDay] = undefined
    }
    const lang = languageIndexOf(parts[i]?.firstSeed ?? inputs[i]!.seed)
    const available = free[lang]!
    let c: number
    if (available.length > 0 && r() < JOIN) {
      const k = Math.floor(r() * available.length)
      c = available[k]!
      available[k] = available[available.length - 1]!
      available.pop()
    } else {
      c = number.length
      number.push(started[lang]!++)
      language.push(lang)
      pace.push(Math.round(90 * 8 ** r()))
      remaining.push(careerLength(r))
    }
    if (--remaining[c]! > 0) {
      const next = day + Math.round(pace[c]! * (0.6 + 0.8 * r())) - firstDay
      if (next <= lastDay - firstDay) (resting[next] ??= []).push(c)
    }
    careers[i] = r() < 0.8 ? number[c]! : -2 - number[c]!
  }
  return { careers, collections: parts }
}
