import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { rng } from '../../../../test/support/random.ts'
import { hasEscape, JsonBytes } from './json-bytes.ts'

/** What the bytes must be: the lossy decoding and JSON.stringify, as strings. */
const reference = (bytes: Uint8Array): string => JSON.stringify(new TextDecoder().decode(bytes))
const written = (bytes: Uint8Array, capacity = 0): string => {
  const out = new JsonBytes(capacity)
  out.ascii('[')
  out.utf8String(bytes, 0, bytes.length)
  out.ascii(']')
  return out.bytes().toString('utf8')
}

describe('JsonBytes.utf8String', () => {
  it('writes every byte value alone, and every pair of byte values, as the lossy decoding and JSON.stringify do', () => {
    for (let a = 0; a < 256; a++) {
      expect(written(Uint8Array.of(a))).toBe(`[${reference(Uint8Array.of(a))}]`)
      for (let b = 0; b < 256; b++) {
        const pair = Uint8Array.of(a, b)
        const want = `[${reference(pair)}]`
        if (written(pair) !== want) expect(written(pair)).toBe(want)
      }
    }
  })

  it('agrees on edge sequences: overlong, surrogates, above U+10FFFF, cut short, mixed with text', () => {
    const cases = [
      [0xe0, 0x80, 0x80], [0xe0, 0xa0, 0x80], [0xed, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80],
      [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80], [0xe2, 0x82], [0xe2, 0x82, 0x41], [0xf0, 0x9f, 0x98], [0xf0, 0x9f, 0x98, 0x80, 0x80],
      [0x22, 0x5c, 0x0a, 0x7f, 0xe2, 0x80, 0xa8, 0x1f, 0xc3], [0xc0, 0xaf], [0xc1, 0xbf], [0x80, 0x80, 0x80], [0xfe, 0xff], [],
    ]
    for (const bytes of cases) expect(written(Uint8Array.from(bytes))).toBe(`[${reference(Uint8Array.from(bytes))}]`)
  })

  it('agrees on random bytes, on text with random damage, and grows from a small start', () => {
    const text = Buffer.from('plain ascii, "quotes" and \\ backslashes, tabs\t, é, 中文, 😀, \u2028 and \u0001.')
    for (let run = 0; run < 500; run++) {
      const random = randomBytes(1 + (run % 97))
      expect(written(random, run % 3 === 0 ? 1 : random.length)).toBe(`[${reference(random)}]`)
      const damaged = Buffer.from(text)
      for (let k = 0; k < 1 + (run % 5); k++) damaged[(run * 31 + k * 17) % damaged.length] = (run * 7 + k * 13) & 0xff
      expect(written(damaged)).toBe(`[${reference(damaged)}]`)
    }
  })

  it('agrees on text short and long (well-formed strings past 256 bytes are written as they are or through V8), whole and damaged', () => {
    const unit = Buffer.from('text "q" \\ \t é 中文 😀 \u2028 \u0001 ')
    for (const length of [1, 100, 255, 256, 257, 300, 1000, 5000]) {
      const text = Buffer.alloc(length)
      for (let i = 0; i < length; i++) text[i] = unit[i % unit.length] as number
      expect(written(text)).toBe(`[${reference(text)}]`)
      const damaged = Buffer.from(text)
      damaged[length >> 1] = 0xff
      expect(written(damaged)).toBe(`[${reference(damaged)}]`)
    }
  })

  it('agrees on well-formed text of 63 bytes and more with one byte to escape (or a near miss) at any place, and at any alignment', () => {
    // Clean text of 64 bytes or more is written as it is; these bytes must send it through V8 or the loop instead.
    const clean = Buffer.from('plain text, é 中文 😀 ~ [] {} \u007f, '.repeat(40))
    const bytes = [0x00, 0x01, 0x0a, 0x1f, 0x22, 0x5c, 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f]
    for (const shift of [0, 1, 2, 3]) {
      for (const length of [63, 64, 65, 66, 67, 100, 256, 257, 258, 259, 260, 300, 1027]) {
        const places = [0, 1, 2, 3, 4, 5, length >> 1, length - 5, length - 4, length - 3, length - 2, length - 1]
        const text = new Uint8Array(Buffer.alloc(length + 8)).subarray(shift, shift + length)
        text.set(clean.subarray(0, length))
        // Keep the text well-formed: cut a character split at the end, and place bytes on ASCII only.
        while (length > 0 && ((text[length - 1] as number) & 0xc0) === 0x80) text[length - 1] = 0x61
        if ((text[length - 1] as number) >= 0xc0) text[length - 1] = 0x61
        expect(written(text), `shift ${shift}, length ${length}, clean`).toBe(`[${reference(text)}]`)
        for (const place of places) {
          if ((text[place] as number) >= 0x80) continue
          for (const byte of bytes) {
            const one = new Uint8Array(Buffer.alloc(length + 8)).subarray(shift, shift + length)
            one.set(text)
            one[place] = byte
            if (written(one) !== `[${reference(one)}]`) expect(written(one), `shift ${shift}, length ${length}, 0x${byte.toString(16)} at ${place}`).toBe(`[${reference(one)}]`)
          }
        }
      }
    }
  })

  it('writes a slice of the bytes given', () => {
    const out = new JsonBytes(0)
    out.utf8String(Buffer.from('xx"a\u00e9b"xx'), 2, 8)
    expect(out.bytes().toString('utf8')).toBe(JSON.stringify('"a\u00e9b"'))
  })
})

