import { describe, expect, it } from 'vitest'
import { parseS2Json } from '../request/json-body.ts'
import { readCommonAppendJson } from './append-json-fast.ts'
import { decodeAppendInput, type RecordFormat } from './records-json.ts'

/** A deterministic generator, so a failure names its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

const plain = (input: ReturnType<typeof decodeAppendInput>): unknown => ({
  records: input.records.toArray().map((r) => ({ timestamp: r.timestamp, headers: r.headers.map((h) => [[...h.name], [...h.value]]), body: [...r.body] })),
  matchSeqNum: input.matchSeqNum,
  fencingToken: input.fencingToken,
})

/** What the general decoder makes of the bytes: the input, or the error's code and message. */
function general(bytes: Uint8Array, format: RecordFormat): unknown {
  try {
    return plain(decodeAppendInput(parseS2Json(bytes), format))
  } catch (error) {
    const e = error as { code?: string; message: string }
    return { error: e.code, message: e.message }
  }
}

const COMMON = ['a', 'é', '😀', ' ', 'zz', '/', '{"k":1}']
const ODD = ['"', '\\', '\n', '\u0001', '\ud800', '\u2028', '\udc00x']
function text(next: () => number, max: number): string {
  let out = ''
  const n = Math.floor(next() * max)
  for (let i = 0; i < n; i++) {
    const pieces = next() < 0.05 ? ODD : COMMON
    out += pieces[Math.floor(next() * pieces.length)]
  }
  return out
}
const base64 = (next: () => number, max: number): string =>
  Buffer.from(Uint8Array.from({ length: Math.floor(next() * max) }, () => Math.floor(next() * 256))).toString('base64')

/** A JSON AppendInput: mostly the common shape, sometimes with what only the general decoder reads. */
function input(next: () => number, format: RecordFormat): string {
  const str = (max: number): string => (format === 'raw' ? text(next, max) : base64(next, max))
  const records = Array.from({ length: Math.floor(next() * 5) }, () => {
    const r: Record<string, unknown> = {}
    if (next() < 0.7) r.body = str(20)
    if (next() < 0.3) r.headers = Array.from({ length: Math.floor(next() * 3) }, () => [str(4), str(4)])
    if (next() < 0.3) r.timestamp = [0, 7, 1e15 - 1, 1e15, 2 ** 53 + 2, -1, 1.5, null][Math.floor(next() * 8)]
    if (next() < 0.05) r.extra = 1
    return r
  })
  const message: Record<string, unknown> = { records }
  if (next() < 0.3) message.match_seq_num = [0, 3, 12345678901234, null, 1.0][Math.floor(next() * 5)]
  if (next() < 0.3) message.fencing_token = next() < 0.2 ? 'x'.repeat(40) : text(next, 8)
  let json = JSON.stringify(message, null, next() < 0.3 ? 1 : undefined)
  // Spellings JSON.stringify never writes: a float, an escaped key, a repeated key, a leading zero.
  const twist = next()
  if (twist < 0.05) json = json.replace('"records"', '"rec\\u006frds"')
  else if (twist < 0.1) json = json.replace('{"records"', '{"records":[],"records"')
  else if (twist < 0.15) json = json.replace(/"timestamp":(\d+)/, '"timestamp":$1.0')
  else if (twist < 0.2) json = json.replace(/"timestamp":(\d+)/, '"timestamp":0$1')
  else if (twist < 0.25) json = json.replace(/"body":"/, '"body":"\\x')
  else if (twist < 0.3) json = `\ufeff${json}`
  return json
}

describe('readCommonAppendJson', () => {
  it.each(['raw', 'base64'] as const)('decodes whatever it accepts exactly as the general decoder does (%s, 2,000 inputs)', (format) => {
    let accepted = 0
    for (let seed = 1; seed <= 2000; seed++) {
      const next = random(seed)
      let bytes: Uint8Array = Buffer.from(input(next, format))
      // Now and then a byte changed or cut off, to reach inputs that are not JSON or not UTF-8.
      if (next() < 0.15) {
        const copy = Buffer.from(bytes)
        copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256)
        bytes = next() < 0.5 ? copy : copy.subarray(0, Math.floor(next() * copy.length))
      }
      const fast = readCommonAppendJson(bytes, format)
      if (fast === null) continue
      accepted++
      expect(plain(fast), `seed ${seed}: ${Buffer.from(bytes).toString()}`).toEqual(general(bytes, format))
    }
    // About a fifth to a third of the inputs keep to the common shape (the rest are twisted on purpose): the
    // fast reader must take those, not leave everything to the general one.
    expect(accepted).toBeGreaterThan(300)
  })

  it('keeps raw bodies without escapes where they lie in the request; a batch with an escape reads the same', () => {
    const bytes = Buffer.from('{"records":[{"body":"hello"},{"body":"world"}]}')
    const input = readCommonAppendJson(bytes, 'raw')
    expect(input?.records.bytes.buffer).toBe(bytes.buffer)
    expect(input?.records.record(1).body.buffer).toBe(bytes.buffer)
    expect(Buffer.from(input?.records.record(1).body ?? []).toString()).toBe('world')
    const escaped = Buffer.from('{"records":[{"body":"hello"},{"body":"a\\nb"}]}')
    const copied = readCommonAppendJson(escaped, 'raw')?.records
    expect(copied?.toArray().map((r) => Buffer.from(r.body).toString())).toEqual(['hello', 'a\nb'])
  })

  it.each([
    ['a missing records field', '{}'],
    ['a null', '{"records":[{"body":null}]}'],
    ['an unknown field', '{"records":[],"other":1}'],
    ['trailing bytes', '{"records":[]} x'],
    ['a control byte in a string', '{"records":[{"body":"a\u0001"}]}'],
    ['a timestamp beyond 2^53', '{"records":[{"timestamp":9007199254740993}]}'],
    ['a negative number', '{"records":[],"match_seq_num":-1}'],
    ['an escaped fencing token', '{"records":[],"fencing_token":"\\u0041"}'],
  ])('leaves %s to the general decoder', (_name, json) => {
    expect(readCommonAppendJson(Buffer.from(json), 'raw')).toBeNull()
  })
})
