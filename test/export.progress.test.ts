import { describe, expect, it } from "vitest"
import { exportProgress, summaryLine } from "../scripts/ExportProgress.js"

// What `npm run export` says while it runs and when it is done, on a terminal and in a log.

const stream = (isTTY: boolean) => {
  const written: Array<string> = []
  return { written, out: { isTTY, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream }
}

describe("export progress", () => {
  it("in a log: a line per interval naming the file and its rows; nothing more often", () => {
    const log = stream(false)
    const progress = exportProgress(log.out, 0)
    progress.report("movies", 5_000)
    progress.report("movie_cast", 1_250_000)
    progress.stop()
    expect(log.written).toEqual(["exporting movies: 5,000 rows  (0 s)\n", "exporting movie_cast: 1,250,000 rows  (0 s)\n"])
    const quiet = stream(false)
    const hourly = exportProgress(quiet.out, 3_600_000)
    hourly.report("movies", 5_000)
    expect(quiet.written).toEqual([])
  })

  it("on a terminal: one live line, rewritten in place, cleared at the end", () => {
    const tty = stream(true)
    const progress = exportProgress(tty.out, 0)
    progress.report("movies", 1)
    progress.report("movies", 2)
    progress.stop()
    expect(tty.written).toEqual(["\r\u001b[2Kexporting movies: 1 rows  (0 s)", "\r\u001b[2Kexporting movies: 2 rows  (0 s)", "\r\u001b[2K"])
    const silent = stream(true)
    exportProgress(silent.out).stop()
    expect(silent.written).toEqual([])
  })

  it("the summary: movies, rows, folder, time and files; values written as NULL on a line of their own", () => {
    const written = { movies: 1_200, files: ["/o/movies.parquet", "/o/DICTIONARY.md"], rows: { movies: 1_200, movie_cast: 9_600 }, unreadable: {} }
    expect(summaryLine("/o", "parquet", written, 12_345)).toBe(
      "exported 1,200 movies and 10,800 rows in all to /o in 12.3 s (2 files: movies.parquet, DICTIONARY.md)"
    )
    expect(summaryLine("/o", "csv", { ...written, rows: {} }, 900)).toBe("exported 1,200 movies to /o in 0.9 s (2 files: movies.parquet, DICTIONARY.md)")
    expect(summaryLine("/o", "parquet", { ...written, unreadable: { "movies.release_date": 2, "people.birthday": 1 } }, 1_000).split("\n")[1]).toBe(
      "3 stored values were not valid for their column's type and were written as NULL: movies.release_date 2, people.birthday 1"
    )
  })
})
