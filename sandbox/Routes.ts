import { APPENDABLE, appended, withAppends } from "./Appends.js"
import { internalError, invalidDate, invalidDateRange, invalidPage, json, methodNotAllowed, notFound, tooManyAppends, unauthorized } from "./Bodies.js"
import type { Reply } from "./Bodies.js"
import type { CatalogueMovie, Fate } from "./Catalogue.js"
import { CONFIGURATION_FIXTURE, fixtureBytes, SUB_FIXTURES } from "./Fixtures.js"
import type { SandboxRoutes } from "./Options.js"
import { ChangesIndex, DiscoverIndex, shuffledSlice, SORT_KEYS, sortKeyOf } from "./Query.js"
import { parseIsoDay, todayDay } from "./Random.js"
import type { Rng } from "./Random.js"

export type Endpoint = "discover" | "movie" | "changes" | "other"

const MOVIE_PATH = /^\/3\/movie\/([^/]+)$/
const SUB_PATH = /^\/3\/movie\/(\d+)\/([a-z_]+)$/

const trimSlash = (path: string): string => (path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path)

export const endpointOf = (pathname: string): Endpoint => {
  const path = trimSlash(pathname)
  if (path === "/3/discover/movie") return "discover"
  if (path === "/3/movie/changes") return "changes"
  const m = MOVIE_PATH.exec(path)
  return m !== null && m[1] !== "latest" ? "movie" : "other"
}

export interface RouteContext {
  readonly apiKey: string
  readonly readToken: string
  readonly byId: ReadonlyMap<number, CatalogueMovie>
  readonly latest: CatalogueMovie | undefined
  readonly discover: DiscoverIndex
  readonly changes: ChangesIndex
  readonly fates: ReadonlyMap<number, Fate>
  /** Set when ties are reshuffled on every discover request. */
  readonly shuffle: Rng | undefined
  /** Routes a test mounted (SandboxOptions.routes.api), tried before the sandbox's own. */
  readonly mounted?: SandboxRoutes["api"]
}

const PER_PAGE = 20
const CHANGES_PER_PAGE = 100
const MAX_APPENDS = 20

/** undefined when the page parameter is not an integer in 1..500. */
const parsePage = (raw: string | null): number | undefined => {
  if (raw === null) return 1
  if (!/^\d+$/.test(raw)) return undefined
  const n = Number(raw)
  return n >= 1 && n <= 500 ? n : undefined
}

/** A day number, null when absent or empty, undefined when malformed. */
const parseDateParam = (raw: string | null): number | null | undefined => raw === null || raw === "" ? null : parseIsoDay(raw)

export class Router {
  private notFoundCount = 0
  constructor(private readonly ctx: RouteContext) {}

  /** Every other 404 drops the `success` key, as older and some current bodies do. */
  private notFound(): Reply {
    return notFound(this.notFoundCount++ % 2 === 0)
  }

  handle(method: string, url: URL, authorization: string | undefined): Reply {
    const path = trimSlash(url.pathname)
    if (!path.startsWith("/3/")) return this.notFound()
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim()
    if (url.searchParams.get("api_key") !== this.ctx.apiKey && bearer !== this.ctx.readToken) return unauthorized()
    if (method !== "GET" && method !== "HEAD") return methodNotAllowed()
    const mounted = this.ctx.mounted?.(path, url.searchParams)
    if (mounted !== undefined) return mounted
    if (path === "/3/discover/movie") return this.discover(url.searchParams)
    if (path === "/3/movie/changes") return this.changes(url.searchParams)
    if (path === "/3/configuration") return { status: 200, body: fixtureBytes(CONFIGURATION_FIXTURE) }
    if (path === "/3/movie/latest") return this.ctx.latest === undefined ? this.notFound() : { status: 200, body: this.ctx.latest.body() }
    const movie = MOVIE_PATH.exec(path)
    if (movie !== null) return this.details(movie[1] as string, url.searchParams)
    const sub = SUB_PATH.exec(path)
    if (sub !== null) return this.subResource(Number(sub[1]), sub[2] as string)
    return this.notFound()
  }

