import Database from "better-sqlite3"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import type { Sandbox } from "../sandbox/index.js"
import { formatSummary } from "../scripts/Progress.js"
import type { CollectionOptions } from "../src/Collection.js"
import { asDetails, readDb, runCli, type StoredMovie, tmpDir } from "./support/cli.js"
import { runInProcess } from "./support/inProcess.js"
import { cliEnv, sandboxes } from "./support/sandbox.js"
import { collect } from "./support/workflow.js"

// The whole catalogue: the sandbox's daily ID exports, its change log and a catalogue that
// changes between runs (edits, additions, deletions). The workflow runs in this process, as the
// CLI composes it; bad input goes through the real CLI, whose one line and exit code are the subject.

const sandbox = sandboxes()
const env = (s: Sandbox, extra: Record<string, string> = {}) => cliEnv(s, { TMDB_FILES_URL: s.filesUrl, TMDB_RETRIES: "0", ...extra })
const FAST = ["--rps", "400", "--burst", "40"]
/** `collect --all` (or by years) with TMDB_RETRIES=0, at the CLI's --rps 400 --burst 40. */
const run = (s: Sandbox, db: string, options: CollectionOptions = { all: true }, lines: Array<string> = []) =>
  collect(s, db, options, { client: { retries: 0 }, log: (l) => lines.push(l) })
const detailRequests = (s: Sandbox) => s.counters.byEndpoint["movie"] ?? 0
const day = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString().slice(0, 10)

type Row = StoredMovie & { removed_at: string | null; exported_on: string | null }
const rows = (db: string) => readDb(db).movies as Array<Row>
const mark = (db: string) => {
  const d = new Database(db, { readonly: true })
  try {
    return d.prepare("SELECT value, updated_at FROM sync_marks WHERE name = 'changes'").get() as { value: string; updated_at: string } | undefined
  } finally {
    d.close()
  }
}

/** The store holds exactly what the export lists and the filters keep, each as TMDB serves it now. */
const expectCatalogue = (db: string, s: Sandbox, filter: Parameters<Sandbox["exportTruth"]>[0] = {}) => {
  const truth = s.exportTruth(filter)
  const live = rows(db).filter((m) => m.removed_at === null)
  expect(live.map((m) => m.tmdb_id)).toEqual(truth.map((t) => t.tmdbId))
  const byId = new Map(live.map((m) => [m.tmdb_id, m]))
  for (const t of truth) expect(asDetails(byId.get(t.tmdbId)!)).toEqual(t.details)
  return truth
}

