import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit } from "effect"
import * as fs from "node:fs"
import { main } from "./Cli.js"
import { ExitCode, exitCodeOf, INTERRUPTED } from "./Outcome.js"
import { betweenRuns } from "./Sleeping.js"

// A terminal's Ctrl-C reaches every process in the foreground group, and the wrappers relay it
// too (npm to tsx, tsx to this process). tsx's wrapper SIGKILLs a child that has not acknowledged
// a relayed signal within 30 ms, twice over, and the clean-up after a signal runs 60-80 ms without
// yielding to the event loop; its preflight also exits at once on a signal that nobody listens to,
// and the runtime listens for the first only. So the hint is written synchronously the moment the
// first signal arrives, and this listener stays to the end. A signal more than a second later is
// a person pressing again: quit at once. `--watch` asleep between runs exits 0 at once.
let running = true
let firstSignalAt: number | undefined
// `--watch` asleep between runs: nothing is open, nothing to save; the runtime's interruption
// ends the sleep at once (and lets telemetry flush), and the exit is 0.
let stoppedAsleep = false
const onSignal = () => {
  if (!running) return
  if (firstSignalAt === undefined && betweenRuns.sleeping) {
    stoppedAsleep = true
    firstSignalAt = Date.now()
    fs.writeSync(2, "Stopped between runs.\n")
    return
  }
  if (firstSignalAt === undefined) {
    firstSignalAt = Date.now()
    // A live progress line has no newline yet.
    fs.writeSync(2, `${process.stderr.isTTY ? "\n" : ""}${INTERRUPTED}\n`)
  } else if (Date.now() - firstSignalAt > 1_000) {
    process.exit(ExitCode.interrupted)
  }
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)

// Without OTEL_EXPORTER_OTLP_ENDPOINT the CLI installs no tracer, so its spans would go nowhere;
// building them cost about a tenth of the client's CPU per request (measured in-process). With it,
// the spans and metrics go there (layers/Telemetry.ts, loaded only then). A library user's own
// tracer still sees the spans of `TmdbClient`, `Collector` and `MovieRepository`.
const program = main(process.argv, process.env["TMDB_LOG_LEVEL"])
const endpoint = (process.env["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "").trim()
const observed = endpoint === ""
  ? Effect.withTracerEnabled(program, false)
  : Effect.flatMap(Effect.promise(() => import("../layers/Telemetry.js")), ({ TelemetryLive }) =>
    Effect.provide(
      program,
      TelemetryLive({ endpoint, headers: process.env["OTEL_EXPORTER_OTLP_HEADERS"], serviceName: process.env["OTEL_SERVICE_NAME"] })
    ))

NodeRuntime.runMain(observed, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    running = false
    const result = exit as Exit.Exit<number, unknown>
    onExit(Exit.isSuccess(result) ? result.value : stoppedAsleep && Cause.isInterruptedOnly(result.cause) ? ExitCode.ok : exitCodeOf(result))
  }
})
