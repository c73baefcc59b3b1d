import type { SqlError } from "@effect/sql/SqlError"
import { stringify } from "csv-stringify"
import { Effect, Exit, type ParseResult } from "effect"
import { once } from "node:events"
import * as fs from "node:fs"
import { Transform } from "node:stream"
import { pipeline } from "node:stream/promises"
import type { DatabaseError } from "../../src/Database.js"
import { DatasetError, type ExportFormat } from "../../src/Dataset.js"

// The files an export writes, each through a stream with backpressure into `<file>.partial`,
// renamed only once every file is complete: a failed or interrupted export leaves nothing half-written.

/** Our own rows failing their schemas is a bug (a defect); a database failure is a DatabaseError. */
export type OrFail = <A>(effect: Effect.Effect<A, SqlError | ParseResult.ParseError>) => Effect.Effect<A, DatabaseError>

/** The first line of a Node error, e.g. `EACCES: permission denied`, without the path it repeats. */
export const reason = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause)).split(/,|\n/)[0]!.trim()

/** One output file: records go through the encoder into `<file>.partial`, renamed when complete. */
export interface Output<A> {
  readonly file: string
  readonly partial: string
  readonly encoder: Transform
  readonly out: fs.WriteStream
  readonly done: Promise<void>
  readonly encode: (record: A) => unknown
}

const jsonLines = () =>
  new Transform({
    writableObjectMode: true,
    transform: (record, _encoding, callback) => callback(null, `${JSON.stringify(record)}\n`)
  })

/** Opens `<file>.partial`: a CSV with its header (written even when no row follows), or JSON Lines of the records as they are. */
export const openOutput = <A>(file: string, format: ExportFormat, columns: ReadonlyArray<string>, cells: (record: A) => Array<string>) =>
  Effect.acquireRelease(
    Effect.try({
      try: (): Output<A> => {
        const partial = `${file}.partial`
        const out = fs.createWriteStream(partial, { fd: fs.openSync(partial, "w") })
        const encoder = format === "csv" ? stringify({ header: true, columns: [...columns] }) : jsonLines()
        const done = pipeline(encoder, out)
        // Awaited by `write` and `finish`; this only keeps an early failure from going unhandled.
        done.catch(() => undefined)
        return { file, partial, encoder, out, done, encode: format === "csv" ? cells : (record) => record }
      },
      catch: (cause) => new DatasetError({ path: file, message: `cannot write ${file}: ${reason(cause)}` })
    }),
    // A failed or interrupted export leaves no half-written file behind.
    (output, exit) =>
      Exit.isSuccess(exit) ? Effect.void : Effect.promise(async () => {
        output.encoder.destroy()
        output.out.destroy()
        if (!output.out.closed) await once(output.out, "close").catch(() => undefined)
        fs.rmSync(output.partial, { force: true })
      })
  )

export const failedWriting = (output: { readonly file: string }) => (cause: unknown) =>
  new DatasetError({ path: output.file, message: `cannot write ${output.file}: ${reason(cause)}` })

/** Writes one record, and waits while the file is behind (backpressure). */
export const write = <A>(output: Output<A>, record: A): Effect.Effect<void, DatasetError> =>
  output.encoder.write(output.encode(record)) ? Effect.void : Effect.tryPromise({
    // `once` also rejects on the encoder's 'error', which the pipeline raises when the file fails.
    try: (signal) => output.encoder.destroyed ? output.done : once(output.encoder, "drain", { signal }).then(() => undefined),
    catch: failedWriting(output)
  })

/** Ends the file and waits until all of it is on disk, still as `.partial`. */
export const finish = <A>(output: Output<A>): Effect.Effect<void, DatasetError> =>
  Effect.tryPromise({
    try: () => {
      output.encoder.end()
      return output.done
    },
    catch: failedWriting(output)
  })

/** Renames a finished `.partial` to its file, replacing one a previous export left. */
export const publish = (output: { readonly file: string; readonly partial: string }): Effect.Effect<void, DatasetError> =>
  Effect.try({ try: () => fs.renameSync(output.partial, output.file), catch: failedWriting(output) })

/**
 * Creates the folder, or takes an empty one. A folder that holds anything is refused: files of
 * another export (or of anything else) would sit beside these as if they belonged together.
 */
export const makeFolder = (dir: string): Effect.Effect<void, DatasetError> =>
  Effect.try({
    try: () => {
      const stat = fs.statSync(dir, { throwIfNoEntry: false })
      if (stat === undefined) return void fs.mkdirSync(dir, { recursive: true })
      if (!stat.isDirectory()) return `${dir} is not a folder`
      const held = fs.readdirSync(dir).sort()
      if (held.length === 0) return undefined
      const named = held.length > 3 ? `${held.slice(0, 3).join(", ")} and ${held.length - 3} more` : held.join(", ")
      const files = held.length === 1 ? "a file" : `${held.length} files`
      // Only a process that could not clean up (killed, or out of memory) leaves these alone.
      if (held.every((name) => name.endsWith(".partial"))) {
        return `${dir} holds ${files} an export left unfinished (${named}): delete them, or export into a new folder`
      }
      return `${dir} already holds ${files} (${named}): export into a new or empty folder`
    },
    catch: (cause) => new DatasetError({ path: dir, message: `cannot create the folder ${dir}: ${reason(cause)}` })
  }).pipe(Effect.flatMap((problem) => (problem === undefined ? Effect.void : Effect.fail(new DatasetError({ path: dir, message: problem })))))
