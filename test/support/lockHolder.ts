import { Effect } from "effect"
import { acquireCollectorLock } from "../../layers/Lock.js"

// Takes the collector lock on argv[2], says "locked" on stdout, and holds it until killed.
const db = process.argv[2]!
Effect.runFork(
  Effect.scoped(acquireCollectorLock(db).pipe(Effect.andThen(Effect.sync(() => process.stdout.write("locked\n"))), Effect.andThen(Effect.never)))
)
