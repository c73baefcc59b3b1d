import { json, tooManyAppends } from "./Bodies.js"
import type { Reply } from "./Bodies.js"
import { companyBody } from "./Companies.js"
import type { Linked } from "./Linked.js"
import { changesReply } from "./Paging.js"

// The routes of the records around the movies, behind the same key check, limiter, faults and
// latency as the movie routes (sandbox/Routes.ts dispatches here first):
// - GET /3/collection/{id}  https://developer.themoviedb.org/reference/collection-details
// - GET /3/company/{id}     https://developer.themoviedb.org/reference/company-details
// - GET /3/person/{id}      https://developer.themoviedb.org/reference/person-details
//   (append_to_response: external_ids; other names are ignored, more than 20 is a 400 code 27)
// - GET /3/person/changes   https://developer.themoviedb.org/reference/changes-people-list
// An unknown id is "notFound": the router answers it with the 404 code 34 its movie routes give.

const RECORD_PATH = /^\/3\/(collection|company|person)\/([^/]+)$/
const MAX_APPENDS = 20
const CACHED = { "Cache-Control": "public, max-age=28800" }

/** The reply for a linked-record path, "notFound" for an unknown id, undefined for any other path. */
export const linkedRoute = (linked: Linked, path: string, p: URLSearchParams): Reply | "notFound" | undefined => {
  if (path === "/3/person/changes") return changesReply(p, (from, to) => linked.personChanges.between(from, to))
  const m = RECORD_PATH.exec(path)
  if (m === null) return undefined
  const id = /^\d+$/.test(m[2] as string) ? Number(m[2]) : undefined
  if (m[1] === "person") {
    const names = (p.get("append_to_response") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")
    if (names.length > MAX_APPENDS) return tooManyAppends()
    const body = id === undefined ? undefined : linked.personBody(id, names)
    return body === undefined ? "notFound" : json(200, body, CACHED)
  }
  const body = id === undefined ? undefined : m[1] === "company" ? companyBody(id) : linked.collectionBody(id)
  return body === undefined ? "notFound" : json(200, body, CACHED)
}
