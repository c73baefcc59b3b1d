// The app's own logic, written against tmdb-collector's public API only.
import { Effect } from "effect"
import { TmdbClient } from "tmdb-collector"

/** "Title (year)", or "unknown" when TMDB has no such movie. */
export const label = (id) =>
  TmdbClient.pipe(
    Effect.flatMap((tmdb) => tmdb.getMovieDetails(id)),
    Effect.map((m) => `${m.title} (${m.releaseDate?.slice(0, 4) ?? "?"})`),
    Effect.catchTag("NotFoundError", () => Effect.succeed("unknown"))
  )
