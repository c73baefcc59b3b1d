import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"],
    globalSetup: ["./test/globalSetup.ts"],
    // Generous: the integration tests spawn real CLI processes, and shared 2-core machines are slow at times.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Two cores: forks keep native better-sqlite3 and child processes isolated per file.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } }
  }
})