describe('JsonBytes.number', () => {
  it('writes numbers as JSON.stringify does: safe integers digit by digit, anything else as String gives it', () => {
    const values = [0, 7, 9, 10, 99, 100, 1_000_000, 1_733_212_800_123, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 64, 1.5, -3]
    const out = new JsonBytes(0)
    values.forEach((value, i) => {
      if (i > 0) out.ascii(',')
      out.number(value)
    })
    expect(out.bytes().toString('latin1')).toBe(values.map((v) => JSON.stringify(v)).join(','))
  })

  it('writes every power of ten, its neighbours, and random safe integers of every length as JSON.stringify does', () => {
    const values: number[] = []
    for (let k = 0; k <= 15; k++) values.push(10 ** k - 1, 10 ** k, 10 ** k + 1, 2 * 10 ** k, 10 ** k + 10 ** Math.max(0, k - 8))
    for (let k = 0; k < 31; k++) values.push(2 ** k - 1, 2 ** k)
    values.push(2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER)
    // Just below, at and just above multiples of 1e8, up to near 2^53: where the two parts meet.
    for (const k of [90_071_992, 90_071_000, 89_999_999, 50_000_000, 12_345_678]) values.push(k * 1e8 - 1, k * 1e8, k * 1e8 + 1)
    const random = rng(11)
    for (let i = 0; i < 2000; i++) values.push(Math.floor(random() * 10 ** (1 + (i % 16))) % (Number.MAX_SAFE_INTEGER + 1))
    const out = new JsonBytes(0)
    values.forEach((value, i) => {
      if (i > 0) out.ascii(',')
      out.number(value)
    })
    const written = out.bytes().toString('latin1').split(',')
    values.forEach((value, i) => {
      if (written[i] !== JSON.stringify(value)) expect(written[i], `value ${value}`).toBe(JSON.stringify(value))
    })
    expect(written).toHaveLength(values.length)
  })
})

describe('hasEscape', () => {
  it('finds a byte below 0x20, a quote or a backslash at any place and alignment, and nothing in clean text or near misses', () => {
    const must = [0x00, 0x01, 0x09, 0x0a, 0x1f, 0x22, 0x5c]
    const never = [0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xe0, 0xff]
    const buffer = new Uint8Array(64)
    for (let start = 0; start < 8; start++) {
      for (let end = start; end <= 40; end++) {
        buffer.fill(0x61)
        expect(hasEscape(buffer, start, end)).toBe(false)
        for (let place = start; place < end; place++) {
          for (const byte of never) {
            buffer[place] = byte
            if (hasEscape(buffer, start, end)) expect.fail(`0x${byte.toString(16)} at ${place} of [${start}, ${end})`)
          }
          for (const byte of must) {
            buffer[place] = byte
            if (!hasEscape(buffer, start, end)) expect.fail(`missed 0x${byte.toString(16)} at ${place} of [${start}, ${end})`)
          }
          buffer[place] = 0x61
        }
        // Bytes just outside the range do not count.
        if (start > 0) buffer[start - 1] = 0x22
        buffer[end] = 0x00
        expect(hasEscape(buffer, start, end)).toBe(false)
      }
    }
    // A view that starts at an odd place in its buffer, and every byte a near miss at once.
    const view = new Uint8Array(new ArrayBuffer(40), 3, 33).fill(0x7f)
    expect(hasEscape(view, 0, 33)).toBe(false)
    view[32] = 0x5c
    expect(hasEscape(view, 0, 33)).toBe(true)
  })
})
