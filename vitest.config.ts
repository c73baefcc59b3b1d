import * as path from "node:path"
import { defineConfig } from "vitest/config"

export default defineConfig({
  // The README's examples import the package by its name, as an app does: here, its sources
  // (tsconfig.json's paths say the same to the typecheck).
  resolve: {
    alias: [
      { find: /^tmdb-collector\/testing$/, replacement: path.resolve(import.meta.dirname, "testing.ts") },
      { find: /^tmdb-collector$/, replacement: path.resolve(import.meta.dirname, "index.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"],
    globalSetup: ["./test/globalSetup.ts"],
    // Generous: the integration tests spawn real CLI processes, and shared 2-core machines are slow at times.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Two cores: two forks keep native better-sqlite3 and child processes apart from vitest's
    // own. Files share a fork's loaded modules (no isolation): each file no longer imports Effect,
    // the SQL clients and the sandbox afresh. Measured on this 2-core machine, the suite without
    // the three CLI-heavy files took 195 s and 200 s against 237 s and 314 s isolated.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1, isolate: false } }
  }
})
