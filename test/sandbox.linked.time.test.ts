import { gunzipSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import { exportFileName } from "../sandbox/index.js"
import { exportLines } from "./support/linkedHttp.js"
import { getJson, jsonOf, url, withSandbox } from "./support/sandboxHttp.js"

// People as time passes in the sandbox (issue 22, point 5): `advance` edits and deletes people,
// movies it edits and adds bring new ones, and the person export pads with made-up people.

describe("people over time", () => {
  it("edits and deletes people: /person/{id}, /person/changes, the export and the truth all see it", async () => {
    await withSandbox({ catalogue: { perYear: 100 } }, async (sb) => {
      const before = new Map<number, Record<string, unknown>>()
      const step = sb.advance({ editPeople: 120, deletePeople: 5 })
      expect(step.editedPeople).toHaveLength(120)
      expect(step.deletedPeople).toHaveLength(5)
      expect(step.editedPeople).toEqual([...step.editedPeople].sort((a, b) => a - b))
      expect(sb.advance({}).editedPeople).toEqual([])
      for (const id of step.deletedPeople) {
        const { res, body } = await getJson(sb, `/person/${id}`)
        expect([res.status, body.status_code]).toEqual([404, 34])
        expect(sb.personTruth(id)).toBeUndefined()
      }
      for (const id of step.editedPeople.slice(0, 5)) before.set(id, (await getJson(sb, `/person/${id}`)).body)
      sb.advance({ editPeople: 0 })
      // The same seed and advances edit the same people, with the same bodies.
      await withSandbox({ catalogue: { perYear: 100 } }, async (twin) => {
        expect(twin.advance({ editPeople: 120, deletePeople: 5 })).toEqual(step)
        for (const [id, body] of before) expect((await getJson(twin, `/person/${id}`)).body).toEqual(body)
      })
      // Changed against a sandbox that never advanced.
      await withSandbox({ catalogue: { perYear: 100 } }, async (fresh) => {
        for (const [id, body] of before) {
          const old = (await getJson(fresh, `/person/${id}`)).body
          expect(body.biography).not.toBe(old.biography)
          expect(body.popularity).not.toBe(old.popularity)
          expect(sb.personTruth(id)!.biography).toBe(body.biography)
        }
      })
      const page1 = await getJson(sb, "/person/changes")
      expect(Object.keys(page1.body)).toEqual(["results", "page", "total_pages", "total_results"])
      expect([page1.body.total_results, page1.body.total_pages, page1.body.results.length]).toEqual([125, 2, 100])
      expect(Object.keys(page1.body.results[0])).toEqual(["id", "adult"])
      const page2 = await getJson(sb, "/person/changes", { page: 2 })
      const ids = [...page1.body.results, ...page2.body.results].map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b)
      expect(ids).toEqual([...step.editedPeople, ...step.deletedPeople].sort((a, b) => a - b))
      const today = step.day
      const tooLong = await getJson(sb, "/person/changes", { start_date: "2020-01-01", end_date: "2020-01-16" })
      expect([tooLong.res.status, tooLong.body.status_code]).toEqual([422, 20])
      expect((await getJson(sb, "/person/changes", { start_date: "2020-01-01", end_date: "2020-01-15" })).body.total_results).toBe(0)
      expect((await getJson(sb, "/person/changes", { start_date: today, end_date: today })).body.total_results).toBe(125)
      expect((await getJson(sb, "/person/changes", { page: 0 })).res.status).toBe(400)
      const listed = new Map((await exportLines(sb, "person")).map((l) => [l.id as number, l]))
      for (const id of step.deletedPeople) expect(listed.has(id)).toBe(false)
      for (const [id, body] of before) expect(listed.get(id)?.popularity).toBe(body.popularity)
      expect(() => sb.advance({ editPeople: 1e9 })).toThrow(/only \d+ live credited people/)
      expect(() => sb.advance({ deletePeople: -1 } as never)).toThrow(/deletePeople must be an integer >= 0/)
    })
  })

  it("gives people brought by edited and added movies a /person/{id} too", async () => {
    await withSandbox({ catalogue: { perYear: 40 } }, async (sb) => {
      await getJson(sb, "/person/287")
      const step = sb.advance({ edit: 10, add: 10 })
      const ids = sb.linkedIds([...step.edited, ...step.added]).people
      for (const id of ids) expect((await getJson(sb, `/person/${id}`)).res.status).toBe(200)
    })
  })

  it("pads person_ids with 200,000 made-up people in a few seconds, each answering /person/{id}", async () => {
    await withSandbox({ catalogue: { perYear: 20 }, exports: { extraPeople: 200_000 } }, async (sb) => {
      const started = performance.now()
      const res = await fetch(`${sb.filesUrl}/p/exports/${exportFileName("person")}`)
      const lines = gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8").trim().split("\n")
      expect(performance.now() - started).toBeLessThan(5000)
      expect(lines.length).toBe(sb.exportLines("person"))
      expect(lines.length).toBeGreaterThan(200_000)
      const last = JSON.parse(lines[lines.length - 1]!) as { id: number; name: string }
      const person = await fetch(url(sb, `/person/${last.id}`))
      expect((await jsonOf(person)).name).toBe(last.name)
      expect(sb.personTruth(last.id)?.name).toBe(last.name)
    })
  })
})