  private discover(p: URLSearchParams): Reply {
    const page = parsePage(p.get("page"))
    if (page === undefined) return invalidPage()
    const gte = parseDateParam(p.get("primary_release_date.gte"))
    const lte = parseDateParam(p.get("primary_release_date.lte"))
    if (gte === undefined || lte === undefined) return invalidDate()
    // TMDB's own default; an unknown value falls back to it too.
    const sort = SORT_KEYS[p.get("sort_by") ?? ""] ?? "popularity.desc"
    // TMDB ignores a number filter it cannot read rather than failing the request.
    const number = (key: string): number | null => {
      const raw = p.get(key)
      const n = raw === null || raw === "" ? NaN : Number(raw)
      return Number.isFinite(n) ? n : null
    }
    const matches = this.ctx.discover.matches({
      gteDay: gte,
      lteDay: lte,
      voteCountGte: number("vote_count.gte"),
      voteCountLte: number("vote_count.lte"),
      voteAverageGte: number("vote_average.gte"),
      voteAverageLte: number("vote_average.lte"),
      includeAdult: p.get("include_adult") === "true",
      includeVideo: p.get("include_video") === "true",
      sort
    })
    const start = (page - 1) * PER_PAGE
    const slice = this.ctx.shuffle === undefined
      ? matches.slice(start, start + PER_PAGE)
      : shuffledSlice(matches, start, start + PER_PAGE, sortKeyOf(sort), this.ctx.shuffle)
    const results = slice.map((m) => m.discoverItem())
    const reply = json(200, {
      page,
      results,
      total_pages: Math.max(1, Math.ceil(matches.length / PER_PAGE)),
      total_results: matches.length
    }, { "Cache-Control": "public, max-age=600" })
    reply.discoverPage = { gte: p.get("primary_release_date.gte"), lte: p.get("primary_release_date.lte"), page }
    return reply
  }

  private changes(p: URLSearchParams): Reply {
    const page = parsePage(p.get("page"))
    if (page === undefined) return invalidPage()
    const start = parseDateParam(p.get("start_date"))
    const end = parseDateParam(p.get("end_date"))
    if (start === undefined || end === undefined) return invalidDate()
    // Default window: the past 24 hours (https://developer.themoviedb.org/docs/tracking-content-changes).
    const endDay = end ?? (start !== null ? Math.max(start, todayDay()) : todayDay())
    const startDay = start ?? endDay - 1
    if (endDay - startDay > 14) return invalidDateRange()
    const changed = startDay <= endDay ? this.ctx.changes.between(startDay, endDay) : []
    const results = changed
      .slice((page - 1) * CHANGES_PER_PAGE, page * CHANGES_PER_PAGE)
      .map((e) => ({ id: e.id, adult: e.adult }))
    return json(200, {
      results,
      page,
      total_pages: Math.max(1, Math.ceil(changed.length / CHANGES_PER_PAGE)),
      total_results: changed.length
    }, { "Cache-Control": "public, max-age=28800" })
  }

  private details(rawId: string, p: URLSearchParams): Reply {
    const names = (p.get("append_to_response") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")
    if (names.length > MAX_APPENDS) return tooManyAppends()
    const movie = /^\d+$/.test(rawId) ? this.ctx.byId.get(Number(rawId)) : undefined
    if (movie === undefined) return this.notFound()
    const fate = this.ctx.fates.get(movie.id)
    if (fate === "deleted") return { ...this.notFound(), movieId: movie.id }
    if (fate === "alwaysFail") return { ...internalError(), movieId: movie.id }
    const headers = { "Cache-Control": "public, max-age=28800" }
    if (names.length === 0 && fate === undefined) return { status: 200, body: movie.body(), headers, movieId: movie.id }
    const d = withAppends(movie, names)
    if (fate === "driftTitle") delete d.title
    if (fate === "driftId") d.id = String(movie.id)
    return { ...json(200, d, headers), movieId: movie.id }
  }

  private subResource(id: number, name: string): Reply {
    const movie = this.ctx.byId.get(id)
    if (movie === undefined || !APPENDABLE.includes(name)) return this.notFound()
    const fate = this.ctx.fates.get(id)
    if (fate === "deleted") return this.notFound()
    if (fate === "alwaysFail") return internalError()
    const file = SUB_FIXTURES[`${id}/${name}`]
    if (file !== undefined) return { status: 200, body: fixtureBytes(file) }
    return json(200, { id, ...appended(movie, movie.details(), name) })
  }
}
