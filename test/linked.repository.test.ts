import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { MovieRepository } from "../services/MovieRepository.js"
import { collectionKind, collectionOf } from "../src/kinds/Collection.js"
import { namedExportLine } from "../src/kinds/Linked.js"
import { personKind } from "../src/kinds/Person.js"
import { movieDetailsOf } from "../src/Movie.js"
import { MovieRepositoryTest } from "../testing.js"

// The records a movie names, at the repository: which rows a linking adds, when a collection is
// read again, and how a person's body is normalized.

const T1 = "2026-01-01T00:00:00.000Z"
const T2 = "2026-01-02T00:00:00.000Z"
const T3 = "2026-01-03T00:00:00.000Z"
const T4 = "2026-01-04T00:00:00.000Z"
const T5 = "2026-01-05T00:00:00.000Z"
const T6 = "2026-01-06T00:00:00.000Z"
const T7 = "2026-01-07T00:00:00.000Z"
const POLICY = { staleBefore: "1970-01-01", recentReleasedAfter: "9999-01-01", recentStaleBefore: "1970-01-01" }
const rows = (query: string) => Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<Record<string, unknown>>(query))
const inCollection = (tmdbId: number, id: number | null) =>
  movieDetailsOf({ tmdbId, title: `Movie ${tmdbId}`, collection: id === null ? null : { id, name: `Saga ${id}` } })
/** A movie whose cast is `people`, directed by `director` (credited in the crew only). */
const credited = (
  tmdbId: number,
  people: ReadonlyArray<readonly [number, string]>,
  director: readonly [number, string] = [100 + tmdbId, `Director ${tmdbId}`]
) =>
  movieDetailsOf({
    tmdbId,
    title: `Movie ${tmdbId}`,
    credits: {
      cast: people.map(([personId, name], order) => ({ personId, name, character: null, order, creditId: null, gender: null, castId: null })),
      crew: [{ personId: director[0], name: director[1], department: "Directing", job: "Director", creditId: null, gender: null }]
    }
  })

