import { type Figure, figure, type Goal } from "./helpers.js"

// What the parts of benchmark 7 (bench/collectors.ts) share: the settings they measure with, and
// the outcome each adds its figures, details, diagnoses and method paragraph to, in run order.

/** Movies per MovieRepository.saveOutcomes call when writing in bulk. */
export const BATCH = 500
/** Every sandbox's rate limit, and the --rps and --burst every collector is given. */
export const RPS = 40
export const BURST = 10
/** TMDB's catalogue: about 1.14 million movies in its daily export. */
export const CATALOGUE = 1_140_000
/** A collector claims 2 × --concurrency movies at a time (services/Collector.ts); 10 by default. */
export const CLAIM_SIZE = 20

export interface Section {
  readonly fig: (id: string, label: string, value: number | null, unit: string, goal?: Goal) => void
  readonly figures: Array<Figure>
  /** Markdown lines for BENCHMARKS.md. */
  readonly details: Array<string>
  /** Keyed by figure id. */
  readonly diagnosis: Record<string, string>
  /** How the figures were measured, one paragraph per part. */
  readonly method: Array<string>
}

export const section = (): Section => {
  const figures: Array<Figure> = []
  return {
    fig: (id, label, value, unit, goal) => figures.push(figure("collectors", `collectors.${id}`, label, value, unit, goal)),
    figures,
    details: [],
    diagnosis: {},
    method: []
  }
}
