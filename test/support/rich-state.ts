/**
 * A namespace holding every kind of state the store keeps, for tests that check state survives a
 * trip (a snapshot file, a restart from a persist directory): see {@link richNamespace}.
 */
import { expect } from 'vitest'
import { fenceRecord } from './append-helpers.ts'
import { appendBase64, createBasin, createStream, expectStatus, trimCommand, type RawFn } from './state.ts'

/** The time the rich state is written around (its client timestamps are relative to it). */
export const T0 = Date.parse('2030-01-01T00:00:00.000Z')

/** Not valid UTF-8: only a byte-exact copy reads back the same. */
export const binary = (n: number): Uint8Array => Uint8Array.from([0xff, 0xfe, 0x00, n & 0xff, 0x80, 0xc3])

export const ONE = 'snapfile-basin-one'
export const TWO = 'snapfile-basin-two'
export const DEL = 'snapfile-basin-del'
export const KEY = Buffer.alloc(32, 7).toString('base64')

/**
 * Everything a snapshot must keep, in one namespace (`label` makes the content differ between
 * namespaces): idempotency keys, basin and stream configs, records with headers, binary bodies and
 * client timestamps, a trim point, a fencing token, records that expire after 60 s, a stream and a
 * basin pending deletion, and an encrypted stream.
 */
export async function richNamespace(r: RawFn, label: string): Promise<void> {
  expectStatus(
    await r('POST', '/v1/basins', {
      headers: { 's2-request-token': `req-basin-${label}` },
      body: { basin: ONE, config: { default_stream_config: { retention_policy: { age: 60 } }, create_stream_on_append: true } },
    }),
    201,
  )
  await createStream(r, ONE, 'expiring')
  await appendBase64(r, ONE, 'expiring', [{ body: `${label}-e0` }, { body: `${label}-e1` }])
  expectStatus(
    await r('POST', '/v1/streams', {
      headers: { 's2-basin': ONE, 's2-request-token': `req-stream-${label}` },
      body: { stream: 'log', config: { retention_policy: { infinite: {} }, timestamping: { mode: 'client-require', uncapped: true } } },
    }),
    201,
  )
  await appendBase64(r, ONE, 'log', [
    { body: `${label}-zero`, headers: [['k', 'v']], timestamp: T0 - 5000 },
    { body: binary(1), headers: [['bin', '\u00ff\u0000']], timestamp: T0 - 4000 },
    { body: `${label}-two`, headers: [['h1', 'x'], ['h2', '']], timestamp: T0 + 10_000 },
    { body: binary(3), timestamp: T0 + 20_000 },
    { body: '', timestamp: T0 + 20_000 },
  ])
  await appendBase64(r, ONE, 'log', [{ ...trimCommand(2), timestamp: T0 + 20_000 }])
  await appendBase64(r, ONE, 'log', [{ ...fenceRecord(`tok-${label}`), timestamp: T0 + 20_000 }])
  await createStream(r, ONE, 'gone')
  await appendBase64(r, ONE, 'gone', [{ body: 'deleted soon' }])
  expect((await r('DELETE', '/v1/streams/gone', { headers: { 's2-basin': ONE } })).status).toBe(202)

  await createBasin(r, TWO, { stream_cipher: 'aegis-256', create_stream_on_read: true })
  await createStream(r, TWO, 'secret')
  await appendBase64(r, TWO, 'secret', [{ body: `${label}-sealed` }, fenceRecord('enc-tok')], {}, { 's2-encryption-key': KEY })

  await createBasin(r, DEL)
  await createStream(r, DEL, 'inside')
  await appendBase64(r, DEL, 'inside', [{ body: 'x' }])
  expect((await r('DELETE', `/v1/basins/${DEL}`)).status).toBe(202)
}

