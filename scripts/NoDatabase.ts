import * as fs from "node:fs"
import * as nodePath from "node:path"

// `npm run export` without `--db` reads ./data/movies.sqlite, which `npm run collect` writes;
// after `npm run demo` there is ./data/demo.sqlite instead. A missing default database gets a
// line that names the databases beside it, or the flag to pass.

/** The SQLite files (`*.sqlite`) in the folder of `missing`, as paths written the way it is (`./data/demo.sqlite`). */
export const databasesBeside = (missing: string): ReadonlyArray<string> => {
  const dir = nodePath.dirname(missing)
  try {
    return fs.readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".sqlite"))
      .map((entry) => `${dir}/${entry.name}`)
      .sort()
  } catch {
    return [] // no such folder
  }
}

/** The line for a default database `missing` that is not there, given the databases `found` beside it. */
export const noDefaultDatabase = (missing: string, found: ReadonlyArray<string>): string => {
  if (found.length === 1) return `no database at ${missing}; ${found[0]} is there: pass --db ${found[0]}`
  if (found.length > 1) return `no database at ${missing}; pass --db with one of ${found.join(", ")}`
  return `no database at ${missing}: pass --db PATH|URL (a SQLite file or a postgres:// URL), or set TMDB_DATABASE_URL`
}