describe("--all: the whole catalogue from the daily ID export", () => {
  it("stores every movie the export lists, undated ones included; no discover request; a malformed line is counted", async () => {
    const s = await sandbox({ catalogue: { seed: 21, startYear: 2018, endYear: 2020, perYear: 60 }, exports: { missingToday: true, malformedLines: 2 } })
    const db = path.join(tmpDir(), "all.sqlite")
    const lines: Array<string> = []
    const summary = await run(s, db, { all: true }, lines)
    expect(lines.join("\n")).not.toMatch(/\n\s+at /)
    expect(summary.complete).toBe(true)
    const truth = expectCatalogue(db, s)
    expect(truth.some((t) => t.discovered.releaseDate === "")).toBe(true)
    const everything = s.exportTruth({ includeAdult: true, includeVideo: true })
    // Today's file is not there yet (404): yesterday's is read.
    expect(summary.export).toEqual(expect.objectContaining({
      date: day(86_400_000),
      lines: everything.filter((t) => !s.catalogue.find((m) => m.id === t.tmdbId)!.adult).length + 2,
      kept: truth.length,
      malformed: 2,
      new: truth.length
    }))
    expect(summary.export!.filteredOut).toBe(summary.export!.lines - 2 - truth.length)
    expect(formatSummary(summary)).toMatch(/export +\d{4}-\d\d-\d\d: [\d,]+ lines read, [\d,]+ kept, [\d,]+ filtered out, 2 malformed/)
    // One request per movie, and today's changes (the first request: it proves TMDB is there).
    expect(s.counters.byEndpoint["discover"] ?? 0).toBe(0)
    expect(s.counters.byEndpoint["changes"]).toBe(1)
    // Besides: one request for each collection and company the movies name.
    const linked = (s.counters.byEndpoint["collection"] ?? 0) + (s.counters.byEndpoint["company"] ?? 0)
    const named = s.linkedIds(truth.map((t) => t.tmdbId))
    expect(linked).toBe(named.collections.length + named.companies.length)
    expect(s.counters.requests).toBe(truth.length + 1 + linked)
    expect(detailRequests(s)).toBe(truth.length)
    expect(mark(db)?.value).toBe(day())
  })

  it("--min-popularity, --include-adult and --include-video choose the lines kept", async () => {
    const s = await sandbox({ catalogue: { seed: 22, startYear: 2019, endYear: 2020, perYear: 80 } })
    const db = path.join(tmpDir(), "filters.sqlite")
    const summary = await run(s, db, { all: true, minPopularity: 20, includeAdult: true, includeVideo: true })
    expect(summary.complete).toBe(true)
    const truth = expectCatalogue(db, s, { minPopularity: 20, includeAdult: true, includeVideo: true })
    expect(truth.length).toBeLessThan(s.exportTruth({ includeAdult: true, includeVideo: true }).length)
    const kept = new Set(truth.map((t) => t.tmdbId))
    expect(s.catalogue.some((m) => m.adult && kept.has(m.id))).toBe(true)
    expect(s.catalogue.some((m) => m.video && kept.has(m.id))).toBe(true)
    expect(summary.export!.files).toHaveLength(2)
  })

  it("--refresh-limit N makes it a daily crawl: every movie is stored, N get details a run", async () => {
    const s = await sandbox({ catalogue: { seed: 27, startYear: 2020, endYear: 2020, perYear: 40 } })
    const db = path.join(tmpDir(), "crawl.sqlite")
    expect((await run(s, db, { all: true, refreshLimit: 7 })).complete).toBe(true)
    expect(detailRequests(s)).toBe(7)
    const stored = rows(db)
    expect(stored.map((m) => m.tmdb_id)).toEqual(s.exportTruth({}).map((t) => t.tmdbId))
    expect(stored.filter((m) => m.details_fetched_at !== null)).toHaveLength(7)
  })

  it("after edits, additions and deletions, one run makes the store equal the new truth; deleted movies are marked, not dropped", async () => {
    const s = await sandbox({ catalogue: { seed: 23, startYear: 2019, endYear: 2021, perYear: 50 } })
    const db = path.join(tmpDir(), "sync.sqlite")
    expect((await run(s, db)).complete).toBe(true)
    const step = s.advance({ edit: 6, add: 4, delete: 3 })
    s.resetCounters()
    const summary = await run(s, db)
    expect(summary.complete).toBe(true)
    expectCatalogue(db, s)
    // The catalogue's own change log has no entry today, so there is no overlap to allow for.
    expect(detailRequests(s)).toBeLessThanOrEqual(step.edited.length + step.added.length + step.deleted.length)
    expect(summary.changes).toEqual(expect.objectContaining({ status: "read", from: day(), to: day() }))
    expect(summary.removed).toBe(step.deleted.length)
    const byId = new Map(rows(db).map((m) => [m.tmdb_id, m]))
    for (const id of step.deleted) {
      expect(byId.get(id)?.removed_at).not.toBeNull()
      expect(byId.get(id)?.details_fetched_at).not.toBeNull()
    }
    const overview = new Database(db, { readonly: true })
    const inView = overview.prepare("SELECT count(*) AS n FROM movie_overview").get() as { n: number }
    overview.close()
    expect(inView.n).toBe(rows(db).filter((m) => m.removed_at === null).length)

    // A deleted movie that comes back clears the mark.
    s.advance({ restore: step.deleted })
    expect((await run(s, db)).restored).toBe(step.deleted.length)
    expect(rows(db).filter((m) => step.deleted.includes(m.tmdb_id)).map((m) => m.removed_at)).toEqual(step.deleted.map(() => null))
    expectCatalogue(db, s)
  })

  it("a failed changes page leaves the mark; the next run reads that span again", async () => {
    const s = await sandbox({ catalogue: { seed: 24, startYear: 2020, endYear: 2021, perYear: 40 } })
    const db = path.join(tmpDir(), "mark.sqlite")
    expect((await run(s, db)).complete).toBe(true)
    const before = mark(db)!
    const step = s.advance({ edit: 4 })
    s.setFaults({ error500: 1 })
    const failed = await run(s, db)
    // Incomplete: the CLI exits 3 (scripts/Run.ts).
    expect(failed.complete).toBe(false)
    expect(failed.changes.status).toBe("failed")
    expect(formatSummary(failed)).toContain("read again next run")
    expect(mark(db)).toEqual(before)
    s.setFaults(undefined)
    s.resetCounters()
    const healed = await run(s, db)
    expect(healed.complete).toBe(true)
    expect(mark(db)!.updated_at > before.updated_at).toBe(true)
    expect(detailRequests(s)).toBe(step.edited.length)
    expectCatalogue(db, s)
  })

  it("year mode reads changes too: edited movies are fetched again, nothing else", async () => {
    const s = await sandbox({ catalogue: { seed: 25, startYear: 2020, endYear: 2021, perYear: 50 } })
    const db = path.join(tmpDir(), "years.sqlite")
    const years = { startYear: 2020, endYear: 2021 }
    expect((await run(s, db, years)).complete).toBe(true)
    const listed = new Set(s.groundTruth(years).map((t) => t.tmdbId))
    const step = s.advance({ edit: 5, add: 3 })
    s.resetCounters()
    expect((await run(s, db, years)).complete).toBe(true)
    const edited = step.edited.filter((id) => listed.has(id)).length
    const added = s.groundTruth(years).filter((t) => step.added.includes(t.tmdbId)).length
    expect(detailRequests(s)).toBe(edited + added)
    const byId = new Map(rows(db).map((m) => [m.tmdb_id, m]))
    for (const t of s.groundTruth(years)) expect(asDetails(byId.get(t.tmdbId)!)).toEqual(t.details)
  })
})

