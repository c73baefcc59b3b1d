import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Effect, Layer } from "effect"

/** What a scripted handler sees of a request. */
export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly params: URLSearchParams
  readonly headers: Readonly<Record<string, string>>
  readonly url: string
}

export interface ScriptedResponse {
  readonly status?: number
  readonly body?: unknown
  readonly headers?: Record<string, string>
  /** Fail at the transport level instead of answering (e.g. a connection reset). */
  readonly transportError?: string
}

export type Script = (request: SeenRequest, n: number) => ScriptedResponse | Effect.Effect<ScriptedResponse>

/**
 * Never answers; fails as a transport does once `signal` aborts: what a hung server looks like to
 * a client whose timeout gave up (services/tmdbClient/Deadlines.ts aborts the request).
 */
export const abortedBy = (request: HttpClientRequest.HttpClientRequest, signal: AbortSignal) =>
  Effect.async<never, HttpClientError.RequestError>((resume) => {
    const onAbort = () => resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: signal.reason })))
    if (signal.aborted) return onAbort()
    signal.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", onAbort))
  })

/**
 * An HttpClient that answers from a script, with no network. `requests` records every request
 * it saw, in order. Build one per test: it is stateful.
 */
export const scriptedHttp = (script: Script) => {
  const requests: Array<SeenRequest> = []
  const client = HttpClient.make((request, url, signal) =>
    Effect.suspend(() => {
      const seen: SeenRequest = {
        method: request.method,
        path: url.pathname,
        params: url.searchParams,
        headers: request.headers,
        url: url.toString()
      }
      requests.push(seen)
      const answer = script(seen, requests.length)
      const answered = Effect.isEffect(answer) ? Effect.raceFirst(answer, abortedBy(request, signal)) : Effect.succeed(answer)
      return answered.pipe(
        Effect.flatMap((r) => {
          if (r.transportError !== undefined) {
            const cause = Object.assign(new Error(r.transportError), { code: r.transportError })
            return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
          }
          const body = typeof r.body === "string" ? r.body : JSON.stringify(r.body ?? {})
          const response = new Response(body, { status: r.status ?? 200, headers: r.headers ?? {} })
          return Effect.succeed(HttpClientResponse.fromWeb(request, response))
        })
      )
    })
  )
  return { layer: Layer.succeed(HttpClient.HttpClient, client), requests }
}
