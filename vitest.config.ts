import * as fs from "node:fs"
import * as path from "node:path"
import { defineConfig } from "vitest/config"
import { BaseSequencer, type TestSpecification } from "vitest/node"

// The files that take longest, longest first (seconds measured on the 2-core machine): the two
// forks take the next file as each comes free, so the longest starting first lets them end
// together. Vitest orders files longest-first only from the timings it caches after a run; in a
// fresh clone it would order them by size, and start the longest of all near the end.
const LONGEST = [
  "watch.memory.test.ts", // 33-45
  "collectors.integration.test.ts", // 25-35
  "reliability.crash.test.ts", // 27-34
  "package.test.ts", // 26
  "faults.pg.test.ts", // 21
  "collect.integration.test.ts", // 12-19
  "linked.collectors.test.ts", // 13
  "linked.integration.test.ts", // 12
  "export.parquet.test.ts", // 8-18
  "reliability.input.test.ts", // 13
  "pg.integration.test.ts", // 12
  "SharedBudget.test.ts", // 12
  "workflow.reliability.test.ts", // 9
  "faults.disk.test.ts", // 7.5-9.4
  "linked.queries.test.ts", // 6
  "sandbox.limits.test.ts", // 9
  "watch.cli.test.ts", // 8.6
  "watch.pg.test.ts", // 8.2
  "TmdbClient.discover.test.ts", // 7.4
  "readme.examples.test.ts", // 6.6
  "cli.truths.test.ts", // 6.5
  "RateLimiter.test.ts", // 5.5
  "cli.ctrlc.test.ts", // 5
  "reliability.client.test.ts", // 4.8
  "catalogue.integration.test.ts", // 4.4
  "reliability.cli.test.ts", // 4.4
  "docs.test.ts", // 3.7
  "Lock.test.ts", // 3.1
  "rich.integration.test.ts", // 2.6
  "launcher.test.ts", // 2.4
  "decoderProperties.test.ts", // 2.3
  "RecordKind.toy.test.ts", // 2.1
  "demo.explore.test.ts" // 2
]

/** LONGEST in its order, then the rest by size, largest first: the same order on every run, cache or none. */
class LongestFirst extends BaseSequencer {
  override sort(files: Array<TestSpecification>) {
    const rank = (f: TestSpecification) => {
      const i = LONGEST.findIndex((name) => f.moduleId.endsWith(`/test/${name}`))
      return i === -1 ? LONGEST.length : i
    }
    const size = (f: TestSpecification) => fs.statSync(f.moduleId).size
    return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b) || size(b) - size(a)))
  }
}

export default defineConfig({
  // The README's examples import the package by its name, as an app does: here, its sources
  // (tsconfig.json's paths say the same to the typecheck).
  resolve: {
    alias: [
      { find: /^tmdb-collector\/(testing|sqlite|postgres)$/, replacement: path.resolve(import.meta.dirname, "$1.ts") },
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
    poolOptions: { forks: { maxForks: 2, minForks: 1, isolate: false } },
    sequence: { sequencer: LongestFirst }
  }
})
