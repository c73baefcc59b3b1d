import { SqlError } from "@effect/sql/SqlError"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Logger, TestClock } from "effect"
import { orFailWith } from "../services/movieRepository/Failures.js"
import { fromSqlite } from "../src/Database.js"

// A write meeting another connection's lock on a SQLite file is tried again, on the Effect
// clock, for up to 5 minutes (services/movieRepository/Failures.ts). Proven on TestClock.

const orFail = orFailWith((e) => fromSqlite("movies.sqlite", e))
const busy = new SqlError({ cause: Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }), message: "Failed to execute statement" })

/** A write that meets the lock `locked` times, then succeeds; and how many times it ran. */
const lockedWrite = (locked: number) => {
  const tries = { n: 0 }
  const write = Effect.suspend(() => (++tries.n <= locked ? Effect.fail(busy) : Effect.succeed("written")))
  return { tries, write: orFail(write) }
}

const collecting = (lines: Array<string>) => Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => void lines.push(String(message))))

describe("a write that meets another writer's lock", () => {
  it.effect("is tried again until the lock is let go, and says once that it waits", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const { tries, write } = lockedWrite(40)
      const fiber = yield* Effect.fork(write.pipe(Effect.provide(collecting(lines))))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toBe("written")
      expect(tries.n).toBe(41)
      expect(lines).toEqual(["database movies.sqlite is locked by another writer: waiting for it (up to 5 min)"])
    }))

  it.effect("gives up after 5 minutes, in one line", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const { tries, write } = lockedWrite(Number.POSITIVE_INFINITY)
      const fiber = yield* Effect.fork(Effect.exit(write.pipe(Effect.provide(collecting(lines)))))
      yield* TestClock.adjust("4 minutes")
      expect(fiber.unsafePoll()).toBeNull()
      const waiting = tries.n
      yield* TestClock.adjust("2 minutes")
      const exit = yield* Fiber.join(fiber)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : exit).toMatchObject({
        _tag: "DatabaseError",
        problem: "locked",
        message: "database movies.sqlite is locked by another writer: gave up after 5 min"
      })
      // About a try a second after the first few: waiting does not spin.
      expect(waiting).toBeGreaterThan(200)
      expect(tries.n - waiting).toBeLessThanOrEqual(61)
      expect(lines).toHaveLength(1)
    }))
})
