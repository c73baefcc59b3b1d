import { ConfigProvider, Effect, Either, Exit, Layer, Logger, Redacted } from "effect"
import { MainLive, RenormalizeLive } from "../../layers/Main.js"
import type { Sandbox } from "../../sandbox/index.js"
import { Collector } from "../../services/Collector.js"
import { MovieRepository } from "../../services/MovieRepository.js"
import type { CollectionOptions, CollectionSummary } from "../../src/Collection.js"
import type { TmdbClientOptions } from "../../src/Config.js"
import { databaseTarget } from "../../src/Database.js"

// The workflow in this process, composed as the CLI composes it (scripts/Run.ts): `Collector.run`
// over `MainLive`, against the in-process sandbox. No process start, no bundle: a test whose
// subject is what gets stored pays only for the run itself. Settings come from here alone,
// never from the machine's environment.

export interface RunSettings {
  /** The CLI's --rps, --burst, --concurrency, and the client's timeout and retries. */
  readonly client?: TmdbClientOptions | undefined
  /** --lease-seconds (PostgreSQL). */
  readonly leaseSeconds?: number | undefined
  /** --redis: a budget shared with every collector on it. */
  readonly redis?: string | undefined
  /** Environment variables the run sees (TMDB_FILES_URL is the sandbox's unless given). */
  readonly env?: Record<string, string> | undefined
  /** Receives each line the run logs (the CLI prints them on stderr). */
  readonly log?: ((line: string) => void) | undefined
}

const FAST: TmdbClientOptions = { requestsPerSecond: 400, burst: 40 }

/** `db` is a SQLite path or a postgres:// URL, as --db takes it. */
const targetOf = (db: string) => Either.getOrThrowWith(databaseTarget(db), (e) => e)

const environment = (s: Sandbox, settings: RunSettings) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ TMDB_FILES_URL: s.filesUrl, ...settings.env }))))

const logTo = (log: RunSettings["log"]) =>
  log === undefined
    ? Logger.remove(Logger.defaultLogger)
    : Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => log([message].flat().map(String).join(" "))))

/** One collection run against the sandbox, to its end: its summary, or its failure. */
const collectExit = (s: Sandbox, db: string, options: CollectionOptions, settings: RunSettings = {}) =>
  Effect.runPromiseExit(
    Collector.run(options).pipe(
      Effect.provide(MainLive({
        target: targetOf(db),
        leaseSeconds: settings.leaseSeconds,
        redis: settings.redis,
        client: {
          credentials: { _tag: "ApiKey", key: Redacted.make(s.options.apiKey ?? "sandbox-api-key") },
          baseUrl: s.baseUrl,
          ...FAST,
          ...settings.client
        }
      })),
      Effect.provide(logTo(settings.log)),
      environment(s, settings)
    )
  )

/** One collection run that must succeed: its summary, as `--json` prints it. */
export const collect = async (s: Sandbox, db: string, options: CollectionOptions, settings: RunSettings = {}): Promise<CollectionSummary> => {
  const exit = await collectExit(s, db, options, settings)
  if (Exit.isFailure(exit)) throw new Error(`the run failed: ${String(exit.cause)}`)
  return exit.value
}

/** `--renormalize` in this process: every derived table rebuilt from the stored payloads, with no TMDB at all. */
export const renormalize = (db: string) =>
  Effect.runPromise(
    Effect.flatMap(MovieRepository, (repo) => repo.renormalize()).pipe(
      Effect.provide(Layer.merge(RenormalizeLive(targetOf(db)), Logger.remove(Logger.defaultLogger)))
    )
  )
