import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"

// What test/package.test.ts reads from the README and writes into the app that installs the
// packed package.

/** The `npm install` lines of README "Install", as npm's arguments, the tarball's path in place of the package's name. */
export const installLines = (readme: string, tarball: string): Array<Array<string>> => {
  const block = /<!-- install:start -->([\s\S]*?)<!-- install:end -->/.exec(readme)?.[1] ?? ""
  return block.split("\n").filter((l) => l.startsWith("npm install ")).map((l) =>
    l.split("#")[0]!.trim().split(/\s+/).slice(1).map((w) => (w === "tmdb-collector" ? tarball : w))
  )
}

/** The tarball's size as README "As a package" gives it: `105 kB, 370 kB unpacked`, in bytes. */
export const statedSize = (readme: string) => {
  const m = /<!-- package-size:start -->[\s\S]*?(\d+) kB, (\d+) kB unpacked[\s\S]*?<!-- package-size:end -->/.exec(readme)
  return m === null ? undefined : { packed: Number(m[1]) * 1000, unpacked: Number(m[2]) * 1000 }
}

/** What only a database or Redis needs: none of it is in an app that names none of it. */
export const DRIVERS = ["pg", "@effect/sql-pg", "better-sqlite3", "@effect/sql-sqlite-node", "ioredis"]

/**
 * Imports both entries with no driver installed, then builds a layer that needs one: it prints
 * the number of exports of each entry, then the defect's first line.
 */
export const PROBE = `
import { Effect, Layer } from "effect"
import * as library from "tmdb-collector"
import * as testing from "tmdb-collector/testing"
console.log(Object.keys(library).length, Object.keys(testing).length)
const exit = await Effect.runPromiseExit(Effect.scoped(Layer.build(testing.MovieRepositoryTest)))
console.log(exit._tag, String(exit.cause).split("\\n")[0])
`

/** A TypeScript app's use of both entries, and one line TypeScript refuses (a layer of the wrong service). */
const TYPES = `
import { Effect, Layer } from "effect"
import { Collector, MainLive, MovieRepository, TmdbClient, TmdbLive } from "tmdb-collector"
import { movieDetailsOf, MovieRepositoryTest, TmdbClientScripted, TmdbClientTest } from "tmdb-collector/testing"

const title = (id: number) => Effect.flatMap(TmdbClient, (tmdb) => tmdb.getMovieDetails(id)).pipe(Effect.map((m) => m.title))
export const live: Layer.Layer<TmdbClient, unknown> = TmdbLive()
export const faked: Effect.Effect<string> = title(550).pipe(
  Effect.provide(TmdbClientTest({ getMovieDetails: (id) => Effect.succeed(movieDetailsOf({ tmdbId: id, title: "Fight Club" })) })),
  Effect.orDie
)
export const scripted = title(550).pipe(Effect.provide(TmdbClientScripted(() => ({ status: 200, body: { id: 550, title: "Fight Club" } })).layer))
export const stored = Effect.flatMap(MovieRepository, (repo) => repo.upsertDiscovered([], "2026-01-01T00:00:00.000Z")).pipe(Effect.provide(MovieRepositoryTest))
export const collected = Collector.run({ startYear: 2020, endYear: 2020 }).pipe(Effect.provide(MainLive({ target: "movies.sqlite" })))
export const wrong: Layer.Layer<MovieRepository> = TmdbLive()
`

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    noEmit: true,
    types: []
  },
  files: ["types.ts"]
}

/** The errors `tsc` (at `tsc`) finds in `app` checking TYPES with skipLibCheck: false, one line each. */
export const typeErrors = async (app: string, tsc: string) => {
  fs.writeFileSync(path.join(app, "types.ts"), TYPES)
  fs.writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify(TSCONFIG))
  const out = await run(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], app).then(
    () => "",
    (e: { stdout?: string }) => String(e.stdout ?? e)
  )
  return out.split("\n").filter((l) => / error TS\d+/.test(l))
}

/**
 * Runs `cmd` in `cwd`: its stdout, once it exited 0. The environment is this process's without
 * vitest's own variables, so the app's vitest runs as it would on its own, and without colours.
 */
export const run = async (cmd: string, args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) => {
  const own = (k: string) => k.startsWith("VITEST") || ["NODE_ENV", "TEST", "FORCE_COLOR"].includes(k)
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !own(k)))
  return (await promisify(execFile)(cmd, [...args], { cwd, env: { ...base, NO_COLOR: "1", ...env }, encoding: "utf8", timeout: 240_000 })).stdout
}
