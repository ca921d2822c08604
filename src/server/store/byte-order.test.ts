import { describe, expect, it } from 'vitest'
import { compareUtf8 } from './byte-order.ts'
import { rng } from '../../../test/support/random.ts'

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))

// Code points from every region where UTF-16 and UTF-8 orders could disagree: ASCII, two- and
// three-byte BMP characters below the surrogates, U+E000..U+FFFF (above the surrogates in UTF-16
// code units but below every astral character in UTF-8), and astral characters up to U+10FFFF.
const POOL = [
  0x00, 0x2d, 0x30, 0x41, 0x61, 0x7a, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x4e2d, 0xd7ff, 0xe000, 0xe123, 0xfb01, 0xfeff,
  0xfffd, 0xffff, 0x10000, 0x1f600, 0x1f601, 0x20000, 0xe0001, 0x10fffd, 0x10ffff,
]

describe('compareUtf8', () => {
  it('orders U+E000..U+FFFF before astral characters, as UTF-8 bytes do and UTF-16 code units do not', () => {
    for (const [bmp, astral] of [
      ['\uE000', '\u{10000}'],
      ['\uFFFF', '\u{1F600}'],
      ['a\uFB01', 'a\u{10FFFF}'],
    ] as const) {
      expect(bmp < astral).toBe(false) // JS string order disagrees...
      expect(compareUtf8(bmp, astral)).toBeLessThan(0) // ...byte order is what S2 lists by.
      expect(compareUtf8(astral, bmp)).toBeGreaterThan(0)
    }
  })

  it('orders a prefix first and equal strings as equal', () => {
    expect(compareUtf8('abc', 'abcd')).toBeLessThan(0)
    expect(compareUtf8('abcd', 'abc')).toBeGreaterThan(0)
    expect(compareUtf8('', 'a')).toBeLessThan(0)
    expect(compareUtf8('\u{1F600}', '\u{1F600}x')).toBeLessThan(0)
    expect(compareUtf8('same\u{1F600}', 'same\u{1F600}')).toBe(0)
    expect(compareUtf8('', '')).toBe(0)
  })

  it('orders astral characters that differ only in their low surrogate', () => {
    expect(compareUtf8('\u{1F600}', '\u{1F601}')).toBeLessThan(0)
    expect(compareUtf8('x\u{1F601}', 'x\u{1F600}')).toBeGreaterThan(0)
  })

  it('agrees in sign with Buffer.compare on random strings', () => {
    const random = rng(2026)
    const randomString = (): string => {
      const length = Math.floor(random() * 6)
      let s = ''
      for (let i = 0; i < length; i++) s += String.fromCodePoint(POOL[Math.floor(random() * POOL.length)] as number)
      return s
    }
    for (let i = 0; i < 20_000; i++) {
      const a = randomString()
      // Often share a prefix, so that comparisons reach deep into the strings.
      const chars = Array.from(a) // by code point: a slice must not split a surrogate pair
      const b = random() < 0.5 ? randomString() : chars.slice(0, Math.floor(random() * (chars.length + 1))).join('') + randomString()
      const got = Math.sign(compareUtf8(a, b))
      if (got !== Math.sign(byBytes(a, b))) {
        expect({ a, b, got }).toEqual({ a, b, got: Math.sign(byBytes(a, b)) })
      }
    }
  })

  it('sorts a list the same way as sorting by UTF-8 bytes', () => {
    const names = ['z', '\u{1F600}', '\uE000', 'a', '\u00E9', '\uFFFF', 'a\u{10000}', 'a\uFFFD', '\u4E2D', '\u{10FFFF}', '']
    const byCompare = [...names].sort(compareUtf8)
    const expected = [...names].sort(byBytes)
    expect(byCompare).toEqual(expected)
    expect(byCompare).toEqual(['', 'a', 'a\uFFFD', 'a\u{10000}', 'z', '\u00E9', '\u4E2D', '\uE000', '\uFFFF', '\u{1F600}', '\u{10FFFF}'])
  })
})
