import { Clock, Effect } from "effect"

// The store keeps instants as ISO text in UTC (README "Database schema"), and TMDB's dates
// (/movie/changes, the daily exports, release dates) are UTC days: one way to write each.

export const DAY = 86_400_000

/** An instant as the store writes it: `2026-01-02T03:04:05.678Z`. */
export const iso = (ms: number): string => new Date(ms).toISOString()

/** The UTC day of an instant: `2026-01-02`. */
export const dayOf = (ms: number): string => iso(ms).slice(0, 10)

/** The start of a UTC day, `YYYY-MM-DD`, in milliseconds. */
export const dayMs = (day: string): number => Date.parse(`${day}T00:00:00.000Z`)

/** Whole days from the UTC day `day` to the day of the instant `ms`: how far a changes mark is behind. */
export const daysBehind = (day: string, ms: number): number => Math.round((dayMs(dayOf(ms)) - dayMs(day)) / DAY)

/** Now, on the Effect clock (TestClock in tests), as the store writes it. */
export const now: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, iso)
