import { gunzipSync } from "node:zlib"
import { expect } from "vitest"
import { exportFileName } from "../../sandbox/index.js"
import type { LinkedExportKind, Sandbox } from "../../sandbox/index.js"
import { getJson } from "./sandboxHttp.js"

// Plain-fetch helpers for the tests of the sandbox's collections, companies and people.

export const PERSON_KEYS = [
  "adult",
  "also_known_as",
  "biography",
  "birthday",
  "deathday",
  "gender",
  "homepage",
  "id",
  "imdb_id",
  "known_for_department",
  "name",
  "place_of_birth",
  "popularity",
  "profile_path"
]
export const PART_KEYS = [
  "adult",
  "backdrop_path",
  "id",
  "title",
  "original_language",
  "original_title",
  "overview",
  "poster_path",
  "media_type",
  "genre_ids",
  "popularity",
  "release_date",
  "video",
  "vote_average",
  "vote_count"
]
export const EXTERNAL_KEYS = [
  "freebase_mid",
  "freebase_id",
  "imdb_id",
  "tvrage_id",
  "wikidata_id",
  "facebook_id",
  "instagram_id",
  "tiktok_id",
  "twitter_id",
  "youtube_id"
]
export const NOT_FOUND = "The resource you requested could not be found."
export const DATE = /^\d{4}-\d{2}-\d{2}$/

export const stringOrNull = (v: unknown) => v === null || typeof v === "string"
export const exportLines = async (sb: Sandbox, kind: LinkedExportKind) => {
  const res = await fetch(`${sb.filesUrl}/p/exports/${exportFileName(kind)}`)
  expect([res.status, res.headers.get("content-type")]).toEqual([200, "application/gzip"])
  return gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)
}
export const creditsOf = async (sb: Sandbox, id: number) => (await getJson(sb, `/movie/${id}`, { append_to_response: "credits" })).body
