import { weighted } from "./Random.js"
import type { Rng } from "./Random.js"

// Certifications in each country's own system, as TMDB's release_dates carry them, with about
// how often each is given. The US list is the MPA's (https://www.motionpictures.org/film-ratings/):
// G, PG, PG-13, R, NC-17; R is the most common rating, NC-17 rare. Other countries have their
// own boards (FSK in Germany, BBFC in the UK, Eirin in Japan, KMRB in Korea, ICAA in Spain).
const RATINGS: Readonly<Record<string, ReadonlyArray<readonly [string, number]>>> = {
  US: [["G", 4], ["PG", 14], ["PG-13", 30], ["R", 50], ["NC-17", 2]],
  DE: [["0", 12], ["6", 18], ["12", 35], ["16", 28], ["18", 7]],
  GB: [["U", 8], ["PG", 17], ["12A", 30], ["15", 35], ["18", 10]],
  FR: [["U", 70], ["12", 18], ["16", 9], ["18", 3]],
  JP: [["G", 70], ["PG12", 18], ["R15+", 10], ["R18+", 2]],
  KR: [["All", 15], ["12", 30], ["15", 40], ["18", 15]],
  ES: [["A", 12], ["7", 18], ["12", 30], ["16", 30], ["18", 10]]
}

const KIDS = new Set([16, 10751])
const GRIM = new Set([27, 80, 53, 10752])

/**
 * A certification for a release in `country` of a movie with these genre ids: "" where the
 * country has none here or TMDB has none (one release in three). Animation and family films
 * lean to the mild end of the scale, horror, crime, thrillers and war films to the strict end.
 */
export const certificationFor = (r: Rng, country: string, genreIds: ReadonlyArray<number>): string => {
  const scale = RATINGS[country]
  if (scale === undefined || r() < 0.33) return ""
  const kids = genreIds.some((g) => KIDS.has(g))
  const grim = !kids && genreIds.some((g) => GRIM.has(g))
  const weights = scale.map(([, w], i) => w * (kids ? (scale.length - i) ** 3 : grim ? (i + 1) ** 2 : 1))
  return (scale[weighted(r, weights)] as readonly [string, number])[0]
}
