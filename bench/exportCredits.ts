import Database from "better-sqlite3"
import { mulberry32 } from "../sandbox/Random.js"
import { CREDIT_COLUMNS, creditRows, linkedCounts, movieIds } from "./exportRows.js"
import { type CreditStats, inserter, streams, type Value } from "./exportStore.js"

// The cast and crew of the export benchmark's store, written by bench/exportStore.ts's own
// process while it writes the rest: into a new database <file> with <schema> (the two tables'
// and their indexes' SQL, as JSON), for <movies> movies of <seed>. Prints a CreditStats as JSON.

const [file, movies, seed, schema] = process.argv.slice(2) as [string, string, string, string]
const n = Number(movies)
const seeds = streams(Number(seed))
const statements = JSON.parse(schema) as Array<string>
const db = new Database(file)
db.pragma("journal_mode = OFF")
db.pragma("synchronous = OFF")
db.pragma("cache_size = -200000")
for (const sql of statements.filter((s) => s.startsWith("CREATE TABLE"))) db.exec(sql)

const tables = { movie_cast: inserter(db, "movie_cast", CREDIT_COLUMNS.movie_cast), movie_crew: inserter(db, "movie_crew", CREDIT_COLUMNS.movie_crew) }
const r = mulberry32(seeds.credits)
const counts = linkedCounts(n)
const ids = movieIds(seeds.ids, n)
let cast = 0
let largestCast = 0
let castOf100 = 0
const add = (table: keyof typeof tables, row: Array<Value>) => {
  if (table === "movie_cast") cast++
  tables[table].add(row)
}
for (let from = 0; from < n; from += 20_000) {
  db.exec("BEGIN")
  for (let i = from; i < Math.min(n, from + 20_000); i++) {
    cast = 0
    creditRows(r, counts, ids[i]!, add)
    largestCast = Math.max(largestCast, cast)
    if (cast >= 100) castOf100++
  }
  for (const t of Object.values(tables)) t.flush()
  db.exec("COMMIT")
}
for (const sql of statements.filter((s) => s.startsWith("CREATE INDEX"))) db.exec(sql)
db.close()
const stats: CreditStats = { rows: { movie_cast: tables.movie_cast.rows(), movie_crew: tables.movie_crew.rows() }, largestCast, castOf100 }
process.stdout.write(`${JSON.stringify(stats)}\n`)
