import type { Codes, ColumnDoc } from "./Types.js"

// What several tables of the dictionary say alike: TMDB's codes, and the columns the collector
// keeps on every kind of record (movies, collections, companies, people).

export const COLLECTOR = "the collector"

/** TMDB's `gender` codes (https://developer.themoviedb.org/reference/person-details); its 0, "not set", is stored as NULL. */
export const GENDER: Codes = [["NULL", "not set (TMDB's 0)"], ["1", "female"], ["2", "male"], ["3", "non-binary"]]

/** The `source` of a column read from a TMDB response: the request and the field. */
export const tmdb = (request: string, field: string) => `TMDB \`${request}\` \`${field}\``

/** An image path: TMDB serves it at a base URL and a size from `/configuration` (https://developer.themoviedb.org/docs/image-basics). */
export const imagePath = (name: string, what: string, request: string): ColumnDoc => ({
  name,
  type: "string",
  meaning: `The ${what} image's path, after \`https://image.tmdb.org/t/p/<size>\` (sizes: \`/configuration\`, e.g. \`w500\`); NULL when none`,
  source: tmdb(request, name)
})

/** A column TMDB sends as `""` (or `null`) when it knows nothing, stored as NULL. */
export const textOrNull = (name: string, what: string, request: string): ColumnDoc => ({
  name,
  type: "string",
  meaning: `${what}; NULL when TMDB sends \`""\`, \`null\` or nothing`,
  source: tmdb(request, name)
})

/** TMDB's id of a record, as a table that names the record holds it; `more` says what it is to the table. */
export const tmdbId = (name: string, record: string, more: string, request: string, field = "id"): ColumnDoc => ({
  name,
  type: "int32",
  meaning: `TMDB's id of the ${record}${more}`,
  source: tmdb(request, field)
})

/** When the record's latest details response was stored. */
export const detailsFetchedAt = (record: string, request: string): ColumnDoc => ({
  name: "details_fetched_at",
  type: "timestamp",
  meaning: `When the ${record}'s latest \`${request}\` response was stored; NULL until one was. A row without it holds only what the ${
    record === "movie" ? "discover pages or the daily export" : "movies naming it and the daily export"
  } gave`,
  source: COLLECTOR
})

/** TMDB answered 404 for it: recorded, never applied (README "Keeping the catalogue fresh"). */
export const removedAt = (record: string): ColumnDoc => ({
  name: "removed_at",
  type: "timestamp",
  meaning: `When TMDB first answered 404 for the ${record}; NULL while TMDB serves it. The row and its data stay`,
  source: `${COLLECTOR} (TMDB's 404)`
})

/** The latest daily ID export (https://developer.themoviedb.org/docs/daily-id-exports) that listed it. */
export const exportedOn = (file: string): ColumnDoc => ({
  name: "exported_on",
  type: "date",
  meaning: `Day of the latest daily ID export that listed it (read with \`--all\`); NULL when none has`,
  source: `TMDB daily ID export \`${file}_MM_DD_YYYY.json.gz\``
})

/** Its details are stale since this instant: a changes feed listed it, or (collections) its parts changed. */
export const changedAt = (meaning: string, source: string): ColumnDoc => ({ name: "changed_at", type: "timestamp", meaning, source })

/** What a changes feed's `changed_at` means: changes carry days, not times. */
export const listedChanged = (feed: string) =>
  `End of the latest \`${feed}\` window that listed it (the feed carries days, not times); details fetched before it are stale and fetched again`
