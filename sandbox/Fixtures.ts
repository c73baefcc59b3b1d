import { readFileSync } from "node:fs"

// Real recorded TMDB responses (see fixtures/SOURCES.md), served byte for byte.

const dir = new URL("./fixtures/", import.meta.url)

/** Movie details fixtures that join the catalogue when `includeFixtures` is on. */
export const MOVIE_FIXTURE_FILES: ReadonlyArray<string> = [
  "movie-550-fight-club.json",
  "movie-14160-up.json",
  // Recorded with append_to_response=images, so its bytes carry an "images" key.
  "movie-383498-deadpool-2-append-images.json",
  "movie-latest-1236474-better-than-me.json",
  "movie-latest-346089-le-strelle-nel-fosso-vcr-2015-06.json",
  "movie-latest-381897-coba-adult-vcr-2016-02.json"
]

const cache = new Map<string, Buffer>()

export const fixtureBytes = (file: string): Buffer => {
  let bytes = cache.get(file)
  if (bytes === undefined) {
    bytes = readFileSync(new URL(file, dir))
    cache.set(file, bytes)
  }
  return bytes
}

export const fixtureJson = (file: string): Record<string, unknown> => JSON.parse(fixtureBytes(file).toString("utf8")) as Record<string, unknown>

/** The standalone /movie/{id}/{sub} fixtures (which carry an `id` key). */
export const SUB_FIXTURES: Readonly<Record<string, string>> = {
  "550/external_ids": "movie-550-external-ids.json"
}

export const CONFIGURATION_FIXTURE = "configuration-2024-01.json"
