import { readFileSync } from "node:fs"
import { type Sandbox, type SandboxOptions, startSandbox } from "../../sandbox/index.js"

// Plain-fetch helpers for the sandbox's own tests: a client on the other side of the wire.

export const KEY = "sandbox-api-key"
export const fixture = (name: string) => readFileSync(new URL(`../../sandbox/fixtures/${name}`, import.meta.url))
export const DISCOVER_KEYS = [
  "adult",
  "backdrop_path",
  "genre_ids",
  "id",
  "original_language",
  "original_title",
  "overview",
  "popularity",
  "poster_path",
  "release_date",
  "title",
  "video",
  "vote_average",
  "vote_count"
]
export const DETAILS_KEYS = [
  "adult",
  "backdrop_path",
  "belongs_to_collection",
  "budget",
  "genres",
  "homepage",
  "id",
  "imdb_id",
  "origin_country",
  "original_language",
  "original_title",
  "overview",
  "popularity",
  "poster_path",
  "production_companies",
  "production_countries",
  "release_date",
  "revenue",
  "runtime",
  "spoken_languages",
  "status",
  "tagline",
  "title",
  "video",
  "vote_average",
  "vote_count"
]
export const YEARS = {
  "primary_release_date.gte": "2019-01-01",
  "primary_release_date.lte": "2021-12-31",
  "vote_count.gte": "200",
  sort_by: "primary_release_date.desc"
}

export type Params = Record<string, string | number>
export const url = (sb: Sandbox, path: string, params: Params = {}, key: string | null = KEY) => {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))
  if (key !== null) q.set("api_key", key)
  return `${sb.baseUrl}${path}?${q}`
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const jsonOf = (res: Response): Promise<any> => res.json()
export const getJson = async (sb: Sandbox, path: string, params: Params = {}) => {
  const res = await fetch(url(sb, path, params))
  return { res, body: await jsonOf(res) }
}
export const walk = async (sb: Sandbox, params: Params) => {
  const items: Array<Record<string, unknown>> = []
  for (let page = 1, pages = 1; page <= pages; page++) {
    const { body } = await getJson(sb, "/discover/movie", { ...params, page })
    items.push(...body.results)
    pages = body.total_pages
  }
  return items
}
export const listed = (sb: Sandbox, from: string, to: string, minVotes = 200, adult = false, video = false) =>
  sb.catalogue.filter((m) =>
    m.releaseDate !== "" && m.releaseDate >= from && m.releaseDate <= to && m.voteCount >= minVotes && (adult || !m.adult) && (video || !m.video)
  )
export const withSandbox = async (options: SandboxOptions, body: (sb: Sandbox) => Promise<void>) => {
  const sb = await startSandbox(options)
  try {
    await body(sb)
  } finally {
    await sb.close()
  }
}
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
