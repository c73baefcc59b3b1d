import type { SandboxOptions } from "./Options.js"

// What `npm run demo` (scripts/demo.ts) collects, in one place: the script runs it, README's
// "Explore the data" opens what it leaves, and test/demo.data.test.ts checks that data reads
// like TMDB's.

export const DEMO = {
  /** Where the demo leaves its database, from the repository's root. */
  database: "data/demo.sqlite",
  startYear: 2022,
  endYear: 2024,
  /** The demo's catalogue: what the sandbox serves, and so what the database holds. */
  catalogue: { seed: 7, startYear: 2022, endYear: 2024, perYear: 120 },
  /** One movie in a hundred answers 404, as movies TMDB has deleted do. */
  deletedFraction: 0.01
} as const

/** The sandbox the demo runs against: its catalogue behind TMDB-like latency, a rate limit and rare faults. */
export const demoSandbox: SandboxOptions = {
  catalogue: DEMO.catalogue,
  deletedFraction: DEMO.deletedFraction,
  latencyMs: 40,
  jitterMs: 30,
  rateLimit: { rps: 45, burst: 20 },
  faults: { error500: 0.01, error503: 0.01 }
}
