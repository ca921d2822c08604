import { redactJson } from '../cassette/redact.ts'
import type { JsonValue, RedactionRules, SseEventEntry } from '../cassette/types.ts'

/**
 * Server-Sent Events as S2 sends them (`event:`, `id:`, then `data:` lines, a blank line after
 * each event): split from a byte stream, stored decoded, and written back.
 */

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/

/** Splits a stream of bytes into event blocks (the text of each, without the blank line). */
export class SseSplitter {
  #decoder = new TextDecoder('utf-8')
  #buffer = ''

  push(chunk: Uint8Array): string[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true })
    const blocks: string[] = []
    for (let match = BOUNDARY.exec(this.#buffer); match !== null; match = BOUNDARY.exec(this.#buffer)) {
      blocks.push(this.#buffer.slice(0, match.index))
      this.#buffer = this.#buffer.slice(match.index + match[0].length)
    }
    return blocks
  }

  /** Text of an incomplete event left over. */
  get rest(): string {
    return this.#buffer
  }
}

const round = (ms: number): number => Math.round(ms * 10) / 10

/** An event block as the cassette stores it. */
export function eventToEntry(block: string, at: number, rules: RedactionRules): SseEventEntry {
  let event: string | undefined
  let id: string | undefined
  const data: string[] = []
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const name = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (name === 'event') event = value
    else if (name === 'id') id = value
    else if (name === 'data') data.push(value)
  }
  const out: { at: number; event?: string; id?: string; data?: JsonValue; text?: string; raw?: string } = { at: round(at) }
  if (event !== undefined) out.event = event
  if (id !== undefined) out.id = id
  let redacted = false
  if (data.length > 0) {
    const text = data.join('\n')
    let parsed: JsonValue | undefined
    try {
      parsed = JSON.parse(text) as JsonValue
    } catch {
      parsed = undefined
    }
    if (parsed !== undefined && JSON.stringify(parsed) === text) {
      const { value, changed } = redactJson(parsed, rules)
      out.data = value
      redacted = changed
    } else out.text = text
  }
  if (!redacted && entryToEvent(out) !== `${block}\n\n`) out.raw = block
  return out
}

/** The wire text of a stored event, blank line included. */
export function entryToEvent(entry: SseEventEntry): string {
  if (entry.raw !== undefined) return `${entry.raw}\n\n`
  let text = ''
  if (entry.event !== undefined) text += `event: ${entry.event}\n`
  if (entry.id !== undefined) text += `id: ${entry.id}\n`
  const data = entry.data !== undefined ? JSON.stringify(entry.data) : entry.text
  if (data !== undefined) for (const line of data.split('\n')) text += `data: ${line}\n`
  return `${text}\n`
}