describe("linked records in the store", () => {
  it.effect("a collection is kept once a stored movie names it, read once, and read again when a movie joins or leaves it", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      yield* repo.saveOutcomes([inCollection(1, 10), inCollection(2, 10), inCollection(3, null)], [], T1)
      expect(yield* repo.linkRecords(collectionKind, T1)).toBe(1)
      // Named as the movies name it until its own details arrive.
      expect(yield* rows("SELECT collection_id, name, details_fetched_at FROM collections")).toEqual([
        { collection_id: 10, name: "Saga 10", details_fetched_at: null }
      ])
      expect(yield* repo.selectForDetails(POLICY, collectionKind)).toEqual([10])
      yield* repo.saveRecords(collectionKind, [collectionOf({ id: 10, name: "The Saga Collection", parts: [{ id: 1 }, { id: 2 }, { id: 99 }] })], [], T2)
      expect(yield* repo.selectForDetails(POLICY, collectionKind)).toEqual([])
      expect(yield* rows("SELECT tmdb_id FROM collection_parts WHERE collection_id = 10 ORDER BY tmdb_id")).toEqual([
        { tmdb_id: 1 },
        { tmdb_id: 2 },
        { tmdb_id: 99 }
      ])
      // Refetched unchanged: nothing to read again, and no new link.
      yield* repo.saveOutcomes([inCollection(1, 10), inCollection(3, null)], [], T3)
      expect(yield* repo.linkRecords(collectionKind, T3)).toBe(0)
      expect(yield* repo.selectForDetails(POLICY, collectionKind)).toEqual([])
      // Movie 1 leaves saga 10 for none: 10 lists its parts anew.
      yield* repo.saveOutcomes([inCollection(1, null)], [], T3)
      expect(yield* repo.selectForDetails(POLICY, collectionKind)).toEqual([10])
      yield* repo.saveRecords(collectionKind, [collectionOf({ id: 10, name: "The Saga Collection", parts: [{ id: 2 }, { id: 99 }] })], [], T4)
      expect(yield* repo.selectForDetails(POLICY, collectionKind)).toEqual([])
      // Movie 2 leaves saga 10 for saga 11, movie 3 joins 10: both sagas are read again (11 is new).
      yield* repo.saveOutcomes([inCollection(2, 11), inCollection(3, 10)], [], T5)
      expect(yield* repo.linkRecords(collectionKind, T5)).toBe(1)
      expect((yield* repo.selectForDetails(POLICY, collectionKind)).sort()).toEqual([10, 11])
      yield* repo.saveRecords(collectionKind, [collectionOf({ id: 10, name: "The Saga Collection" }), collectionOf({ id: 11, name: "Saga 11" })], [], T6)
      // TMDB deletes movie 3: saga 10 no longer lists it, and is read again.
      yield* repo.saveOutcomes([], [{ tmdbId: 3, kind: "not_found", message: "gone" }], T7)
      expect(yield* repo.selectForDetails(POLICY, collectionKind)).toEqual([10])
      // The view names the collection as /collection/{id} does once fetched, as the movie does before.
      // Movie 3, removed, is no longer in it.
      expect(yield* rows("SELECT tmdb_id, collection FROM movie_overview ORDER BY tmdb_id")).toEqual([
        { tmdb_id: 1, collection: null },
        { tmdb_id: 2, collection: "Saga 11" }
      ])
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it.effect("a person credited in many films, in the cast or the crew, is one row, named by the credits until fetched", () =>
    Effect.gen(function*() {
      const repo = yield* MovieRepository
      const ann = [7, "Ann"] as const
      yield* repo.saveOutcomes([credited(1, [ann, [8, "Bo"]], ann), credited(2, [ann, [9, "Cy"]], [50, "Ed"]), credited(3, [[8, "Bo"]], [50, "Ed"])], [], T1)
      expect(yield* repo.linkRecords(personKind, T1)).toBe(4)
      // Ed directs and acts in nothing: the crew alone names him.
      expect(yield* rows("SELECT person_id, name FROM people ORDER BY person_id")).toEqual([
        { person_id: 7, name: "Ann" },
        { person_id: 8, name: "Bo" },
        { person_id: 9, name: "Cy" },
        { person_id: 50, name: "Ed" }
      ])
      expect(yield* repo.selectForDetails(POLICY, personKind)).toEqual([7, 8, 9, 50])
      // A later movie brings two new people, one in its crew; the others are linked already.
      yield* repo.saveOutcomes([credited(4, [[9, "Cy"], [10, "Di"]], [51, "Flo"])], [], T2)
      expect(yield* repo.linkRecords(personKind, T2)).toBe(2)
    }).pipe(Effect.provide(MovieRepositoryTest)))

  it("a person's body: \"\" and gender 0 are NULL, dates are days, also_known_as a list; a day not on the calendar is refused, naming the field", () => {
    const body = {
      id: 31,
      name: "Tom Hanks",
      also_known_as: ["Томас Хэнкс", "トム・ハンクス"],
      gender: 0,
      birthday: "1956-07-09",
      deathday: null,
      place_of_birth: "",
      known_for_department: "Acting",
      biography: "",
      popularity: 12.5,
      adult: false,
      imdb_id: "nm0000158",
      homepage: null,
      profile_path: "/x.jpg"
    }
    const person = Either.getOrThrow(personKind.details.decode(body, JSON.stringify(body), []))
    expect(person).toEqual(expect.objectContaining({
      gender: null,
      birthday: "1956-07-09",
      placeOfBirth: null,
      biography: null,
      alsoKnownAs: ["Томас Хэнкс", "トム・ハンクス"],
      imdbId: "nm0000158"
    }))
    const bad = personKind.details.decode({ ...body, birthday: "1956-02-30" }, "", [])
    expect(Either.isLeft(bad) && bad.left).toMatch(/^birthday: .*1956-02-30/)
    expect(Either.getOrThrow(personKind.details.decode({ ...body, birthday: "" }, "", [])).birthday).toBeNull()
  })

  it("a line of the person, collection and company exports: id and name required, popularity 0 when absent; a bad line says why", () => {
    expect(namedExportLine("{\"adult\":false,\"id\":31,\"name\":\"Tom Hanks\",\"popularity\":12.3}")).toEqual(
      Either.right({ id: 31, name: "Tom Hanks", popularity: 12.3 })
    )
    expect(namedExportLine("{\"id\":10,\"name\":\"Star Wars Collection\"}")).toEqual(Either.right({ id: 10, name: "Star Wars Collection", popularity: 0 }))
    expect(namedExportLine("{\"id\":")).toEqual(Either.left("not JSON"))
    expect(namedExportLine("[1]")).toEqual(Either.left("id: expected a positive integer, got undefined"))
    expect(namedExportLine("{\"id\":\"abc\",\"name\":\"x\"}")).toEqual(Either.left("id: expected a positive integer, got \"abc\""))
    expect(namedExportLine("{\"id\":5,\"name\":null}")).toEqual(Either.left("name: expected a string, got null"))
    expect(namedExportLine("{\"id\":5,\"name\":\"x\",\"popularity\":\"high\"}")).toEqual(Either.left("popularity: expected a number, got \"high\""))
  })
})
