import { setTimeout as delay } from 'node:timers/promises'
import { expect } from 'vitest'
import type { RawResponse } from './emulator.ts'

/** RFC 3339 in UTC as Rust's `time` crate prints it: fractional seconds only when non-zero, no trailing zeros. */
export const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z$/

/** Asserts an RFC 3339 UTC timestamp, optionally within [notBefore, notAfter] (ms, compared at ms precision). */
export function expectTimestamp(value: unknown, notBefore?: number, notAfter?: number): void {
  expect(value).toMatch(RFC3339_UTC)
  const ms = Date.parse(value as string)
  expect(Number.isNaN(ms)).toBe(false)
  if (notBefore !== undefined) expect(ms).toBeGreaterThanOrEqual(Math.floor(notBefore))
  if (notAfter !== undefined) expect(ms).toBeLessThanOrEqual(notAfter)
}

/** The message of the 400 `bad_json` for a body sent without `Content-Type: application/json`. */
export const EXPECTED_JSON = 'Expected request with `Content-Type: application/json`'

/** A single response header (node lower-cases names). */
export function header(res: RawResponse, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(', ') : value
}

/** Asserts a JSON success response: status, `Content-Type: application/json`, and returns the parsed body. */
export function expectJson(res: RawResponse, status: number): unknown {
  expect({ status: res.status, text: res.text }).toMatchObject({ status })
  expect(header(res, 'content-type')).toBe('application/json')
  expect(res.json).not.toBeUndefined()
  return res.json
}

/**
 * Asserts an S2 error response: status, JSON content type and a body of exactly `{code, message}`.
 * `message` may be an exact string or a pattern; omitted, any non-empty string is accepted.
 */
export function expectError(res: RawResponse, status: number, code: string, message?: string | RegExp): void {
  expect({ status: res.status, text: res.text }).toMatchObject({ status })
  expect(header(res, 'content-type')).toBe('application/json')
  const body = res.json as Record<string, unknown>
  expect(Object.keys(body).sort()).toEqual(['code', 'message'])
  expect(body.code).toBe(code)
  if (typeof message === 'string') expect(body.message).toBe(message)
  else if (message instanceof RegExp) expect(body.message).toMatch(message)
  else expect(typeof body.message === 'string' && body.message.length > 0).toBe(true)
}

/** Asserts a 202 with an empty body, as DELETE answers. */
export function expectAccepted(res: RawResponse): void {
  expect({ status: res.status, text: res.text }).toEqual({ status: 202, text: '' })
}

/** Polls `probe` until it returns true (a few ms apart), failing after `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await probe()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await delay(5)
  }
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function inParallel(n: number, task: (i: number) => Promise<void>, concurrency = 32): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < n) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
}

/** A short random lowercase tag for unique names. */
export function tag(): string {
  return Math.random().toString(36).slice(2, 8).padEnd(6, '0')
}

/** Fisher-Yates shuffle of a copy, so creation order never matches listing order by accident. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const a = copy[i] as T
    copy[i] = copy[j] as T
    copy[j] = a
  }
  return copy
}

/** A listing page of basins or streams, as the JSON API sends it. */
export type ListPage<K extends 'basins' | 'streams'> = { readonly [key in K]: readonly { readonly name: string }[] } & {
  readonly has_more: boolean
}

/**
 * Lists `count` pages in a row, each with `start_after` the last name of the page before ('' for the
 * first): returns each page's names and has_more.
 */
export async function pageThrough<K extends 'basins' | 'streams'>(
  count: number,
  key: K,
  list: (startAfter: string) => Promise<ListPage<K>>,
): Promise<[string[], boolean][]> {
  const pages: [string[], boolean][] = []
  let startAfter = ''
  for (let i = 0; i < count; i++) {
    const page = await list(startAfter)
    const names = page[key].map((item) => item.name)
    pages.push([names, page.has_more])
    startAfter = names.at(-1) ?? ''
  }
  return pages
}
