// The real people the recorded movies credit (sandbox/RealCredits.ts), under their TMDB ids, with
// their public facts: Brad Pitt's as jdrouet/tmdb-api assets/person-details.json recorded
// /person/287 (birthday, place of birth, IMDb id, profile); the others' birthdays, places and
// IMDb ids as TMDB and IMDb list them. Biographies are short, not TMDB's text.

export interface RealPerson {
  readonly birthday: string | null
  readonly deathday: string | null
  readonly place_of_birth: string | null
  readonly imdb_id: string | null
  readonly also_known_as: ReadonlyArray<string>
  readonly biography: string
  readonly profile_path: string | null
}

const real = (
  birthday: string | null,
  deathday: string | null,
  place_of_birth: string | null,
  imdb_id: string | null,
  also_known_as: ReadonlyArray<string> = [],
  biography = "",
  profile_path: string | null = null
): RealPerson => ({ birthday, deathday, place_of_birth, imdb_id, also_known_as, biography, profile_path })

const REAL: Readonly<Record<number, RealPerson>> = {
  287: real(
    "1963-12-18",
    null,
    "Shawnee, Oklahoma, USA",
    "nm0000093",
    ["Брэд Питт", "ブラッド・ピット", "William Bradley Pitt"],
    "William Bradley Pitt (born December 18, 1963) is an American actor and film producer.",
    "/cckcYc2v0yh1tc9QjRelptcOBko.jpg"
  ),
  819: real("1969-08-18", null, "Boston, Massachusetts, USA", "nm0001570", ["Эдвард Нортон"], "Edward Harrison Norton is an American actor and filmmaker."),
  1283: real("1966-05-26", null, "Golders Green, London, England, UK", "nm0000307", [], "Helena Bonham Carter is an English actress."),
  7470: real(
    "1947-09-27",
    "2022-01-20",
    "Dallas, Texas, USA",
    "nm0001533",
    ["Marvin Lee Aday", "Michael Lee Aday"],
    "Meat Loaf was an American singer and actor."
  ),
  7499: real("1971-12-26", null, "Bossier City, Louisiana, USA", "nm0001467", [], "Jared Joseph Leto is an American actor and musician."),
  7467: real("1962-08-28", null, "Denver, Colorado, USA", "nm0000399", [], "David Andrew Leo Fincher is an American film director."),
  7468: real("1962-02-21", null, "Pasco, Washington, USA", "nm0657333", [], ""),
  7469: real(null, null, null, "nm0880243"),
  12890: real("1968-10-09", null, "Bloomington, Minnesota, USA", "nm0230032", [], "Peter Hans Docter is an American animator, film director and screenwriter."),
  10859: real(
    "1976-10-23",
    null,
    "Vancouver, British Columbia, Canada",
    "nm0005351",
    ["Райан Рейнольдс"],
    "Ryan Rodney Reynolds is a Canadian and American actor."
  ),
  40684: real("1975-11-16", null, "Kohler, Wisconsin, USA", "nm0500610", [], "")
}

/** The facts of a real person the recorded movies credit, or undefined for anyone else. */
export const realPerson = (id: number): RealPerson | undefined => REAL[id]
