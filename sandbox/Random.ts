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

/** `mulberry32(seed)()`, without making the generator: the catalogue asks it once per movie. */
export const firstOf = (seed: number): number => {
  let t = (seed + 0x6d2b79f5) >>> 0
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
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

/** The index into `weights` that the uniform draw `u` falls on, each in proportion to its weight. */
export const weightedAt = (u: number, weights: ReadonlyArray<number>): number => {
  let total = 0
  for (const w of weights) total += w
  let x = u * total
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] as number
    if (x < 0) return i
  }
  return weights.length - 1
}

/** Index into `weights` chosen with probability proportional to its weight. */
export const weighted = (r: Rng, weights: ReadonlyArray<number>): number => weightedAt(r(), weights)

const DAY_MS = 86_400_000

/** Days since 1970-01-01 (UTC). */
export const dayOf = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day) / DAY_MS

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Gregorian, without a Date: the catalogue asks for it once or twice per movie. */
export const daysInMonth = (year: number, month: number): number =>
  month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : (MONTH_DAYS[month - 1] as number)

export const isoOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10)

const digits = (text: string, from: number, to: number): number => {
  let n = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n
}

/** Day number of a strict `YYYY-MM-DD` calendar date, or undefined when malformed or impossible. */
export const parseIsoDay = (text: string): number | undefined => {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined
  const [y, mo, d] = [digits(text, 0, 4), digits(text, 5, 7), digits(text, 8, 10)]
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined
  return dayOf(y, mo, d)
}

export const todayDay = (): number => Math.floor(Date.now() / DAY_MS)

/** `k` of `xs` chosen by a partial Fisher-Yates shuffle, by `idOf` ascending. */
export const sample = <T>(r: Rng, xs: ReadonlyArray<T>, k: number, idOf: (x: T) => number): Array<T> => {
  const a = [...xs]
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(r() * (a.length - i))
    const t = a[i] as T
    a[i] = a[j] as T
    a[j] = t
  }
  return a.slice(0, k).sort((x, y) => idOf(x) - idOf(y))
}
