// The defaults the CLI's help states, each defined once. This file imports nothing, so the CLI
// can show them before its flags are valid without loading a single service (the run's modules
// load only then: scripts/Cli.ts).

/** PostgreSQL: how long a collector's claims outlive its last heartbeat before others take them over. */
export const DEFAULT_LEASE_SECONDS = 30

/** Details older than this many days are fetched again. */
export const DEFAULT_STALE_AFTER_DAYS = 90

/** Sustained request rate of the client's token bucket, when neither a flag nor TMDB_RPS sets it. */
export const DEFAULT_REQUESTS_PER_SECOND = 4

/** Token bucket capacity, when neither a flag nor TMDB_BURST sets it. */
export const DEFAULT_BURST = 4

/**
 * Requests in flight at most, when neither a flag nor TMDB_MAX_CONCURRENT sets it: half of the
 * 20 connections per IP that TMDB's CDN allows (https://www.themoviedb.org/talk/62c7c1b258361b005fd2e747).
 */
export const DEFAULT_MAX_CONCURRENT = 10
