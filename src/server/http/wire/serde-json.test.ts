import { describe, expect, it } from 'vitest'
import { DUPLICATE_KEYS, JsonFloat, parseSerdeJson, rustFloat, type SerdeObject } from './serde-json.ts'

describe('parseSerdeJson', () => {
  it('gives what JSON.parse gives for JSON with no float and no repeated key', () => {
    const text = '{"records":[{"body":"a \\"quoted\\" \\\\ body","headers":[["k","v"]],"timestamp":12}],"match_seq_num":0,"x":[-3,true,null,{}]}'
    expect(parseSerdeJson(text)).toEqual(JSON.parse(text))
  })

  it('marks floats, integers beyond u64 and below i64, wherever they are', () => {
    const value = parseSerdeJson('{"a":[1.0,1e3,-2E-2,18446744073709551615,18446744073709551616,-9223372036854775809,-5]}') as { a: unknown[] }
    expect(value.a.map((v) => (v instanceof JsonFloat ? `float ${v.toString()}` : v))).toEqual([
      'float 1.0',
      'float 1000.0',
      'float -0.02',
      18446744073709551615,
      'float 18446744073709552000.0',
      'float -9223372036854776000.0',
      -5,
    ])
  })

  it('marks the keys an object repeats, at any depth, keeping the last value, also for keys written with escapes', () => {
    const value = parseSerdeJson('{"a":{"b":1,"c":"}","b":2},"a\\u0062":0,"ab":1}') as SerdeObject & { a: SerdeObject }
    expect(value.a.b).toBe(2)
    expect([...(value.a[DUPLICATE_KEYS] ?? [])]).toEqual(['b'])
    expect([...(value[DUPLICATE_KEYS] ?? [])]).toEqual(['ab'])
  })

  it('does not take a repeated string value, or the same key in sibling objects, for a repeated key', () => {
    const value = parseSerdeJson('[{"k":"k"},{"k":"k","v":["k","k"]}]') as SerdeObject[]
    expect(value.map((o) => o[DUPLICATE_KEYS])).toEqual([undefined, undefined])
  })

  it('keeps __proto__ an own field, as JSON.parse does', () => {
    const value = parseSerdeJson('{"__proto__":1.5,"__proto__":2}') as SerdeObject
    expect(Object.hasOwn(value, '__proto__')).toBe(true)
    expect([...(value[DUPLICATE_KEYS] ?? [])]).toEqual(['__proto__'])
  })

  it('throws SyntaxError on text JSON.parse refuses', () => {
    expect(() => parseSerdeJson('{"a":1,}')).toThrow(SyntaxError)
  })
})

describe('rustFloat', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [0.5, '0.5'],
    [1e21, '1000000000000000000000.0'],
    [1.5e-7, '0.00000015'],
    [-2.5e22, '-25000000000000000000000.0'],
  ])('%s prints as %s', (value, text) => {
    expect(rustFloat(value)).toBe(text)
  })
})
