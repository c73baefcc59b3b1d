import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Section } from "./collectorsCommon.js"
import { activeMs, type Databases, holdings, migrate } from "./collectorsPg.js"
import { type Ctx, fmtNum, range, root, round, sum } from "./helpers.js"
import { cliFailure, runCli, sleep, tmpDir } from "./processes.js"

// Part 2 of benchmark 7: concurrent writers, k processes (bench/collectorsWriter.ts), each its own
// repository and pool, into one database: what the database sustains when written in bulk.

const WRITER = path.join(root, "bench/collectorsWriter.ts")

const writers = async (ctx: Ctx, dbs: Databases, k: number, perWriter: number) => {
  const db = await dbs.fresh(`w${k}`)
  await migrate(db)
  const dir = tmpDir("collectors")
  ctx.log(`collectors: ${k} concurrent repository writer${k > 1 ? "s" : ""} of ${perWriter} movies each into one database`)
  const settled = range(k).map(() => false)
  const runs = range(k).map((index) =>
    runCli([JSON.stringify({ db, count: perWriter, offset: index * 1_000_000, dir, index })], {
      baseUrl: "",
      script: WRITER,
      nodeArgs: ["--import", "tsx"],
      timeoutMs: 240_000
    }).then((r) => {
      settled[index] = true
      return r
    })
  )
  // Every writer has decoded its movies and opened its pool: then all start at once.
  while (range(k).some((i) => !fs.existsSync(path.join(dir, `ready-${i}`)))) {
    if (settled.some((s) => s)) break
    await sleep(10)
  }
  fs.writeFileSync(path.join(dir, "go"), "")
  const results = await Promise.all(runs)
  results.forEach((r, i) => {
    if (r.code !== 0) throw cliFailure(`writer ${i + 1} of ${k}`, r)
  })
  const spans = results.map((r) => JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { start: number; end: number; movies: number })
  const wallMs = Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start))
  const active = await activeMs(db)
  const held = await holdings(db)
  await dbs.drop(db)
  if (held.withDetails !== k * perWriter) throw new Error(`${k} writers: ${held.withDetails} movies stored, expected ${k * perWriter}`)
  return {
    k,
    movies: k * perWriter,
    wallMs,
    rate: (k * perWriter * 1000) / wallMs,
    eachMs: spans.map((s) => s.end - s.start),
    activeMsPerMovie: active / (k * perWriter),
    cpuMsPerMovie: sum(results.map((r) => r.procCpuMs)) / (k * perWriter)
  }
}

/** 1 and then 4 writers; the best aggregate rate is the bulk rate the scale model compares with. */
export const concurrentWriters = async (ctx: Ctx, dbs: Databases, out: Section): Promise<{ readonly dbRate: number }> => {
  const { fig, details } = out
  const perWriter = ctx.quick ? 1_000 : 2_500
  const w1 = await writers(ctx, dbs, 1, perWriter)
  const w4 = await writers(ctx, dbs, 4, perWriter)
  ctx.log(`collectors: writers, 1: ${fmtNum(w1.rate)} movies/s, 4: ${fmtNum(w4.rate)} movies/s`)
  fig("writers1", `one repository writer process, movies/s (${fmtNum(perWriter)} movies)`, round(w1.rate, 0), "movies/s")
  fig(
    "writers4",
    `4 concurrent repository writer processes into one database, aggregate movies/s (${fmtNum(4 * perWriter)} movies)`,
    round(w4.rate, 0),
    "movies/s"
  )
  fig("writersGain", "4 writers ÷ 1 writer, aggregate movies/s", round(w4.rate / w1.rate), "×")
  details.push(
    `**Concurrent writers.** ${
      [w1, w4].map((w) =>
        `${w.k} writer${w.k > 1 ? "s" : ""}: ${fmtNum(w.movies)} movies in ${fmtNum(w.wallMs)} ms (each writer ${
          w.eachMs.map((ms) => fmtNum(ms)).join(", ")
        } ms), ${fmtNum(w.rate)} movies/s; server active ${fmtNum(w.activeMsPerMovie)} ms and writer CPU ${fmtNum(w.cpuMsPerMovie)} ms per movie`
      ).join("; ")
    }. The writers run on the same ${os.cpus().length} cores as PostgreSQL, so this is a lower bound on what the database sustains.`,
    ""
  )
  out.method.push(
    `Concurrent writers: 1 and then 4 processes (\`bench/collectorsWriter.ts\`, each its own repository and pool), ${fmtNum(perWriter)} movies each ` +
      "with their own ids, released together once all have decoded their movies; aggregate movies/s over first start to last end."
  )
  return { dbRate: Math.max(w1.rate, w4.rate) }
}
