import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { acquireCollectorLock } from "../layers/Lock.js"
import { root, tmpDir } from "./support/cli.js"

const tmpDb = () => path.join(tmpDir("lock-"), "movies.sqlite")

/** Takes the lock for the test's own process; returns the scope to release it with. */
const hold = (db: string) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    yield* Scope.extend(acquireCollectorLock(db), scope)
    return scope
  })

/** One synchronous attempt (no event-loop turn, so a killed child is not reaped meanwhile). */
const tryOnce = (db: string) => Effect.runSync(Effect.exit(Effect.scoped(acquireCollectorLock(db))))

const failure = (exit: Exit.Exit<unknown, unknown>) => Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The "locked" refusal; `owner` matches what the parentheses say, or undefined for none. */
const refusal = (db: string, owner?: string) =>
  expect.objectContaining({
    _tag: "DatabaseError",
    problem: "locked",
    message: expect.stringMatching(
      new RegExp(`^database ${escape(db)} is in use by another collector${owner === undefined ? "" : ` \\(${owner}\\)`}; wait for it to finish$`)
    )
  })

const ownedBy = (pid: number) => `pid ${pid}, started \\d{4}-\\d\\d-\\d\\dT[^)]+Z on [^)]+`

/** A child process (the real `acquireCollectorLock`) that holds the lock until killed. */
const holder = async (db: string): Promise<ChildProcess> => {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "test/support/lockHolder.ts"), db], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"]
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve())
    child.once("exit", (code) => reject(new Error(`lock holder exited with ${code}`)))
  })
  return child
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()))

/** Linux: the child is a zombie (every thread dead, so every file closed) and not yet reaped. */
const isZombie = (pid: number) => {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0]
    return state === "Z" && fs.readdirSync(`/proc/${pid}/task`).length === 1
  } catch {
    return false
  }
}

describe("collector lock", () => {
  it.effect("a second acquisition in the same process is refused at once, naming the first", () =>
    Effect.gen(function*() {
      const db = tmpDb()
      const first = yield* hold(db)
      const started = Date.now()
      const second = tryOnce(db)
      expect(Date.now() - started).toBeLessThan(500)
      expect(failure(second)).toEqual(refusal(db, ownedBy(process.pid)))
      yield* Scope.close(first, Exit.void)
      // Released: the owner note goes, the lock file stays (see Lock.ts), and the lock is free.
      expect(fs.existsSync(`${db}.lock.owner`)).toBe(false)
      expect(fs.existsSync(`${db}.lock`)).toBe(true)
      expect(Exit.isSuccess(tryOnce(db))).toBe(true)
    }))

  it.effect("an empty, a garbage, or an old-format pid `<db>.lock` (even a live pid) does not refuse", () =>
    Effect.gen(function*() {
      for (const content of ["", "garbage\u0000\u00ff".repeat(500), String(process.ppid), String(process.pid)]) {
        const db = tmpDb()
        fs.writeFileSync(`${db}.lock`, content)
        const scope = yield* hold(db)
        expect(failure(tryOnce(db))).toEqual(refusal(db, ownedBy(process.pid)))
        yield* Scope.close(scope, Exit.void)
        expect(Exit.isSuccess(tryOnce(db))).toBe(true)
      }
    }))

  it.effect("the owner note is informational: stale or empty, it never refuses nor names a wrong owner", () =>
    Effect.gen(function*() {
      const db = tmpDb()
      // A note left by a killed collector whose pid is alive again (here: our parent's pid).
      fs.writeFileSync(`${db}.lock.owner`, `pid ${process.ppid}, started 2020-01-01T00:00:00.000Z on elsewhere\n`)
      const scope = yield* hold(db)
      expect(fs.readFileSync(`${db}.lock.owner`, "utf8")).toMatch(new RegExp(`^pid ${process.pid}, `))
      // Emptied, or naming a pid that no longer exists: the refusal names nobody.
      for (const note of ["", "pid 2147483646, started 2020-01-01T00:00:00.000Z on elsewhere"]) {
        fs.writeFileSync(`${db}.lock.owner`, note)
        expect(failure(tryOnce(db))).toEqual(refusal(db))
      }
      fs.rmSync(`${db}.lock.owner`)
      expect(failure(tryOnce(db))).toEqual(refusal(db))
      yield* Scope.close(scope, Exit.void)
    }))

  it("another process holding the lock: refused naming it; SIGKILLed and reaped, the lock is free at once", async () => {
    const db = tmpDb()
    const child = await holder(db)
    expect(failure(tryOnce(db))).toEqual(refusal(db, ownedBy(child.pid!)))
    child.kill("SIGKILL")
    await exited(child)
    expect(Exit.isSuccess(tryOnce(db))).toBe(true)
  })

  it.runIf(process.platform === "linux")("a SIGKILLed child not yet reaped (a zombie) no longer holds the lock", async () => {
    const db = tmpDb()
    const child = await holder(db)
    child.kill("SIGKILL")
    // Synchronous from here on: Node reaps children only on an event-loop turn.
    const deadline = Date.now() + 5_000
    while (!isZombie(child.pid!)) if (Date.now() > deadline) throw new Error("the child did not become a zombie")
    const exit = tryOnce(db)
    expect(isZombie(child.pid!)).toBe(true)
    expect(Exit.isSuccess(exit)).toBe(true)
    await exited(child)
  })

  it("a `<db>.lock` that cannot be opened: one line, not a refusal", () => {
    const db = tmpDb()
    fs.mkdirSync(`${db}.lock`)
    expect(failure(tryOnce(db))).toEqual(expect.objectContaining({
      _tag: "DatabaseError",
      problem: "cannot_open",
      message: `cannot lock ${db}.lock: unable to open database file`
    }))
  })
})
