import { Schema } from "effect"
import { CalendarDate, EmptyStringAsNull, Flag, Gender, ListOf, optionalNull, Score, TmdbId } from "../Sentinels.js"
import { fetchedSince, linkedKind, type NamedExportLine, namedExportLine } from "./Linked.js"

/**
 * `/person/{id}` (https://developer.themoviedb.org/reference/person-details), decoded: gender 0
 * ("not set") becomes null, `""` becomes null, birthdays and deathdays are days on the calendar.
 * The base body carries `imdb_id`; an `external_ids` append, when a body has one, fills it in.
 */
export const PersonFromWire = Schema.Struct({
  id: TmdbId,
  name: Schema.String,
  alsoKnownAs: Schema.optionalWith(ListOf(Schema.String, (s) => s), { default: () => [] }).pipe(Schema.fromKey("also_known_as")),
  gender: optionalNull(Gender),
  birthday: optionalNull(CalendarDate),
  deathday: optionalNull(CalendarDate),
  placeOfBirth: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("place_of_birth")),
  knownForDepartment: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("known_for_department")),
  biography: optionalNull(EmptyStringAsNull),
  popularity: Schema.optionalWith(Score, { default: () => 0 }),
  adult: optionalNull(Flag),
  imdbId: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("imdb_id")),
  homepage: optionalNull(EmptyStringAsNull),
  profilePath: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("profile_path")),
  externalIds: optionalNull(Schema.NullOr(Schema.Struct({ imdb_id: optionalNull(EmptyStringAsNull) }))).pipe(Schema.fromKey("external_ids"))
})

/** A person as stored, with the body TMDB sent. */
export interface PersonRecord extends Schema.Schema.Type<typeof PersonFromWire> {
  readonly body?: string | undefined
}

/**
 * People, for every person a stored movie credits (cast or crew), when asked for: there are many
 * (the measured cost per movie is in the README). /person/changes says which stored people changed;
 * `person_ids` (and `adult_person_ids`, its own file like the movies') gives the day's popularity.
 */
export const personKind = linkedKind({
  name: "person",
  records: "people",
  key: "person_id",
  path: "/person",
  schema: PersonFromWire,
  row: (p: PersonRecord) => ({
    person_id: p.id,
    name: p.name,
    also_known_as: JSON.stringify(p.alsoKnownAs),
    gender: p.gender,
    birthday: p.birthday,
    deathday: p.deathday,
    place_of_birth: p.placeOfBirth,
    known_for_department: p.knownForDepartment,
    biography: p.biography,
    popularity: p.popularity,
    adult: p.adult === null ? null : p.adult ? 1 : 0,
    imdb_id: p.imdbId ?? p.externalIds?.imdb_id ?? null,
    homepage: p.homepage,
    profile_path: p.profilePath
  }),
  exports: {
    files: (filter) => filter.includeAdult === true ? ["person_ids", "adult_person_ids"] : ["person_ids"],
    parse: namedExportLine,
    columns: (line: NamedExportLine) => ({ name: line.name, popularity: line.popularity })
  },
  changes: "/person/changes",
  // Named as the credits name them until details arrive. SQLite reads the ON of an upsert after a
  // SELECT as a join's unless the SELECT has a WHERE (https://www.sqlite.org/lang_upsert.html).
  linked: (sql, since) =>
    sql`INSERT INTO people (person_id, name)
      SELECT person_id, min(name) FROM (
        SELECT person_id, name FROM movie_cast WHERE person_id > 0${fetchedSince(sql, "tmdb_id", since)}
        UNION ALL
        SELECT person_id, name FROM movie_crew WHERE person_id > 0${fetchedSince(sql, "tmdb_id", since)}
      ) credited
      WHERE true
      GROUP BY person_id
      ON CONFLICT (person_id) DO NOTHING RETURNING person_id`
})

/** A person for a fake: the fields given, every other one as TMDB says "unknown". Id 1, "Unnamed". */
export const personOf = (fields: Partial<PersonRecord> = {}): PersonRecord => ({
  id: 1,
  name: "Unnamed",
  alsoKnownAs: [],
  gender: null,
  birthday: null,
  deathday: null,
  placeOfBirth: null,
  knownForDepartment: null,
  biography: null,
  popularity: 0,
  adult: null,
  imdbId: null,
  homepage: null,
  profilePath: null,
  externalIds: null,
  ...fields
})
