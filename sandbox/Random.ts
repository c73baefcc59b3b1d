// Seeded randomness and calendar helpers: the sandbox never calls Math.random, so a seed fixes
// the catalogue, and per-request randomness (faults, jitter) follows arrival order.

export type Rng = () => number

/** mulberry32: a 32-bit seeded PRNG, uniform in [0, 1). */
export const mulberry32 = (seed: number): Rng => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Mixes integers into one 32-bit seed (FNV-1a steps with a murmur finaliser). */
export const hash32 = (...parts: ReadonlyArray<number>): number => {
  let h = 0x811c9dc5
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193)
    h ^= h >>> 13
    h = Math.imul(h, 0x5bd1e995)
    h ^= h >>> 15
  }
  return h >>> 0
}

export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))

export const pick = <T>(r: Rng, xs: ReadonlyArray<T>): T => xs[Math.floor(r() * xs.length)] as T

/** Index into `weights` chosen with probability proportional to its weight. */
export const weighted = (r: Rng, weights: ReadonlyArray<number>): number => {
  let total = 0
  for (const w of weights) total += w
  let x = r() * total
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] as number
    if (x < 0) return i
  }
  return weights.length - 1
}

const DAY_MS = 86_400_000

/** Days since 1970-01-01 (UTC). */
export const dayOf = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day) / DAY_MS

export const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

export const isoOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** Day number of a strict `YYYY-MM-DD` calendar date, or undefined when malformed or impossible. */
export const parseIsoDay = (text: string): number | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (m === null) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined
  return dayOf(y, mo, d)
}

export const todayDay = (): number => Math.floor(Date.now() / DAY_MS)
