import { dayOf, daysInMonth, hash32, int, isoOfDay, mulberry32, pick } from "./Random.js"
import type { Rng } from "./Random.js"
import { realPerson } from "./RealPeople.js"

// The /person/{id} body (https://developer.themoviedb.org/reference/person-details), keys in the
// order of a recorded one (jdrouet/tmdb-api assets/person-details.json), derived from what the
// credits say about the person (name, gender, popularity, profile, department, first and last
// film) and a stream of the person's own. As on TMDB, much is unknown: birthdays for many, most
// homepages, the biography of most people credited once.

/** What the catalogue fixes about a person; the rest of the body derives from `id`. */
export interface PersonFacts {
  readonly id: number
  readonly name: string
  /** TMDB's codes: 0 not set, 1 female, 2 male, 3 non-binary. */
  readonly gender: number
  readonly popularity: number
  readonly profile_path: string | null
  /** Credited in adult movies only. */
  readonly adult: boolean
  /** The language of the people's region (sandbox/People.ts), "en" for real people. */
  readonly region: string
  readonly department: string
  /** Days since 1970-01-01 of the first and last dated film, null when none is dated. */
  readonly firstDay: number | null
  readonly lastDay: number | null
  readonly oneOff: boolean
}

const PLACES: Readonly<Record<string, readonly [nationality: string, places: ReadonlyArray<string>]>> = {
  en: ["American", [
    "Los Angeles, California, USA",
    "Chicago, Illinois, USA",
    "London, England, UK",
    "Toronto, Ontario, Canada",
    "Sydney, New South Wales, Australia"
  ]],
  fr: ["French", ["Paris, France", "Lyon, France", "Marseille, France", "Bruxelles, Belgique"]],
  es: ["Spanish", ["Madrid, España", "Barcelona, España", "Ciudad de México, México", "Buenos Aires, Argentina"]],
  ja: ["Japanese", ["Tokyo, Japan", "Osaka, Japan", "Kyoto, Japan"]],
  ko: ["South Korean", ["Seoul, South Korea", "Busan, South Korea"]],
  de: ["German", ["Berlin, Germany", "München, Germany", "Hamburg, Germany", "Wien, Österreich"]],
  ar: ["Arab", ["Cairo, Egypt", "Beirut, Lebanon", "Riyadh, Saudi Arabia"]],
  he: ["Israeli", ["Tel Aviv, Israel", "Jerusalem, Israel", "Haifa, Israel"]],
  hi: ["Indian", ["Mumbai, Maharashtra, India", "New Delhi, India", "Kolkata, West Bengal, India"]],
  zh: ["Chinese", ["Beijing, China", "Shanghai, China", "Hong Kong"]],
  ru: ["Russian", ["Moscow, USSR [now Russia]", "Saint Petersburg, Russia", "Novosibirsk, Russia"]]
}

const ROLES: Readonly<Record<string, readonly [female: string, other: string]>> = {
  Acting: ["actress", "actor"],
  Directing: ["director", "director"],
  Writing: ["screenwriter", "screenwriter"],
  Production: ["producer", "producer"],
  Camera: ["cinematographer", "cinematographer"],
  Editing: ["film editor", "film editor"],
  Sound: ["composer", "composer"]
}

const pronoun = (gender: number): string => (gender === 1 ? "She" : gender === 2 ? "He" : "They")

// Russian-language editors add a Cyrillic form of many names, so aliases hold non-Latin text.
const CYRILLIC: ReadonlyArray<readonly [string, string]> = [
  ["shch", "щ"],
  ["sh", "ш"],
  ["ch", "ч"],
  ["zh", "ж"],
  ["kh", "х"],
  ["ts", "ц"],
  ["ya", "я"],
  ["yu", "ю"],
  ["yo", "ё"],
  ["a", "а"],
  ["b", "б"],
  ["c", "к"],
  ["d", "д"],
  ["e", "е"],
  ["f", "ф"],
  ["g", "г"],
  ["h", "х"],
  ["i", "и"],
  ["j", "дж"],
  ["k", "к"],
  ["l", "л"],
  ["m", "м"],
  ["n", "н"],
  ["o", "о"],
  ["p", "п"],
  ["q", "к"],
  ["r", "р"],
  ["s", "с"],
  ["t", "т"],
  ["u", "у"],
  ["v", "в"],
  ["w", "у"],
  ["x", "кс"],
  ["y", "й"],
  ["z", "з"]
]
const cyrillic = (name: string): string =>
  name.normalize("NFD").replace(/\p{M}/gu, "").split(" ").map((word) => {
    let out = ""
    for (let i = 0, w = word.toLowerCase(); i < w.length;) {
      const hit = CYRILLIC.find(([latin]) => w.startsWith(latin, i))
      out += hit?.[1] ?? w[i]
      i += hit?.[0].length ?? 1
    }
    return out.charAt(0).toUpperCase() + out.slice(1)
  }).join(" ")

