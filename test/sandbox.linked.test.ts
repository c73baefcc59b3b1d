import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { exportFileName, startSandbox } from "../sandbox/index.js"
import type { Sandbox } from "../sandbox/index.js"
import { creditsOf, DATE, exportLines, EXTERNAL_KEYS, NOT_FOUND, PART_KEYS, PERSON_KEYS, stringOrNull } from "./support/linkedHttp.js"
import { getJson, url } from "./support/sandboxHttp.js"

// The records around the movies (issue 22, point 5), read with plain fetch as a client would:
// /collection/{id}, /company/{id}, /person/{id}, /person/changes and their export files.

describe("the records around the movies (a catalogue of about 1,000 movies)", () => {
  let sb: Sandbox
  let linked: ReturnType<Sandbox["linkedIds"]>
  beforeAll(async () => {
    sb = await startSandbox({ catalogue: { perYear: 333 } })
    linked = sb.linkedIds(sb.catalogue.map((m) => m.id))
  })
  afterAll(() => sb.close())

  it("serves /person/{id} in TMDB's shape, with the credits' name and gender, and external_ids on request", async () => {
    const movie = sb.catalogue.find((m) => m.fixture === null && !m.adult)!
    const { body: details } = await getJson(sb, `/movie/${movie.id}`, { append_to_response: "credits" })
    const credited = [...details.credits.cast, ...details.credits.crew] as Array<{ id: number; name: string; gender?: number }>
    expect(credited.length).toBeGreaterThan(0)
    for (const c of credited) {
      const { res, body } = await getJson(sb, `/person/${c.id}`)
      expect(res.status).toBe(200)
      expect(Object.keys(body)).toEqual(PERSON_KEYS)
      expect([body.id, body.name]).toEqual([c.id, c.name])
      if (c.gender !== undefined) expect(body.gender).toBe(c.gender)
      expect([0, 1, 2, 3]).toContain(body.gender)
      expect(typeof body.adult).toBe("boolean")
      expect(Array.isArray(body.also_known_as) && body.also_known_as.every((a: unknown) => typeof a === "string")).toBe(true)
      expect(typeof body.biography).toBe("string")
      expect(typeof body.popularity).toBe("number")
      for (const k of ["birthday", "deathday"]) expect(body[k] === null || DATE.test(body[k])).toBe(true)
      for (const k of ["homepage", "imdb_id", "place_of_birth", "profile_path"]) expect(stringOrNull(body[k])).toBe(true)
      if (body.imdb_id !== null) expect(body.imdb_id).toMatch(/^nm\d{7,}$/)
    }
    const { body } = await getJson(sb, `/person/${credited[0]!.id}`, { append_to_response: "external_ids,no_such_thing" })
    expect(Object.keys(body)).toEqual([...PERSON_KEYS, "external_ids"])
    expect(Object.keys(body.external_ids)).toEqual(EXTERNAL_KEYS)
    expect(body.external_ids.imdb_id).toBe(body.imdb_id)
    const real = await getJson(sb, "/person/287")
    expect([real.body.name, real.body.birthday, real.body.imdb_id]).toEqual(["Brad Pitt", "1963-12-18", "nm0000093"])
  })

  it("draws people as TMDB has them: genders, unknown birthdays, adults at their films, departments as credited", () => {
    const truths = linked.people.map((id) => sb.personTruth(id)!)
    const share = (f: (t: (typeof truths)[number]) => boolean) => truths.filter(f).length / truths.length
    expect(share((t) => t.gender === null)).toBeGreaterThan(0.05)
    expect(share((t) => t.gender === 1)).toBeGreaterThan(0.2)
    expect(share((t) => t.gender === 3)).toBeGreaterThan(0)
    expect(share((t) => t.birthday === null)).toBeGreaterThan(0.2)
    expect(share((t) => t.deathday !== null)).toBeLessThan(0.05)
    expect(share((t) => t.biography === null)).toBeGreaterThan(0.2)
    expect(share((t) => t.homepage === null)).toBeGreaterThan(0.9)
    expect(share((t) => t.also_known_as.length === 0)).toBeGreaterThan(0.4)
    expect(truths.some((t) => t.also_known_as.some((a) => /[^\p{Script=Latin}\s.'-]/u.test(a)))).toBe(true)
    expect(new Set(truths.map((t) => t.known_for_department))).toEqual(new Set(["Acting", "Directing", "Writing", "Production", "Camera", "Editing", "Sound"]))
    // Everyone born is at least 18 at the release of every film they are credited in.
    const firstFilm = new Map<number, string>()
    for (const m of sb.catalogue) {
      if (m.releaseDate === "") continue
      const credits = sb.richTruth(m.id, ["credits"])!
      for (const p of [...credits.cast, ...credits.crew]) if ((firstFilm.get(p.person_id) ?? "9999") > m.releaseDate) firstFilm.set(p.person_id, m.releaseDate)
    }
    for (const t of truths) {
      const first = firstFilm.get(t.person_id)
      if (t.birthday === null || first === undefined) continue
      expect(Number(first.slice(0, 4)) - Number(t.birthday.slice(0, 4))).toBeGreaterThanOrEqual(18)
    }
  })

  it("has people in many films: someone is credited in 20 or more", () => {
    const films = new Map<number, number>()
    for (const m of sb.catalogue) for (const id of sb.linkedIds([m.id]).people) films.set(id, (films.get(id) ?? 0) + 1)
    expect(Math.max(...films.values())).toBeGreaterThanOrEqual(20)
  })

  it("serves /collection/{id} with every live part, stored or not, and renames some collections", async () => {
    let renamed = 0
    let unstorable = 0
    for (const id of linked.collections) {
      const { res, body } = await getJson(sb, `/collection/${id}`)
      expect(res.status).toBe(200)
      expect(Object.keys(body)).toEqual(["id", "name", "overview", "poster_path", "backdrop_path", "parts"])
      expect([typeof body.name, typeof body.overview, stringOrNull(body.poster_path), stringOrNull(body.backdrop_path)]).toEqual([
        "string",
        "string",
        true,
        true
      ])
      for (const part of body.parts) {
        expect(Object.keys(part)).toEqual(PART_KEYS)
        expect(part.media_type).toBe("movie")
        const movie = sb.catalogue.find((m) => m.id === part.id)!
        expect(movie.collection?.id ?? (movie.details().belongs_to_collection as { id: number }).id).toBe(id)
        if (movie.voteCount < 200 || !movie.releaseDate.startsWith("2020")) unstorable++
      }
      const truth = sb.collectionTruth(id)!
      expect(truth.parts).toEqual(body.parts.map((p: { id: number }) => p.id).sort((a: number, b: number) => a - b))
      expect(truth.overview).toBe(body.overview === "" ? null : body.overview)
      const named = (sb.catalogue.find((m) => m.id === truth.parts[0])!.details().belongs_to_collection as { name: string }).name
      if (named !== body.name) renamed++
    }
    // A collector of 2020 with at least 200 votes stores only some parts; collection_parts holds all.
    expect(unstorable).toBeGreaterThan(0)
    expect(renamed).toBeGreaterThan(0)
    expect(renamed).toBeLessThan(linked.collections.length / 2)
  })

  it("serves /company/{id} for every company a movie names, and their parents", async () => {
    const parents = new Set<number>()
    for (const id of linked.companies) {
      const { res, body } = await getJson(sb, `/company/${id}`)
      expect(res.status).toBe(200)
      expect(Object.keys(body)).toEqual(["description", "headquarters", "homepage", "id", "logo_path", "name", "origin_country", "parent_company"])
      for (const k of ["description", "headquarters", "homepage", "origin_country", "name"]) expect(typeof body[k]).toBe("string")
      expect(stringOrNull(body.logo_path)).toBe(true)
      if (body.parent_company !== null) {
        expect(Object.keys(body.parent_company)).toEqual(["id", "name", "logo_path"])
        parents.add(body.parent_company.id)
      }
      expect(sb.companyTruth(id)!.parent_company_id).toBe(body.parent_company?.id ?? null)
    }
    const universal = (await getJson(sb, "/company/33")).body
    expect([universal.name, universal.origin_country, universal.parent_company.name]).toEqual(["Universal Pictures", "US", "NBCUniversal"])
    // Some parents no movie names: they answer too.
    const unnamed = [...parents].filter((id) => !linked.companies.includes(id))
    expect(unnamed.length).toBeGreaterThan(0)
    for (const id of unnamed) expect((await getJson(sb, `/company/${id}`)).res.status).toBe(200)
    expect(linked.companies.some((id) => sb.companyTruth(id)!.description === null && sb.companyTruth(id)!.homepage === null)).toBe(true)
  })

  it("answers an unknown id with TMDB's 404 code 34, as the movie routes do, behind the same key check", async () => {
    for (const path of ["/person/1", "/person/abc", "/collection/5", "/company/999999999"]) {
      const { res, body } = await getJson(sb, path)
      expect([res.status, body.status_code, body.status_message]).toEqual([404, 34, NOT_FOUND])
    }
    expect((await fetch(url(sb, "/person/287", {}, null))).status).toBe(401)
    expect((await fetch(url(sb, "/company/33", {}, "wrong"))).status).toBe(401)
  })

  it("agrees with the movies' bodies on what they name", async () => {
    const ids = sb.catalogue.filter((m) => m.fixture === null).slice(0, 30).map((m) => m.id).concat([550, 383498])
    const expected = { collections: new Set<number>(), companies: new Set<number>(), people: new Set<number>() }
    for (const id of ids) {
      const body = await creditsOf(sb, id)
      if (body.belongs_to_collection !== null) expected.collections.add(body.belongs_to_collection.id)
      for (const c of body.production_companies) expected.companies.add(c.id)
      for (const p of [...body.credits.cast, ...body.credits.crew]) expected.people.add(p.id)
    }
    const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b)
    expect(sb.linkedIds(ids)).toEqual({ collections: sorted(expected.collections), companies: sorted(expected.companies), people: sorted(expected.people) })
    expect(sb.linkedIds([550]).companies).toEqual([25, 508, 711, 4700, 20555])
    expect(sb.linkedIds([383498]).collections).toEqual([448150])
  })

  it("writes the four export files: names, keys in order, sorted by id, counted by exportLines", async () => {
    const people = await exportLines(sb, "person")
    expect(Object.keys(people[0]!)).toEqual(["adult", "id", "name", "popularity"])
    expect(people.every((l) => l.adult === false)).toBe(true)
    const adults = await exportLines(sb, "adult_person")
    expect(adults.length).toBeGreaterThan(0)
    expect(adults.every((l) => l.adult === true && sb.personTruth(l.id as number)!.adult)).toBe(true)
    // Every live credited person is in one file or the other, plus made-up people credited in no movie.
    const listed = new Set([...people, ...adults].map((l) => l.id as number))
    expect(linked.people.every((id) => listed.has(id))).toBe(true)
    expect(people.length + adults.length).toBeGreaterThan(linked.people.length)
    const extra = people.filter((l) => !linked.people.includes(l.id as number))[0]!
    expect((await getJson(sb, `/person/${extra.id}`)).body.name).toBe(extra.name)
    const collections = await exportLines(sb, "collection")
    expect(collections.map((l) => l.id)).toEqual(linked.collections)
    expect(collections.map((l) => l.name)).toEqual(linked.collections.map((id) => sb.collectionTruth(id)!.name))
    const companies = await exportLines(sb, "production_company")
    expect(Object.keys(companies[0]!)).toEqual(["id", "name"])
    for (const [kind, lines] of [["person", people], ["adult_person", adults], ["collection", collections], ["production_company", companies]] as const) {
      const ids = lines.map((l) => l.id as number)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      expect(sb.exportLines(kind)).toBe(lines.length)
    }
    expect(exportFileName("production_company", 20_000)).toBe("production_company_ids_10_04_2024.json.gz")
    const head = await fetch(`${sb.filesUrl}/p/exports/${exportFileName("adult_person")}`, { method: "HEAD" })
    expect(head.status).toBe(200)
    expect((await fetch(`${sb.filesUrl}/p/exports/keyword_ids_01_01_2020.json.gz`)).status).toBe(404)
    expect((await fetch(`${sb.filesUrl}/p/exports/person_ids_01_01_2020.json.gz`)).status).toBe(404)
  })

  it("counts the new routes as API requests, by path prefix", async () => {
    sb.resetCounters()
    await getJson(sb, "/person/287")
    await getJson(sb, "/person/changes")
    await getJson(sb, "/company/33")
    await getJson(sb, "/movie/550")
    expect(sb.counters.byPrefix).toEqual({ "/3/person/": 2, "/3/company/": 1, "/3/movie/": 1 })
    expect(sb.counters.requests).toBe(4)
  })
})
