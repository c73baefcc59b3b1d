import Database from "better-sqlite3"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const root = path.resolve(import.meta.dirname, "../..")

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

export interface CliRun {
  readonly child: ChildProcess
  readonly done: Promise<CliResult>
}

/**
 * The documented ways to start the CLI: `npm run collect -- ...`, `npx tsx scripts/collect.ts ...`;
 * `bundle` is what `npm run collect` runs, without npm in front.
 */
export type Launcher = "bundle" | "npm" | "npx"

const scripts = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts
// The node flags of package.json's collect script: the bundle runs as `npm run collect` runs it.
const collectFlags = scripts["collect"]!.split(/\s+/).filter((w) => w.startsWith("--"))

const commandLine = (launcher: Launcher, args: ReadonlyArray<string>): [string, Array<string>] => {
  switch (launcher) {
    case "bundle":
      return [process.execPath, [...collectFlags, path.join(root, "dist/collect.js"), ...args]]
    case "npm":
      return ["npm", ["run", "--silent", "collect", "--", ...args]]
    case "npx":
      return ["npx", ["tsx", "scripts/collect.ts", ...args]]
  }
}

/**
 * Starts the real CLI as its own process: by default the bundle `npm run collect` runs
 * (test/globalSetup.ts keeps it built). Through npm or npx it leads its own process group, so a
 * test can signal the whole group as a terminal's Ctrl-C does.
 */
export const startCli = (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}, launcher: Launcher = "bundle"): CliRun => {
  const started = Date.now()
  const [command, argv] = commandLine(launcher, args)
  const child = spawn(command, argv, {
    cwd: root,
    env: { ...process.env, TMDB_API_KEY: undefined, TMDB_READ_ACCESS_TOKEN: undefined, TMDB_BASE_URL: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: launcher === "npm" || launcher === "npx"
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })))
  return { child, done }
}

export const runCli = (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}) => startCli(args, env).done

/**
 * `npm run export -- ...` as package.json's script runs it (node over the bundle,
 * dist/export.cjs), without npm in front: its exit code and stderr.
 */
export const runExport = (args: ReadonlyArray<string>) => {
  const [node, ...script] = scripts["export"]!.split(/\s+/)
  if (node !== "node") throw new Error(`package.json's export script no longer starts with node: ${scripts["export"]}`)
  return new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [...script, ...args],
      { cwd: root, encoding: "utf8" },
      (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stderr })
    )
  )
}

export const tmpDir = (prefix = "tmdb-") => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

export interface StoredMovie {
  tmdb_id: number
  imdb_id: string | null
  title: string
  original_title: string | null
  release_date: string | null
  runtime: number | null
  budget: number | null
  revenue: number | null
  genres: string | null
  production_companies: string | null
  overview: string | null
  vote_average: number | null
  vote_count: number | null
  popularity: number | null
  discovered_at: string | null
  details_fetched_at: string | null
}

export const readDb = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    const movies = db.prepare("SELECT * FROM movies ORDER BY tmdb_id").all() as Array<StoredMovie>
    const failures = db.prepare("SELECT * FROM fetch_failures ORDER BY tmdb_id").all() as Array<{
      tmdb_id: number
      kind: string
      message: string
      attempts: number
    }>
    const integrity = (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check
    const runs = db.prepare("SELECT * FROM collection_runs ORDER BY id").all() as Array<{ status: string; summary: string | null }>
    return { movies, failures, integrity, runs }
  } finally {
    db.close()
  }
}

/** The stored row in the shape of the sandbox's normalized ground truth. */
export const asDetails = (m: StoredMovie) => ({
  tmdbId: m.tmdb_id,
  imdbId: m.imdb_id,
  title: m.title,
  originalTitle: m.original_title,
  releaseDate: m.release_date,
  runtime: m.runtime,
  budget: m.budget,
  revenue: m.revenue,
  genres: m.genres === null ? null : JSON.parse(m.genres),
  productionCompanies: m.production_companies === null ? null : JSON.parse(m.production_companies),
  overview: m.overview,
  voteAverage: m.vote_average,
  voteCount: m.vote_count,
  popularity: m.popularity
})

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `f` every 20 ms until it is true or `ms` passes. */
export const waitFor = async (f: () => boolean, ms = 90_000) => {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error("waitFor: timed out")
    await sleep(20)
  }
}