const aliases = (r: Rng, name: string, oneOff: boolean): Array<string> => {
  if (r() < (oneOff ? 0.8 : 0.45)) return []
  const parts = name.split(" ")
  const candidates = [
    cyrillic(name),
    parts.length > 2 ? `${parts[0]} ${parts[parts.length - 1]}` : `${parts[0]} ${"ABCDEJLMRS"[Math.floor(r() * 10)]}. ${parts.slice(1).join(" ")}`,
    parts.length > 1 ? `${parts[parts.length - 1]?.toUpperCase()} ${parts.slice(0, -1).join(" ")}` : name.toUpperCase()
  ].filter((a, i, all) => a !== name && /\p{L}/u.test(a) && all.indexOf(a) === i)
  return candidates.slice(0, int(r, 1, candidates.length))
}

const slug = (name: string): string => name.normalize("NFD").replace(/[^A-Za-z]/g, "").toLowerCase()

const birthdayOf = (r: Rng, f: PersonFacts): number | null => {
  if (r() >= (f.oneOff ? 0.35 : 0.75)) return null
  // Aged 19 or more in the year of the first film, so an adult at every film.
  const age = f.department === "Acting" ? 19 + Math.floor(50 * r() ** 1.6) : 24 + Math.floor(40 * r() ** 1.3)
  const year = new Date((f.firstDay ?? dayOf(2000, 1, 1)) * 86_400_000).getUTCFullYear() - age
  const month = int(r, 1, 12)
  return dayOf(year, month, int(r, 1, daysInMonth(year, month)))
}

const LAST_DEATHDAY = dayOf(2025, 12, 31)

const EDIT_SENTENCES = [
  "recently joined the cast of a new series.",
  "won a festival prize for a supporting role.",
  "has also worked in theatre for many years.",
  "signed with a new agency.",
  "is set to direct a first feature."
]

/** The body after `edits` edits by `sandbox.advance`: each adds a sentence to the biography and moves the popularity. */
export const personBody = (f: PersonFacts, edits: number): Record<string, unknown> => {
  const r = mulberry32(hash32(f.id, 0xb10))
  const known = realPerson(f.id)
  const born = birthdayOf(r, f)
  const died = born !== null && r() < 0.03 ? (f.lastDay ?? born + 60 * 365) + int(r, 30, 2000) : null
  const [nationality, places] = PLACES[f.region] ?? (PLACES.en as readonly [string, ReadonlyArray<string>])
  const place = born !== null || r() < 0.1 ? pick(r, places) : null
  const role = (ROLES[f.department] ?? ["film worker", "film worker"])[f.gender === 1 ? 0 : 1]
  let biography = r() < (f.oneOff ? 0.75 : 0.35)
    ? ""
    : `${f.name}${born !== null ? ` (born ${isoOfDay(born)}${place !== null ? ` in ${place}` : ""})` : ""} is ${
      /^[AEIOU]/.test(nationality) ? "an" : "a"
    } ${nationality} ${role}.`
  const imdb = r() < (f.oneOff ? 0.55 : 0.85) ? `nm${String(hash32(f.id, 0x1d) % 12_000_000).padStart(7, "0")}` : null
  const homepage = r() < 0.04 && slug(f.name) !== "" ? `https://www.${slug(f.name)}.com` : null
  let popularity = f.popularity
  for (let k = 1; k <= edits; k++) {
    const sentence = `${pronoun(f.gender)} ${EDIT_SENTENCES[hash32(f.id, k) % EDIT_SENTENCES.length]}`
    biography = biography === "" ? sentence : `${biography} ${sentence}`
    popularity = Math.round((popularity + 0.5 + (hash32(f.id, k, 0x909) % 3000) / 1000) * 1000) / 1000
  }
  return {
    adult: f.adult,
    also_known_as: known?.also_known_as ?? aliases(r, f.name, f.oneOff),
    biography: known !== undefined && edits === 0 ? known.biography : biography,
    birthday: known !== undefined ? known.birthday : born === null ? null : isoOfDay(born),
    deathday: known !== undefined ? known.deathday : died === null || died > LAST_DEATHDAY ? null : isoOfDay(died),
    gender: f.gender,
    homepage: known !== undefined ? null : homepage,
    id: f.id,
    imdb_id: known !== undefined ? known.imdb_id : imdb,
    known_for_department: f.department,
    name: f.name,
    place_of_birth: known !== undefined ? known.place_of_birth : place,
    popularity,
    profile_path: known?.profile_path ?? f.profile_path
  }
}

/** `append_to_response=external_ids` of a person body, keys in TMDB's order, without `id` as appended objects are. */
export const personExternalIds = (body: Record<string, unknown>): Record<string, unknown> => {
  const id = body.id as number
  const r = mulberry32(hash32(id, 0xe1d))
  const handle = slug(String(body.name)) || `person${id}`
  return {
    freebase_mid: r() < 0.3 ? `/m/0${(hash32(id, 0xf3) % 36 ** 5).toString(36)}` : null,
    freebase_id: r() < 0.1 ? `/en/${handle}` : null,
    imdb_id: body.imdb_id,
    tvrage_id: r() < 0.2 ? int(r, 1000, 900_000) : null,
    wikidata_id: r() < 0.5 ? `Q${int(r, 1000, 120_000_000)}` : null,
    facebook_id: r() < 0.1 ? handle : null,
    instagram_id: r() < 0.2 ? handle : null,
    tiktok_id: r() < 0.05 ? handle : null,
    twitter_id: r() < 0.1 ? handle : null,
    youtube_id: r() < 0.03 ? handle : null
  }
}
