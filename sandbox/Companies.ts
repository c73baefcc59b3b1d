import { studioCompanies } from "./Studios.js"
import type { Company } from "./Studios.js"

// /company/{id} (https://developer.themoviedb.org/reference/company-details): every company a
// movie names (sandbox/Studios.ts and the recorded fixtures), and the parents they belong to,
// some of which no movie names. TMDB writes an unknown description, headquarters, homepage or
// origin country as "" and a missing logo as null (jdrouet/tmdb-api assets/company-details.json:
// Lucasfilm, `"description": ""`, `"parent_company": null`). The real studios keep facts as
// TMDB and the studios' own sites give them; the made-up ones mostly leave them unknown.

export interface CompanyBody {
  readonly description: string
  readonly headquarters: string
  readonly homepage: string
  readonly id: number
  readonly logo_path: string | null
  readonly name: string
  readonly origin_country: string
  readonly parent_company: { readonly id: number; readonly name: string; readonly logo_path: string | null } | null
}

type Facts = readonly [headquarters: string, homepage: string, parent: number | null, description?: string]

const FACTS: Readonly<Record<number, Facts>> = {
  33: ["Universal City, California", "http://www.universalpictures.com", 920001],
  174: ["Burbank, California, United States", "https://www.warnerbros.com", 920002],
  25: ["Los Angeles, California, United States", "http://www.foxmovies.com", 920003],
  4: ["Hollywood, California, United States", "https://www.paramountmovies.com", 920004],
  2: ["Burbank, California, United States", "https://movies.disney.com", 920003],
  3: ["Emeryville, California, United States", "https://www.pixar.com", 2],
  7: ["Universal City, California, United States", "https://www.dreamworks.com", 920005],
  3172: ["Los Angeles, California, United States", "https://www.blumhouse.com", null],
  41077: [
    "New York City, New York, United States",
    "https://a24films.com",
    null,
    "A24 is an American independent entertainment company that specializes in film and television production, as well as film distribution."
  ],
  7505: ["New York City, New York, United States", "https://www.marvel.com", 920003],
  711: ["Los Angeles, California, United States", "", 25],
  508: ["Los Angeles, California, United States", "https://www.newregency.com", null],
  4700: ["", "", null],
  104: ["Issy-les-Moulineaux, France", "https://www.canalplus.com", 920006],
  591: ["Paris, France", "", 920007],
  10342: ["Koganei, Tokyo, Japan", "https://www.ghibli.jp", null, "Studio Ghibli, Inc. is a Japanese animation film studio based in Koganei, Tokyo."],
  5822: ["Tokyo, Japan", "https://www.shochiku.co.jp", null],
  128064: ["Seoul, South Korea", "", null],
  20555: ["", "", null],
  11581: ["Hvidovre, Denmark", "https://www.zentropa.dk", null],
  90733: ["Riyadh, Saudi Arabia", "", 920008],
  910001: ["Los Angeles, California", "", null],
  910004: ["", "", 910001],
  910007: ["London, England, United Kingdom", "", 910006],
  910011: ["Seoul, South Korea", "", 920009],
  910017: ["", "", 910009]
}

// Parents no movie names: they answer /company/{id} too, and are in the company export.
const PARENTS: ReadonlyArray<Company & { readonly facts: Facts }> = [
  {
    id: 920001,
    logo_path: "/8LfEpKfCCHtCtOFHdWi1HcXGzw1.png",
    name: "NBCUniversal",
    origin_country: "US",
    facts: ["New York City, New York, United States", "https://www.nbcuniversal.com", null]
  },
  {
    id: 920002,
    logo_path: "/zhD3hhtKB5qyv7ZeL4uLpNxgMVU.png",
    name: "Warner Bros. Discovery",
    origin_country: "US",
    facts: ["New York City, New York, United States", "https://wbd.com", null]
  },
  {
    id: 920003,
    logo_path: "/wdrCwmRnLFJhEoH8GSfymY85KHT.png",
    name: "The Walt Disney Company",
    origin_country: "US",
    facts: ["Burbank, California, United States", "https://thewaltdisneycompany.com", null]
  },
  {
    id: 920004,
    logo_path: null,
    name: "Paramount Global",
    origin_country: "US",
    facts: ["New York City, New York, United States", "https://www.paramount.com", null]
  },
  {
    id: 920005,
    logo_path: null,
    name: "Amblin Partners",
    origin_country: "US",
    facts: ["Universal City, California, United States", "https://amblin.com", null]
  },
  { id: 920006, logo_path: null, name: "Groupe Canal+", origin_country: "FR", facts: ["Issy-les-Moulineaux, France", "", null] },
  { id: 920007, logo_path: null, name: "France Télévisions", origin_country: "FR", facts: ["Paris, France", "https://www.france.tv", null] },
  { id: 920008, logo_path: null, name: "Rotana Group", origin_country: "SA", facts: ["Riyadh, Saudi Arabia", "", null] },
  { id: 920009, logo_path: null, name: "Hanul Media Group", origin_country: "KR", facts: ["", "", null] }
]

// Companies the recorded movies name that no generated movie does (fixtures/movie-550-fight-club.json).
const RECORDED: ReadonlyArray<Company> = [{ id: 4700, logo_path: "/A32wmjrs9Psf4zw0uaixF0GXfxq.png", name: "The Linson Company", origin_country: "US" }]

const ALL: ReadonlyArray<Company> = [...studioCompanies(), ...RECORDED, ...PARENTS].sort((a, b) => a.id - b.id)
const BY_ID = new Map(ALL.map((c) => [c.id, c]))
const PARENT_FACTS = new Map(PARENTS.map((p) => [p.id, p.facts]))

/** Every company the sandbox knows, by id: the export file lists them all. */
export const allCompanies = (): ReadonlyArray<Company> => ALL

/** The /company/{id} body, keys in TMDB's order, or undefined for an unknown id. */
export const companyBody = (id: number): CompanyBody | undefined => {
  const c = BY_ID.get(id)
  if (c === undefined) return undefined
  const [headquarters, homepage, parentId, description = ""] = FACTS[id] ?? PARENT_FACTS.get(id) ?? ["", "", null]
  const parent = parentId === null ? undefined : BY_ID.get(parentId)
  return {
    description,
    headquarters,
    homepage,
    id,
    logo_path: c.logo_path,
    name: c.name,
    origin_country: c.origin_country,
    parent_company: parent === undefined ? null : { id: parent.id, name: parent.name, logo_path: parent.logo_path }
  }
}
