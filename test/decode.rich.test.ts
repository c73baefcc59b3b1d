import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { decodeMovieDetails } from "../src/Decode.js"

// The rich record: the movie's own fields beyond the seed's eleven, and the appended
// sub-resources, decoded from the real recorded responses (sandbox/fixtures, from ../shared).
const fixture = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../sandbox/fixtures", name), "utf8"))
const decode = (body: unknown, append: ReadonlyArray<string> = []) => decodeMovieDetails(body, append)
const right = (body: unknown, append: ReadonlyArray<string> = []) => Either.getOrThrow(decode(body, append))

const RICH = ["credits", "keywords", "release_dates", "external_ids"]
// Fight Club as TMDB answers it with the four sub-resources; its external ids are the recorded ones.
const { id: _id, ...externalIds } = fixture("movie-550-external-ids.json")
const riddick = fixture("movie-87421-riddick-append-many-legacy.json")
const fightClub = {
  ...fixture("movie-550-fight-club.json"),
  credits: riddick["credits"],
  keywords: riddick["keywords"],
  release_dates: riddick["release_dates"],
  external_ids: externalIds
}

describe("rich movie fields", () => {
  it("Fight Club: language, status, tagline, homepage, flags, images, collection, countries, languages, companies with their country", () => {
    const m = right(fixture("movie-550-fight-club.json"))
    expect(m).toEqual(expect.objectContaining({
      originalLanguage: "en",
      status: "Released",
      tagline: "Mischief. Mayhem. Soap.",
      homepage: "http://www.foxmovies.com/movies/fight-club",
      adult: false,
      video: false,
      posterPath: expect.stringMatching(/^\/.+\.jpg$/),
      collection: null,
      genres: [{ id: 18, name: "Drama" }],
      productionCountries: [{ code: "DE", name: "Germany" }, { code: "US", name: "United States of America" }],
      spokenLanguages: [{ code: "en", name: "English", englishName: "English" }],
      credits: null,
      keywords: null,
      releaseDates: null,
      externalIds: null
    }))
    expect(m.productionCompanies[0]).toEqual({ id: 711, name: "Fox 2000 Pictures", originCountry: "US" })
  })

  it("Deadpool 2's collection; Up's language without english_name and its empty tagline; a 2015 record's null homepage", () => {
    expect(right(fixture("movie-383498-deadpool-2-append-images.json")).collection).toEqual({ id: 448150, name: "Deadpool Collection" })
    const up = right(fixture("movie-14160-up.json"))
    expect(up.spokenLanguages).toEqual([{ code: "en", name: "English", englishName: null }])
    expect(up.tagline).toBeNull()
    const old = right(fixture("movie-latest-346089-le-strelle-nel-fosso-vcr-2015-06.json"))
    expect([old.homepage, old.tagline, old.originalLanguage]).toEqual([null, null, "it"])
    expect(right(fixture("movie-latest-381897-coba-adult-vcr-2016-02.json"))).toEqual(expect.objectContaining({ adult: true, video: true }))
  })
})

describe("appended sub-resources", () => {
  it("legacy credits (no credit_id, no gender): cast in order, crew as listed, unknowns null", () => {
    const m = right(fightClub, RICH)
    expect(m.credits!.cast).toHaveLength(11)
    expect(m.credits!.cast[0]).toEqual({ personId: 12835, name: "Vin Diesel", character: "Riddick", order: 0, creditId: null, gender: null, castId: 1 })
    expect(m.credits!.crew[0]).toEqual({ personId: 28239, name: "David Twohy", department: "Writing", job: "Writer", creditId: null, gender: null })
    expect(m.credits!.crew).toHaveLength(14)
  })

  it("keywords de-duplicated by id; release dates one per release, flattened from their countries, \"\" as null", () => {
    const body = { ...fightClub, keywords: { keywords: [{ id: 1, name: "a" }, { id: 2, name: "b" }, { id: 1, name: "a" }] } }
    expect(right(body, RICH).keywords).toEqual([{ id: 1, name: "a" }, { id: 2, name: "b" }])
    const releases = right(fightClub, RICH).releaseDates!
    expect(releases[0]).toEqual({
      country: "KR",
      type: 3,
      releaseDate: "2013-11-28T00:00:00.000Z",
      certification: "15세 이상 관람가",
      note: null,
      language: null
    })
    const results = (riddick["release_dates"] as { results: Array<{ release_dates: Array<unknown> }> }).results
    expect(releases).toHaveLength(results.reduce((n, c) => n + c.release_dates.length, 0))
  })

  it("external ids: every one may be null; \"\" is null too", () => {
    const m = right(fightClub, RICH)
    expect(m.externalIds).toEqual({ imdbId: "tt0137523", wikidataId: "Q190050", facebookId: "FightClub", instagramId: null, twitterId: null })
    expect(right({ ...fightClub, external_ids: { wikidata_id: "" } }, RICH).externalIds?.wikidataId).toBeNull()
  })

  it("gender 0 (not set) and an empty character become null; 1, 2 and 3 are kept", () => {
    const cast = [0, 1, 2, 3].map((gender, order) => ({ id: 10 + order, name: `P${order}`, character: order === 0 ? "" : "C", order, gender, credit_id: "x" }))
    const m = right({ ...fightClub, credits: { cast, crew: [] } }, RICH)
    expect(m.credits!.cast.map((c) => [c.gender, c.character])).toEqual([[null, null], [1, "C"], [2, "C"], [3, "C"]])
  })

  it("a drifted sub-resource fails the movie, naming the path; never a half-read record", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["a cast id that is text", { credits: { cast: [{ id: "x", name: "A", order: 0 }], crew: [] } }, /credits.*id/],
      ["a crew member without a job", { credits: { cast: [], crew: [{ id: 1, name: "A", department: "Sound" }] } }, /credits.*job/],
      ["keywords that are not a list", { keywords: { keywords: "planet" } }, /keywords/],
      [
        "a release type that is text",
        { release_dates: { results: [{ iso_3166_1: "US", release_dates: [{ release_date: "x", type: "3" }] }] } },
        /release_dates.*type/
      ],
      ["a gender out of range", { credits: { cast: [{ id: 1, name: "A", order: 0, gender: 7 }], crew: [] } }, /gender/]
    ]
    for (const [what, patch, message] of cases) {
      const decoded = decode({ ...fightClub, ...patch }, RICH)
      expect(Either.isLeft(decoded), what).toBe(true)
      expect(Either.isLeft(decoded) ? decoded.left : "", what).toMatch(message)
    }
  })

  it("a typed sub-resource asked for and absent is a failure; one not asked for is ignored, never required", () => {
    const { credits: _c, ...withoutCredits } = fightClub
    expect(decode(withoutCredits, RICH)).toEqual(Either.left("credits: asked for with append_to_response, absent from the response"))
    expect(right(withoutCredits, ["keywords"]).credits).toBeNull()
    // Sent without being asked (a payload stored before), it is still decoded.
    expect(right(fightClub, []).keywords).toHaveLength(4)
  })
})
