// Plain node: `TMDB_API_KEY=... node main.js 550` prints the movie's label.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect } from "effect"
import { TmdbLive } from "tmdb-collector"
import { label } from "./app.js"

const id = Number(process.argv[2] ?? "550")
NodeRuntime.runMain(label(id).pipe(Effect.flatMap(Console.log), Effect.provide(TmdbLive())))
