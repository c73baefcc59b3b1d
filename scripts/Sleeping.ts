// Whether `--watch` is asleep between runs, for the entry point's signal handler (./collect.ts): a
// signal then ends the process at once with exit 0, as nothing is open and nothing is lost. It is
// its own module so that the entry point reads it without loading the run's modules.

/** Set by ./Watch.ts while it sleeps. */
export const betweenRuns = { sleeping: false }
