import { GENRES } from "./Names.js"
import { pick, weighted } from "./Random.js"
import type { Rng } from "./Random.js"

// Budgets, revenues, runtimes and genres drawn with TMDB's shapes. Money is log-normal: a median in the
// tens of millions among the movies whose budget is known and a long tail up to the few
// blockbusters, revenue a multiple of the budget that is below 1 for one movie in four.
// TMDB knows neither for most movies and says so with 0, the more so for the less voted ones.

/** A standard normal draw (Box-Muller). */
const normal = (r: Rng): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())

/** Rounded as budgets are quoted: to the $100,000 from a million up, to the $1,000 below. */
const quoted = (usd: number): number => usd >= 1_000_000 ? Math.round(usd / 100_000) * 100_000 : Math.round(usd / 1000) * 1000

/** 0 when unknown; otherwise around $18 M, a little more for much-voted movies, capped at $380 M. */
export const budgetOf = (r: Rng, voteCount: number): number => {
  const known = voteCount >= 1000 ? 0.75 : voteCount >= 200 ? 0.55 : 0.2
  if (r() >= known) return 0
  // TMDB holds junk budgets such as 5 dollars (fixtures/movie-latest-1236474-*).
  if (r() < 0.03) return pick(r, [1, 5, 10, 100, 1000])
  const mu = Math.log(18e6) + 0.25 * Math.log10(Math.max(voteCount, 1) / 1000)
  return quoted(Math.min(380e6, Math.max(20_000, Math.exp(mu + 1.1 * normal(r)))))
}

/** 0 when unknown; a multiple of a known budget (median 2.2), else around $6 M; at most $2.9 B. */
export const revenueOf = (r: Rng, budget: number): number => {
  if (budget >= 20_000) {
    if (r() >= 0.7) return 0
    return Math.round(Math.min(2.9e9, budget * Math.exp(Math.log(2.2) + 1.2 * normal(r))))
  }
  if (r() >= 0.3) return 0
  return Math.round(Math.min(2.9e9, Math.exp(Math.log(6e6) + 1.6 * normal(r))))
}

/** Minutes: feature films run about 100 minutes, give or take 18, rarely past three hours. */
export const runtimeOf = (r: Rng): number => Math.round(Math.min(220, Math.max(62, 100 + 18 * normal(r))))

const GENRE_WEIGHTS = GENRES.map(([, , w]) => w)

/** 0 to 4 genres, the common ones most often, each once; now and then repeated, as TMDB does. */
export const genresOf = (r: Rng): Array<{ id: number; name: string }> => {
  const n = weighted(r, [4, 30, 35, 20, 11])
  const out: Array<{ id: number; name: string }> = []
  for (let i = 0; i < n; i++) {
    const [id, name] = GENRES[weighted(r, GENRE_WEIGHTS)] as readonly [number, string, number]
    if (!out.some((g) => g.id === id)) out.push({ id, name })
  }
  // TMDB occasionally repeats an entry; the collector must de-duplicate by id.
  if (out.length > 0 && r() < 0.04) out.push({ ...(out[0] as { id: number; name: string }) })
  return out
}
