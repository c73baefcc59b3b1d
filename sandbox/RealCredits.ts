import { hash32 } from "./Random.js"

// Credits of the real recorded movies. Their recordings in fixtures/ carry no credits, so the
// sandbox used to make them up, and Fight Club was "directed by" a generated actress. Here are a
// few leading credits, written by hand: the TMDB person ids, names, characters and jobs of Fight
// Club as its recorded /movie/550/credits has them (jdrouet/tmdb-api, assets/movie-credits.json),
// and for Up and Deadpool 2 their directors and star under the TMDB ids other recorded credits
// give those people. The rest of the real lists is not here; popularity and credit ids are the
// sandbox's own.

type Gender = 1 | 2
type CastCredit = readonly [id: number, name: string, gender: Gender, character: string]
type CrewCredit = readonly [id: number, name: string, gender: Gender, department: string, job: string]

const REAL: Readonly<Record<number, { cast: ReadonlyArray<CastCredit>; crew: ReadonlyArray<CrewCredit> }>> = {
  550: {
    cast: [
      [819, "Edward Norton", 2, "Narrator"],
      [287, "Brad Pitt", 2, "Tyler Durden"],
      [1283, "Helena Bonham Carter", 1, "Marla Singer"],
      [7470, "Meat Loaf", 2, "Robert 'Bob' Paulson"],
      [7499, "Jared Leto", 2, "Angel Face"]
    ],
    crew: [
      [7467, "David Fincher", 2, "Directing", "Director"],
      [7468, "Chuck Palahniuk", 2, "Writing", "Novel"],
      [7469, "Jim Uhls", 2, "Writing", "Screenplay"]
    ]
  },
  14160: { cast: [], crew: [[12890, "Pete Docter", 2, "Directing", "Director"]] },
  383498: {
    cast: [[10859, "Ryan Reynolds", 2, "Wade Wilson / Deadpool"]],
    crew: [[40684, "David Leitch", 2, "Directing", "Director"]]
  }
}

const creditId = (movie: number, person: number, k: number): string =>
  [hash32(movie, person, k), hash32(person, movie, k), hash32(k, movie, person)].map((h) => h.toString(16).padStart(8, "0")).join("")

const person = (id: number, name: string, gender: Gender, department: string) => ({
  adult: false,
  gender,
  id,
  known_for_department: department,
  name,
  original_name: name,
  popularity: 20,
  profile_path: null
})

/** The real credits of recorded movie `id` in TMDB's current shape, or undefined when there are none here. */
export const realCredits = (id: number): { cast: Array<Record<string, unknown>>; crew: Array<Record<string, unknown>> } | undefined => {
  const real = REAL[id]
  if (real === undefined) return undefined
  return {
    cast: real.cast.map(([pid, name, gender, character], order) => ({
      ...person(pid, name, gender, "Acting"),
      cast_id: order + 4,
      character,
      credit_id: creditId(id, pid, order),
      order
    })),
    crew: real.crew.map(([pid, name, gender, department, job], k) => ({
      ...person(pid, name, gender, department),
      credit_id: creditId(id, pid, 100 + k),
      department,
      job
    }))
  }
}
