// tmdb-collector's test layers: fakes and in-memory stand-ins for an app's own tests, with no
// network, no disk and no real time.

export { type Script, scriptedHttp, type ScriptedResponse, type SeenRequest } from "./layers/TestHttp.js"
export { CollectorTest, MovieRepositoryTest, RateLimiterTest, TmdbClientScripted, TmdbClientTest } from "./layers/Testing.js"
export { SqlTest } from "./layers/TestSql.js"
