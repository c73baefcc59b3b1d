// tmdb-collector's public API, named one by one: compose `TmdbLive()` (or `TmdbClientLayer()`
// over your own HttpClient) into your Effect app and use `TmdbClient`; add `SqlLive(file)` and
// `MovieRepository.Default` to store, and `Collector.Default` for the whole workflow. Test
// layers are in `./testing.ts`.

// Services
export { Collector } from "./services/Collector.js"
export { Coordination, CoordinationLive, DEFAULT_LEASE_SECONDS, type Membership, type UnitState } from "./services/Coordination.js"
export {
  type FailureRecord,
  FailureRow,
  FinalRunStatus,
  MovieRepository,
  MovieRow,
  type RenormalizeSummary,
  RunRow,
  RunStatus,
  SelectionPolicy
} from "./services/MovieRepository.js"
export { type LimiterStats, RateLimiter } from "./services/RateLimiter.js"
export { SharedBudget } from "./services/SharedBudget.js"
export {
  type BatchOptions,
  type BatchResult,
  type ClientStats,
  type DetailsOptions,
  type DetailsOutcome,
  MAX_APPEND,
  TmdbClient
} from "./services/TmdbClient.js"
export { type ExportItem, type ExportsOptions, TmdbExports } from "./services/TmdbExports.js"

// Layers (SqlLive and PgLive are in tmdb-collector/sqlite and tmdb-collector/postgres)
export { MainLive, StoreLive } from "./layers/Main.js"
export { parseRedisUrl, RedisError, SharedBudgetRedis, type SharedBudgetRedisOptions } from "./layers/Redis.js"
export { DEFAULT_DB, MigrationsLive } from "./layers/Sql.js"
export { HttpLive, type SharedBudgetSetting, TmdbClientLayer, TmdbLive, TmdbSharedClientLayer } from "./layers/Tmdb.js"

// Options and results
export {
  DEFAULT_FILES_URL,
  ExportError,
  exportFileName,
  type ExportFilter,
  type ExportKind,
  type ExportLine,
  type ExportReport,
  parseExportLine
} from "./src/Catalogue.js"
export type { ChangesReport, CollectionOptions, CollectionProgress, CollectionSummary, KindSummary } from "./src/Collection.js"
export { apiKey, type Credentials, DEFAULT_BASE_URL, type LimiterOptions, readAccessToken, type TmdbClientOptions } from "./src/Config.js"
export type { InvalidItem } from "./src/Decode.js"
export type {
  DiscoverEvent,
  DiscoverIncompleteEvent,
  DiscoverOptions,
  DiscoverPageEvent,
  DiscoverPageFailedEvent,
  DiscoverResult,
  DiscoverTruncatedEvent,
  SortBy
} from "./src/Discover.js"
export type { DateWindow } from "./src/Windows.js"

// Records and their schemas
export {
  type CastMember,
  checkAppend,
  type Credits,
  type CrewMember,
  DEFAULT_APPEND,
  type ExternalIds,
  type Keyword,
  KNOWN_APPENDS,
  type Release,
  TYPED_APPENDS
} from "./src/Appended.js"
export { decodeDiscoverPage, decodeMovieDetails } from "./src/Decode.js"
export {
  type Company,
  type Country,
  type DiscoveredMovie,
  DiscoveredMovieFromWire,
  type Genre,
  type Language,
  type MovieDetails,
  MovieDetailsFromWire,
  movieDetailsOf,
  type MovieDetailsRecord
} from "./src/Movie.js"

// Kinds of record: what the Collector keeps (CollectionOptions.kinds), movies first
export { CollectionFromWire, collectionKind, type CollectionRecord } from "./src/kinds/Collection.js"
export { CompanyFromWire, companyKind, type CompanyRecord } from "./src/kinds/Company.js"
export { DEFAULT_KINDS, WITH_PEOPLE } from "./src/kinds/Kinds.js"
export { PersonFromWire, personKind, type PersonRecord } from "./src/kinds/Person.js"
export { movieKind } from "./src/MovieKind.js"
export { type AnyKind, type KindExport, type KindTables, type Listed, type RecordKind, recordKind } from "./src/RecordKind.js"

// Errors
export { DatabaseError, DatabaseErrorMapping, DatabaseProblem, type DatabaseTarget, databaseTarget, fromPostgres } from "./src/Database.js"
export {
  DecodeError,
  FailureKind,
  failureKind,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  type TmdbError,
  TransportError,
  UnauthorizedError
} from "./src/Errors.js"
