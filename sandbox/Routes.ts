import { APPENDABLE, appended, withAppends } from "./Appends.js"
import { internalError, invalidDate, invalidPage, json, methodNotAllowed, notFound, tooManyAppends, unauthorized } from "./Bodies.js"
import type { Reply } from "./Bodies.js"
import type { CatalogueMovie, Fate } from "./Catalogue.js"
import { CONFIGURATION_FIXTURE, fixtureBytes, SUB_FIXTURES } from "./Fixtures.js"
import type { SandboxRoutes } from "./Options.js"
import { changesReply, parseDateParam, parsePage } from "./Paging.js"
import { ChangesIndex, DiscoverIndex, shuffledSlice, SORT_KEYS, sortKeyOf } from "./Query.js"
import type { Rng } from "./Random.js"

export type Endpoint = "discover" | "movie" | "changes" | "person" | "person_changes" | "collection" | "company" | "other"

const MOVIE_PATH = /^\/3\/movie\/([^/]+)$/
const SUB_PATH = /^\/3\/movie\/(\d+)\/([a-z_]+)$/

const trimSlash = (path: string): string => (path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path)

export const endpointOf = (pathname: string): Endpoint => {
  const path = trimSlash(pathname)
  if (path === "/3/discover/movie") return "discover"
  if (path === "/3/movie/changes") return "changes"
  if (path === "/3/person/changes") return "person_changes"
  const record = /^\/3\/(person|collection|company)\/[^/]+$/.exec(path)
  if (record !== null) return record[1] as Endpoint
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
  /** The collection, company and person routes (sandbox/LinkedRoutes.ts): undefined for other paths. */
  readonly linked?: ((path: string, params: URLSearchParams) => Reply | "notFound" | undefined) | undefined
}

const PER_PAGE = 20
const MAX_APPENDS = 20

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
    if (path === "/3/movie/changes") return changesReply(url.searchParams, (from, to) => this.ctx.changes.between(from, to))
    if (path === "/3/configuration") return { status: 200, body: fixtureBytes(CONFIGURATION_FIXTURE) }
    if (path === "/3/movie/latest") return this.ctx.latest === undefined ? this.notFound() : { status: 200, body: this.ctx.latest.body() }
    const linked = this.ctx.linked?.(path, url.searchParams)
    if (linked !== undefined) return linked === "notFound" ? this.notFound() : linked
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
