import { describe, expect, it } from 'vitest'
import { testCassettePath, testCassettes } from './test-cassettes.ts'

describe('testCassettes', () => {
  it('is off unless the option or S2_EMULATOR_CASSETTE_DIR asks', () => {
    expect(testCassettes(undefined, { S2_EMULATOR_CASSETTE_MODE: 'record' }, 'here')).toBeUndefined()
    expect(testCassettes({}, {}, 'here')).toEqual({ dir: 'test/cassettes', mode: 'replay', configured: true })
    expect(testCassettes(undefined, { S2_EMULATOR_CASSETTE_DIR: 'rec' }, 'here')).toEqual({ dir: 'rec', mode: 'replay', configured: false })
  })

  it('takes the variables over the options', () => {
    const env = { S2_EMULATOR_CASSETTE_DIR: 'elsewhere', S2_EMULATOR_CASSETTE_MODE: 'record' }
    expect(testCassettes({ dir: 'cassettes', mode: 'replay' }, env, 'here')).toEqual({ dir: 'elsewhere', mode: 'record', configured: true })
  })

  it('lists every problem at once', () => {
    const bad = { dir: '', mode: 'rewind', seed: 1 } as never
    expect(() => testCassettes(bad, { S2_EMULATOR_CASSETTE_MODE: 'tape' }, 'createS2Fixtures')).toThrow(
      expect.objectContaining({
        code: 'S2EMU_BAD_OPTIONS',
        message:
          '[s2-emulator] createS2Fixtures: cassettes has no option seed; the options are dir and mode; cassettes.dir is ""; use a directory; ' +
          'cassettes.mode is "rewind"; use one of record, replay, record-missing, passthrough; ' +
          "S2_EMULATOR_CASSETTE_MODE is 'tape'; use one of record, replay, record-missing, passthrough",
      }),
    )
  })
})

describe('testCassettePath', () => {
  const test = { root: '/project', file: 'test/orders.test.ts', names: ['Orders', 'appends 2 orders!'] }

  it('is a file per test under a folder per test file, relative to the root', () => {
    expect(testCassettePath('test/cassettes', test)).toMatch(/^\/project\/test\/cassettes\/test\/orders\.test\.ts\/orders-appends-2-orders-[0-9a-f]{8}\.json$/)
    expect(testCassettePath('/abs', test)).toMatch(/^\/abs\/test\/orders\.test\.ts\//)
  })

  it('is the same run after run, and differs for names that slug alike', () => {
    expect(testCassettePath('c', test)).toBe(testCassettePath('c', { ...test }))
    const alike = testCassettePath('c', { ...test, names: ['Orders', 'appends 2 orders?'] })
    expect(alike).not.toBe(testCassettePath('c', test))
    expect(alike.replace(/-[0-9a-f]{8}\.json$/, '')).toBe(testCassettePath('c', test).replace(/-[0-9a-f]{8}\.json$/, ''))
  })

  it('stays inside the directory, whatever the names', () => {
    for (const names of [['../../etc/passwd'], ['/'], [''], ['x'.repeat(500)], ['Ünïcödé ✓']]) {
      const path = testCassettePath('/c', { root: '/p', file: '../outside/a.test.ts', names })
      expect(path, names[0]).toMatch(/^\/c\/outside\/a\.test\.ts\/[a-z0-9._-]{1,80}-[0-9a-f]{8}\.json$/)
    }
  })
})
