import { describe, expect, it } from "vitest"
import type { Sandbox } from "../sandbox/index.js"
import { WITH_PEOPLE } from "../src/kinds/Kinds.js"
import { sleep, startCli } from "./support/cli.js"
import { expectLinkedTruth, readLinkedPg } from "./support/linked.js"
import { cliEnv, sandboxes } from "./support/sandbox.js"
import { connect, databases, requireServer } from "./support/services.js"
import { collect } from "./support/workflow.js"

// Collections, companies and people among collectors sharing one PostgreSQL database: claimed
// and leased as movie details are, so none is fetched twice, and one collector killed loses
// nothing. Collectors run in this process as the CLI composes them; the one killed is a real CLI.

const pgUp = await requireServer("PostgreSQL", "the linked records among collectors")
const sandbox = sandboxes()
const database = databases()
const YEARS = { startYear: 2019, endYear: 2020 }
const catalogue = { catalogue: { seed: 23, startYear: 2018, endYear: 2021, perYear: 40 } }

/** Records of a kind TMDB served more than once, over all the collectors. */
const servedTwice = (s: Sandbox, endpoint: string, distinct: number) => (s.counters.byEndpoint[endpoint] ?? 0) - distinct

describe.skipIf(!pgUp)("collections, companies and people among collectors on PostgreSQL", () => {
  it("three collectors with --people fetch each collection, company and person once, and the store equals TMDB", async () => {
    const s = await sandbox({ ...catalogue, latencyMs: 5, rateLimit: { rps: 300, burst: 30 } })
    const { url } = await database("linked_three")
    const started = Date.now()
    const runs = await Promise.all([0, 1, 2].map(() => collect(s, url, { ...YEARS, kinds: WITH_PEOPLE }, { client: { requestsPerSecond: 90, burst: 10 } })))
    const seconds = (Date.now() - started) / 1000
    for (const r of runs) expect(r.complete).toBe(true)
    const stored = await readLinkedPg(url)
    const named = expectLinkedTruth(stored, s, true)
    expect(servedTwice(s, "collection", named.collections.length)).toBe(0)
    expect(servedTwice(s, "company", named.companies.length)).toBe(0)
    expect(servedTwice(s, "person", named.people.length)).toBe(0)
    expect(s.counters.rateLimited).toBe(0)
    // Each kind's work was shared: more than one collector fetched people.
    const people = runs.map((r) => r.kinds["person"]?.detailsFetched ?? 0)
    expect(people.reduce((a, b) => a + b, 0)).toBe(named.people.length)
    expect(people.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2)
    console.log(
      `[figure] linked, 3 collectors on PostgreSQL with --people: ${stored.movies.length} movies, ${named.collections.length} collections, ` +
        `${named.companies.length} companies, ${named.people.length} people (${people.join(" + ")}) in ${seconds.toFixed(1)} s, ` +
        `${s.counters.requests} requests, ${s.counters.rateLimited} x 429, 0 served twice`
    )
  })

  it("a collector killed while it fetches people: the others take over its claims, and nothing is lost", async () => {
    const s = await sandbox({ ...catalogue, latencyMs: 100, rateLimit: { rps: 400, burst: 40 } })
    const { url } = await database("linked_killed")
    const args = ["--start-year", "2019", "--end-year", "2020", "--people", "--rps", "60", "--burst", "10", "--lease-seconds", "3", "--db", url]
    const first = startCli(args, cliEnv(s))
    // Killed once it has stored some people and holds claims on others.
    const end = Date.now() + 60_000
    let fetching = false
    while (!fetching && Date.now() < end) {
      await sleep(50)
      const c = await connect(url)
      try {
        const held = await c.query(
          "SELECT (SELECT count(*) FROM people WHERE details_fetched_at IS NOT NULL) AS stored, (SELECT count(*) FROM person_leases) AS held"
        )
          .catch(() => ({ rows: [{ stored: 0, held: 0 }] }))
        fetching = Number(held.rows[0].stored) > 0 && Number(held.rows[0].held) > 0
      } finally {
        await c.end()
      }
    }
    expect(fetching).toBe(true)
    const others = Promise.all(
      [0, 1].map(() => collect(s, url, { ...YEARS, kinds: WITH_PEOPLE }, { client: { requestsPerSecond: 60, burst: 10 }, leaseSeconds: 3 }))
    )
    first.child.kill("SIGKILL")
    const [killed, survivors] = await Promise.all([first.done, others])
    expect(killed.signal).toBe("SIGKILL")
    for (const r of survivors) expect(r.complete).toBe(true)
    const stored = await readLinkedPg(url)
    const named = expectLinkedTruth(stored, s, true)
    // At most what the killed one had in flight is asked again.
    expect(servedTwice(s, "person", named.people.length)).toBeLessThanOrEqual(10)
    expect(stored.failures["person"]).toEqual([])
  })
})
