import { afterEach, expect } from "vitest"
import { type Sandbox, type SandboxOptions, startSandbox } from "../../sandbox/index.js"
import { asDetails, readDb } from "./cli.js"

/** Sandboxes started by a test file, each closed after its test. Call once at the file's top level. */
export const sandboxes = (defaults: SandboxOptions = {}) => {
  const open: Array<Sandbox> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return async (options: SandboxOptions = {}) => {
    const s = await startSandbox({ ...defaults, ...options })
    open.push(s)
    return s
  }
}

/** The environment that points the CLI at `s`. */
export const cliEnv = (s: Sandbox, extra: Record<string, string> = {}) => ({
  TMDB_API_KEY: s.options.apiKey ?? "sandbox-api-key",
  TMDB_BASE_URL: s.baseUrl,
  ...extra
})

/**
 * Compares the database with the sandbox's ground truth, field by field: every servable movie
 * stored exactly, every other one recorded with its reason, nothing else.
 */
export const expectExact = (file: string, s: Sandbox, query: { startYear: number; endYear: number }) => expectExactRows(readDb(file), s, query)

/** `expectExact` over rows read from any database (test/support/services.ts reads PostgreSQL's). */
export const expectExactRows = (
  stored: Pick<ReturnType<typeof readDb>, "failures" | "integrity" | "movies">,
  s: Sandbox,
  query: { startYear: number; endYear: number }
) => {
  const truth = s.groundTruth(query)
  const { failures, integrity, movies } = stored
  expect(integrity).toBe("ok")
  expect(movies.map((m) => m.tmdb_id)).toEqual(truth.map((t) => t.tmdbId))
  const byId = new Map(movies.map((m) => [m.tmdb_id, m]))
  const failed = new Map(failures.map((f) => [f.tmdb_id, f]))
  for (const t of truth) {
    const row = byId.get(t.tmdbId)!
    if (t.details !== null) {
      expect(asDetails(row)).toEqual(t.details)
      expect(row.details_fetched_at).not.toBeNull()
      expect(failed.has(t.tmdbId)).toBe(false)
    } else {
      expect(failed.get(t.tmdbId)?.kind).toBe(t.expectedFailure)
      expect(row.details_fetched_at).toBeNull()
      expect({ title: row.title, releaseDate: row.release_date, voteCount: row.vote_count }).toEqual({
        title: t.discovered.title,
        releaseDate: t.discovered.releaseDate,
        voteCount: t.discovered.voteCount
      })
    }
  }
  expect(failures.length).toBe(truth.filter((t) => t.details === null).length)
  return truth
}