describe("--all: bad input is one line and a non-zero exit", () => {
  const oneLine = (stderr: string) => stderr.trim().split("\n").filter((l) => l.trim() !== "")
  it("flags that do not go with --all, a negative --min-popularity", async () => {
    const cases = [
      [["--all", "--start-year", "2020"], "--all reads every movie of TMDB's daily export: drop --start-year"],
      [["--all", "--min-popularity", "-1"], "--min-popularity must be >= 0, got -1"],
      [["--start-year", "2020", "--min-popularity", "3"], "--min-popularity filters the daily export: use it with --all"]
    ] as const
    // Each through the CLI's own program in process, the first also as the real process.
    const argv = (args: ReadonlyArray<string>) => [...args, "--db", path.join(tmpDir(), "x.sqlite")]
    const runs = await Promise.all([
      ...cases.map(([args]) => runInProcess(argv(args), { env: { TMDB_API_KEY: "k" } })),
      runCli(argv(cases[0][0]), { TMDB_API_KEY: "k" })
    ])
    runs.forEach((run, i) => {
      expect(run.code).toBe(2)
      expect(oneLine(run.stderr)).toEqual([cases[i % cases.length]![1]])
    })
  })

  it("a TMDB_BASE_URL that is not TMDB's API: one line, exit 1, and no movie marked removed", async () => {
    const s = await sandbox({ catalogue: { seed: 28, startYear: 2020, endYear: 2020, perYear: 20 } })
    const db = path.join(tmpDir(), "wrong.sqlite")
    const run = await runCli(["--all", ...FAST, "--db", db], env(s, { TMDB_BASE_URL: s.baseUrl.replace(/\/3$/, "") }))
    expect(run.code).toBe(1)
    expect(oneLine(run.stderr).slice(-1)[0]).toMatch(/^TMDB answered 404 for \/movie\/changes.*: is http:\/\/127\.0\.0\.1:\d+ TMDB's API \(it ends in \/3\)\?$/)
    expect(detailRequests(s)).toBe(0)
    expect(rows(db).filter((m) => m.removed_at !== null)).toEqual([])
  })

  it("an unreachable files URL, an export that is not gzip, no export for four days, another API with TMDB's export: exit 1, nothing written", async () => {
    const s = await sandbox({ catalogue: { seed: 26, startYear: 2020, endYear: 2020, perYear: 10 } })
    const plain = await sandbox({ catalogue: { seed: 26, startYear: 2020, endYear: 2020, perYear: 10 }, exports: { notGzip: true } })
    const cases = [
      [env(s, { TMDB_FILES_URL: "http://127.0.0.1:9" }), /^cannot reach the daily ID exports at http:\/\/127\.0\.0\.1:9\/p\/exports\/movie_ids_/],
      [env(plain), /^the daily ID export at .*movie_ids_\d\d_\d\d_\d{4}\.json\.gz is not gzip$/],
      [env(s, { TMDB_FILES_URL: `${s.filesUrl}/elsewhere` }), /^no daily ID export at .*\/elsewhere\/p\/exports for \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d/],
      // The sandbox's API with TMDB's own export would mix two catalogues.
      [cliEnv(s), /^TMDB_BASE_URL is http:\/\/127\.0\.0\.1:\d+\/3, not TMDB's API, and TMDB_FILES_URL is not set: set it to that server's files/]
    ] as const
    // Each through the CLI's own program in process, the first also as the real process.
    await Promise.all([...cases.map((c) => [c, false] as const), [cases[0], true] as const].map(async ([[environment, message], real]) => {
      const dir = tmpDir()
      const args = ["--all", "--db", path.join(dir, "none.sqlite")]
      const run = real ? await runCli(args, environment) : await runInProcess(args, { env: environment })
      expect(run.code).toBe(1)
      expect(oneLine(run.stderr)).toHaveLength(1)
      expect(run.stderr.trim()).toMatch(message)
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(".sqlite"))).toEqual([])
    }))
    // Nothing reached TMDB's API: the export is found before anything else happens.
    for (const sb of [s, plain]) for (const endpoint of ["discover", "movie", "changes"]) expect(sb.counters.byEndpoint[endpoint] ?? 0).toBe(0)
  })
})
