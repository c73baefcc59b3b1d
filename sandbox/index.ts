import { Effect } from "effect"
import type { Scope } from "effect"
import type { SandboxOptions } from "./Options.js"
import { startSandbox } from "./Server.js"
import type { Sandbox } from "./Server.js"

export { generateCatalogue } from "./Catalogue.js"
export type { CatalogueConfig, CatalogueMovie, DiscoverItem, WireDetails } from "./Catalogue.js"
export type { SandboxCounters } from "./Counters.js"
export { exportFileName } from "./Exports.js"
export type { ExportKind, LinkedExportKind } from "./Exports.js"
export { normalizeDetails } from "./GroundTruth.js"
export type { DiscoveredFields, ExpectedFailure, ExportTruthFilter, GroundTruthEntry, GroundTruthQuery, NormalizedDetails } from "./GroundTruth.js"
export type { CollectionTruth, CompanyTruth, LinkedIds, PersonTruth } from "./LinkedTruth.js"
export type { SandboxExports, SandboxFaults, SandboxOptions, SandboxRateLimit, SandboxRoutes } from "./Options.js"
export { richTruthFor, richTruthOf } from "./RichTruth.js"
export type { CastRow, CompanyRow, CountryRow, CrewRow, GenreRow, KeywordRow, LanguageRow, ReleaseDateRow, RichMovieColumns, RichTruth } from "./RichTruth.js"
export { startSandbox } from "./Server.js"
export type { Sandbox } from "./Server.js"
export type { AdvanceResult, AdvanceSpec } from "./Timeline.js"
export { validateOptions } from "./ValidateOptions.js"

/** The sandbox as a scoped resource: acquired when the scope opens, closed when it closes. */
export const sandboxScoped = (options?: SandboxOptions): Effect.Effect<Sandbox, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startSandbox(options)),
    (sandbox) => Effect.promise(() => sandbox.close())
  )
