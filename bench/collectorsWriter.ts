import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { MovieRepository } from "../services/MovieRepository.js"
import { BATCH } from "./collectorsCommon.js"
import { type BenchDb, decodeRich, repositoryWriter, richBodies } from "./collectorsPg.js"

// One of the concurrent writers of benchmark 7 (bench/collectorsConcurrent.ts), in its own process
// as a collector is: `count` rich movies, ids moved by `offset`, decoded before it says it is ready,
// then written through MovieRepository.saveOutcomes in batches of BATCH once `<dir>/go` appears.
// Prints one JSON line: when it started and ended writing (epoch ms).

interface Config {
  readonly db: BenchDb
  readonly count: number
  readonly offset: number
  readonly dir: string
  readonly index: number
}

const config = JSON.parse(process.argv[2] ?? "{}") as Config
const movies = decodeRich(richBodies(config.count), config.offset)
const epoch = () => performance.timeOrigin + performance.now()

const program = Effect.gen(function*() {
  const repo = yield* MovieRepository
  // The pool is open and the schema checked: ready.
  fs.writeFileSync(path.join(config.dir, `ready-${config.index}`), "")
  while (!fs.existsSync(path.join(config.dir, "go"))) yield* Effect.sleep(2)
  const at = new Date().toISOString()
  const start = epoch()
  for (let i = 0; i < movies.length; i += BATCH) yield* repo.saveOutcomes(movies.slice(i, i + BATCH), [], at)
  return { start, end: epoch(), movies: movies.length }
})

Effect.runPromise(program.pipe(Effect.provide(Layer.fresh(repositoryWriter(config.db))))).then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`)
    process.exit(0)
  },
  (error: unknown) => {
    process.stderr.write(`writer ${config.index}: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
    process.exit(1)
  }
)
