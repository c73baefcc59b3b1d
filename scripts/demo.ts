// `npm run demo`: the whole product, offline. Starts the TMDB sandbox on a free port, runs the
// real CLI against it into ./data/demo.sqlite, then queries the result. What it collects is
// sandbox/Demo.ts's, which README "Explore the data" and test/demo.data.test.ts read too.
import Database from "better-sqlite3"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { DEMO, demoSandbox } from "../sandbox/Demo.js"
import { startSandbox } from "../sandbox/index.js"

const root = path.resolve(import.meta.dirname, "..")
const db = path.join(root, DEMO.database)
const years = ["--start-year", String(DEMO.startYear), "--end-year", String(DEMO.endYear)]

const sandbox = await startSandbox(demoSandbox)
process.stderr.write(`TMDB sandbox listening at ${sandbox.baseUrl}\n`)
fs.mkdirSync(path.dirname(db), { recursive: true })

const code = await new Promise<number>((resolve) => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(root, "scripts", "collect.ts"), ...years, "--rps", "20", "--burst", "10", "--db", db],
    {
      stdio: "inherit",
      env: { ...process.env, TMDB_API_KEY: sandbox.options.apiKey ?? "sandbox-api-key", TMDB_BASE_URL: sandbox.baseUrl }
    }
  )
  child.on("exit", (c, signal) => resolve(c ?? (signal !== null ? 130 : 1)))
})
await sandbox.close()

if (fs.existsSync(db)) {
  const sqlite = new Database(db, { readonly: true })
  const query = `SELECT substr(release_date, 1, 4) AS year, count(*) AS movies,
       round(avg(runtime)) AS avg_runtime, sum(budget IS NOT NULL) AS with_budget,
       printf('%.1f', max(revenue) / 1e6) AS top_revenue_musd
  FROM movies WHERE details_fetched_at IS NOT NULL GROUP BY year ORDER BY year`
  console.log(`\nDatabase: ${path.relative(process.cwd(), db)}\n\n${query}\n`)
  console.table(sqlite.prepare(query).all())
  // Cast and crew came in the same request as each movie (append_to_response). TMDB holds junk
  // budgets such as 5 dollars (sandbox/fixtures/movie-latest-1236474-*), hence the floor.
  const overview = `SELECT year, title, directors, top_cast, round(revenue_to_budget, 1) AS times_budget
  FROM movie_overview WHERE revenue_to_budget IS NOT NULL AND budget >= 100000 ORDER BY revenue_to_budget DESC LIMIT 5`
  console.log(`\n${overview}\n`)
  console.table(sqlite.prepare(overview).all())
  // Each franchise and studio is a record of its own too, one request each (README "The film world around each movie").
  const franchises = `SELECT c.name AS collection, count(*) AS films, printf('%.1f', sum(m.revenue) / 1e6) AS revenue_musd
  FROM collections c JOIN collection_parts p ON p.collection_id = c.collection_id JOIN movies m ON m.tmdb_id = p.tmdb_id
  GROUP BY c.collection_id ORDER BY films DESC, sum(m.revenue) DESC LIMIT 5`
  console.log(`\n${franchises}\n`)
  console.table(sqlite.prepare(franchises).all())
  const failures = sqlite.prepare("SELECT kind, count(*) AS movies FROM fetch_failures GROUP BY kind").all()
  if (failures.length > 0) {
    console.log("Recorded failures (table fetch_failures):")
    console.table(failures)
  }
  sqlite.close()
  console.log(`\nExplore it: sqlite3 ${DEMO.database}, pandas or R (README "Explore the data"); add --people to a collect for cast and crew as records.`)
}
process.exit(code)
