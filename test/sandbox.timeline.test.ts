import { gunzipSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import { exportFileName, richTruthOf, validateOptions } from "../sandbox/index.js"
import type { ExportKind, Sandbox } from "../sandbox/index.js"

import { getJson, jsonOf, url, walk, withSandbox } from "./support/sandboxHttp.js"

// The daily ID exports (files host, /p/exports) and the catalogue moving on with `advance`, seen
// with plain fetch and gunzip as a collector would.

const DAY_MS = 86_400_000
const today = () => Math.floor(Date.now() / DAY_MS)
const fileUrl = (sb: Sandbox, kind: ExportKind, day = today()) => `${sb.filesUrl}/p/exports/${exportFileName(kind, day)}`

const download = async (sb: Sandbox, kind: ExportKind, day = today()) => {
  const res = await fetch(fileUrl(sb, kind, day))
  const body = Buffer.from(await res.arrayBuffer())
  return { res, body }
}
/** The file's lines, gunzipped; the trailing newline gives no line. */
const lines = async (sb: Sandbox, kind: ExportKind): Promise<Array<string>> => {
  const { res, body } = await download(sb, kind)
  expect([res.status, res.headers.get("content-type"), res.headers.get("content-length")]).toEqual([200, "application/gzip", String(body.length)])
  const text = gunzipSync(body).toString("utf8")
  expect(text.endsWith("\n")).toBe(true)
  return text.slice(0, -1).split("\n")
}
const idsOf = (ls: Array<string>): Array<number> => ls.map((l) => (JSON.parse(l) as { id: number }).id)
/** The line each movie should have, built from the catalogue apart from the server's own writer. */
const expectedLines = (sb: Sandbox, adult: boolean): Array<string> => {
  const byId = new Map(sb.catalogue.map((m) => [m.id, m]))
  return sb.exportTruth({ includeAdult: true, includeVideo: true }).flatMap((e) => {
    const m = byId.get(e.tmdbId)!
    if (m.adult !== adult) return []
    return [JSON.stringify({ adult: m.adult, id: m.id, original_title: m.details().original_title, popularity: m.popularity, video: m.video })]
  })
}
const changedToday = async (sb: Sandbox, day: string): Promise<Array<number>> => {
  const { body } = await getJson(sb, "/movie/changes", { start_date: day, end_date: day })
  return body.results.map((x: { id: number }) => x.id)
}
const details = async (sb: Sandbox, id: number, append = "") => {
  const res = await fetch(url(sb, `/movie/${id}`, append === "" ? {} : { append_to_response: append }))
  return { status: res.status, body: await jsonOf(res) }
}

describe("daily ID exports", () => {
  it("serves today's and the last 89 days' files: every live movie, adult ones apart, sorted by id", async () => {
    await withSandbox({ deletedFraction: 0.1, alwaysFailFraction: 0.05, driftFraction: 0.05 }, async (sb) => {
      const movie = await lines(sb, "movie")
      const adult = await lines(sb, "adult")
      expect(movie).toEqual(expectedLines(sb, false))
      expect(adult).toEqual(expectedLines(sb, true))
      expect(movie.length + adult.length).toBe(sb.exportTruth({ includeAdult: true, includeVideo: true }).length)
      expect(adult.length).toBeGreaterThan(0)
      expect(movie.some((l) => l.endsWith("\"video\":true}"))).toBe(true)
      const fight = movie.find((l) => l.includes("\"id\":550,"))
      expect(fight).toMatch(/^\{"adult":false,"id":550,"original_title":"Fight Club","popularity":[\d.]+,"video":false\}$/)
      const ids = idsOf(movie)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      // Undated movies are in the export, though discover never lists them in a date window.
      const undated = sb.exportTruth({ includeVideo: true }).filter((e) => e.discovered.releaseDate === "").map((e) => e.tmdbId)
      expect(undated.length).toBeGreaterThan(0)
      for (const id of undated) expect(ids).toContain(id)
      const gone = sb.groundTruth({ startYear: 2019, endYear: 2021, minVoteCount: 0 }).filter((e) => e.expectedFailure === "not_found")
      expect(gone.length).toBeGreaterThan(0)
      for (const e of gone) expect(ids).not.toContain(e.tmdbId)
      const failing = sb.exportTruth({ includeAdult: true, includeVideo: true }).filter((e) => e.expectedFailure !== null)
      expect(new Set(failing.map((e) => e.expectedFailure))).toEqual(new Set(["server", "decode"]))
      expect((await download(sb, "movie", today() - 89)).body.equals((await download(sb, "movie")).body)).toBe(true)
      for (const day of [today() - 90, today() + 1]) expect((await download(sb, "movie", day)).res.status).toBe(404)
      const bad = await fetch(`${sb.filesUrl}/p/exports/movie_ids_13_01_2026.json.gz`)
      expect([bad.status, bad.headers.get("content-type"), await bad.text()]).toEqual([404, "text/plain", "Not Found\n"])
      expect((await fetch(`${sb.filesUrl}/p/exports/tv_series_ids_01_01_2026.json.gz`)).status).toBe(404)
      const head = await fetch(`${fileUrl(sb, "adult")}?api_key=ignored`, { method: "HEAD" })
      expect([head.status, head.headers.get("content-length")]).toEqual([200, String((await download(sb, "adult")).body.length)])
      expect(sb.counters.requests).toBe(0)
      expect(sb.counters.exportRequests).toHaveLength(10)
      expect(sb.counters.exportRequests[0]).toEqual({ file: exportFileName("movie"), status: 200 })
      expect(sb.counters.exportRequests.filter((r) => r.status === 404)).toHaveLength(4)
    })
  })

  it("filters the export truth by popularity, adult and video", async () => {
    await withSandbox({}, async (sb) => {
      const all = sb.exportTruth({ includeAdult: true, includeVideo: true })
      const live = new Map(sb.catalogue.map((m) => [m.id, m]))
      const plain = sb.exportTruth({})
      expect(plain.every((e) => !live.get(e.tmdbId)!.adult && !live.get(e.tmdbId)!.video)).toBe(true)
      expect(plain.length).toBeLessThan(all.length)
      const popular = sb.exportTruth({ minPopularity: 100, includeAdult: true, includeVideo: true })
      expect(popular.map((e) => e.tmdbId)).toEqual(all.filter((e) => e.discovered.popularity >= 100).map((e) => e.tmdbId))
      expect(all.some((e) => e.discovered.releaseDate === "")).toBe(true)
    })
  })

  it("misbehaves on demand: today's files missing, garbage lines, no gzip", async () => {
    await withSandbox({ exports: { missingToday: true, malformedLines: 6 } }, async (sb) => {
      expect((await download(sb, "movie")).res.status).toBe(404)
      expect((await download(sb, "adult")).res.status).toBe(404)
      const { res, body } = await download(sb, "movie", today() - 1)
      expect(res.status).toBe(200)
      const text = gunzipSync(body).toString().slice(0, -1).split("\n")
      const good = expectedLines(sb, false)
      expect(text).toHaveLength(good.length + 6)
      const broken = text.filter((l) => !good.includes(l))
      expect(broken).toHaveLength(6)
      const parsed = broken.map((l) => {
        try {
          return JSON.parse(l) as { id: unknown }
        } catch {
          return "unparsable"
        }
      })
      expect(parsed.filter((p) => p === "unparsable")).toHaveLength(4)
      expect(parsed.filter((p) => p !== "unparsable" && typeof p.id === "string")).toHaveLength(2)
      expect(text.filter((l) => good.includes(l))).toEqual(good)
      const adult = gunzipSync((await download(sb, "adult", today() - 1)).body).toString().slice(0, -1).split("\n")
      expect(adult).toEqual(expectedLines(sb, true))
    })
    await withSandbox({ exports: { notGzip: true } }, async (sb) => {
      const { res, body } = await download(sb, "movie")
      expect([res.status, res.headers.get("content-type")]).toEqual([200, "application/gzip"])
      expect(() => gunzipSync(body)).toThrow()
      expect(body.toString().slice(0, -1).split("\n")).toEqual(expectedLines(sb, false))
    })
    expect(validateOptions({ exports: { missingToday: "yes", malformedLines: -1, notGzip: 1, later: true } })).toEqual([
      "exports.later is not a sandbox option",
      "exports.missingToday must be a boolean",
      "exports.notGzip must be a boolean",
      "exports.malformedLines must be an integer >= 0"
    ])
  })
})

describe("advance", () => {
  it("edits movies everywhere, and logs them in today's changes", async () => {
    await withSandbox({}, async (sb) => {
      const before = new Map<number, { plain: any; rich: any }>() // eslint-disable-line @typescript-eslint/no-explicit-any
      const pick = sb.catalogue.filter((m) => m.fixture === null)
      for (const m of pick) before.set(m.id, { plain: (await details(sb, m.id)).body, rich: (await details(sb, m.id, "credits")).body })
      const exportBefore = await lines(sb, "movie")
      const r = sb.advance({ edit: 5 })
      expect(r.day).toBe(new Date(today() * DAY_MS).toISOString().slice(0, 10))
      expect([r.edited.length, r.added, r.deleted, r.restored]).toEqual([5, [], [], []])
      for (const id of r.edited) {
        const was = before.get(id)!
        const now = await details(sb, id)
        expect(now.body.title).toBe(`${was.plain.title} (Redux)`)
        expect(now.body.budget).not.toBe(was.plain.budget)
        expect(now.body.budget).toBeGreaterThan(0)
        expect(now.body.original_title).toBe(was.plain.original_title)
        const rich = (await details(sb, id, "credits")).body
        expect(rich.title).toBe(now.body.title)
        expect(rich.credits.cast).not.toEqual(was.rich.credits.cast)
        expect(sb.richTruth(id, ["credits"])).toEqual(richTruthOf(rich, ["credits"]))
        expect(sb.richTruth(id, ["credits"])!.cast).not.toEqual(richTruthOf(was.rich, ["credits"]).cast)
        const m = sb.catalogue.find((x) => x.id === id)!
        if (m.releaseDate !== "" && !m.adult && !m.video) {
          const listed = await walk(sb, { "primary_release_date.gte": m.releaseDate, "primary_release_date.lte": m.releaseDate })
          expect(listed.find((x) => x.id === id)?.title).toBe(now.body.title)
          expect(sb.groundTruth({ startYear: 2019, endYear: 2021, minVoteCount: 0 }).find((e) => e.tmdbId === id)?.details?.title).toBe(now.body.title)
        }
      }
      const unchanged = [...before.keys()].filter((id) => !r.edited.includes(id))
      for (const id of unchanged.slice(0, 10)) expect((await details(sb, id)).body).toEqual(before.get(id)!.plain)
      expect((await changedToday(sb, r.day)).sort()).toEqual([...r.edited].sort())
      expect(await lines(sb, "movie")).toEqual(exportBefore)
    })
  })

  it("adds movies (an undated, an adult and a video one among them) and serves them everywhere", async () => {
    await withSandbox({}, async (sb) => {
      const max = Math.max(...sb.catalogue.map((m) => m.id))
      const r = sb.advance({ add: 4 })
      expect(r.added).toHaveLength(4)
      expect(Math.min(...r.added)).toBeGreaterThan(max)
      const added = sb.catalogue.filter((m) => r.added.includes(m.id))
      expect([added.some((m) => m.releaseDate === ""), added.some((m) => m.adult), added.some((m) => m.video)]).toEqual([true, true, true])
      for (const m of added) expect((await details(sb, m.id)).body.title).toBe(m.details().title)
      const exported = [...idsOf(await lines(sb, "movie")), ...idsOf(await lines(sb, "adult"))]
      for (const id of r.added) expect(exported).toContain(id)
      expect(sb.exportTruth({ includeAdult: true, includeVideo: true }).filter((e) => r.added.includes(e.tmdbId))).toHaveLength(4)
      expect((await changedToday(sb, r.day)).sort()).toEqual([...r.added].sort())
      expect((await getJson(sb, "/movie/latest")).body.id).toBe(Math.max(...r.added))
    })
  })

  it("deletes movies (404, gone from discover, exports and truth) and restores them as they were", async () => {
    await withSandbox({}, async (sb) => {
      const r = sb.advance({ delete: 6, edit: 2 })
      expect(r.deleted).toHaveLength(6)
      expect(r.deleted.some((id) => r.edited.includes(id))).toBe(false)
      const all = await walk(sb, { include_adult: "true", include_video: "true", "vote_count.gte": 0 })
      const exported = [...idsOf(await lines(sb, "movie")), ...idsOf(await lines(sb, "adult"))]
      const truth = sb.exportTruth({ includeAdult: true, includeVideo: true }).map((e) => e.tmdbId)
      const yearTruth = sb.groundTruth({ startYear: 2019, endYear: 2021, minVoteCount: 0, includeAdult: true, includeVideo: true }).map((e) => e.tmdbId)
      for (const id of r.deleted) {
        const { status, body } = await details(sb, id)
        expect([status, body.status_code]).toEqual([404, 34])
        expect(sb.isRemoved(id)).toBe(true)
        for (const list of [all.map((x) => x.id), exported, truth, yearTruth, sb.catalogue.map((m) => m.id)]) expect(list).not.toContain(id)
        expect(sb.richTruth(id, [])).toBeUndefined()
      }
      expect((await changedToday(sb, r.day)).sort()).toEqual([...r.deleted, ...r.edited].sort())
      expect(() => sb.advance({ restore: [550] })).toThrow(/not deleted by an earlier advance: 550/)
      const back = sb.advance({ restore: r.deleted.slice(0, 3) })
      expect(back.restored).toEqual(r.deleted.slice(0, 3))
      for (const id of back.restored) {
        expect(sb.isRemoved(id)).toBe(false)
        const m = sb.catalogue.find((x) => x.id === id)!
        expect((await details(sb, id)).body).toEqual(m.details())
        expect(idsOf(await lines(sb, m.adult ? "adult" : "movie"))).toContain(id)
      }
      expect(sb.isRemoved(r.deleted[3]!)).toBe(true)
    })
  })

  it("is deterministic from the seed and the number of earlier advances", async () => {
    const run = async () => {
      const out: Array<unknown> = []
      await withSandbox({ catalogue: { seed: 9 } }, async (sb) => {
        for (const spec of [{ edit: 3, add: 3 }, { delete: 2, edit: 1 }, { add: 5 }]) {
          const r = sb.advance(spec)
          out.push(r)
          for (const id of [...r.edited, ...r.added]) out.push(await (await fetch(url(sb, `/movie/${id}`, { append_to_response: "credits" }))).text())
        }
        out.push(gunzipSync((await download(sb, "movie")).body).toString())
      })
      return out
    }
    const [a, b] = [await run(), await run()]
    expect(a).toEqual(b)
    await expect(withSandbox({}, async (sb) => void sb.advance({ edit: -1 }))).rejects.toThrow(/edit must be an integer >= 0/)
  })
})
