import { S2Error } from '../../errors/index.ts'
import { meteredSize } from '../../store/index.ts'
import { formatHeader } from '../request/headers.ts'
import { EXPECTED_JSON, readJson } from '../request/json-body.ts'
import { mediaKind } from '../request/media.ts'
import { json } from '../respond.ts'
import type { RouteDeps, RouteSpec } from '../route.ts'
import { decodeAppendInput, encodeAck, encodePosition, encodeReadBatch } from '../wire/records-json.ts'
import { parseReadQuery } from './read-query.ts'
import { streamAddress } from './stream-address.ts'

function notYet(what: string): S2Error {
  return new S2Error('not_implemented', `s2-emulator does not serve ${what} yet; use JSON`)
}

export function recordRoutes({ engine, metrics }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'POST',
      path: '/v1/streams/:stream/records',
      operation: 'append',
      handler: async (c) => {
        const address = streamAddress(c)
        const headers = c.req.raw.headers
        const contentType = mediaKind(headers.get('content-type'))
        if (contentType === 's2s') throw notYet('S2S append sessions')
        if (contentType === 'protobuf') throw notYet('protobuf appends')
        const format = formatHeader(headers)
        if (contentType !== 'json') throw new S2Error('bad_json', EXPECTED_JSON)
        const input = decodeAppendInput(await readJson(c.req.raw), format)
        const ack = engine.append(address, input)
        let bytes = 0
        for (const record of input.records) bytes += meteredSize(record)
        metrics.appended(input.records.length, bytes)
        return json(200, encodeAck(ack))
      },
    },
    {
      method: 'GET',
      path: '/v1/streams/:stream/records',
      operation: 'read',
      handler: async (c) => {
        const address = streamAddress(c)
        const { request, validate } = parseReadQuery(c.req.url)
        const headers = c.req.raw.headers
        if (mediaKind(headers.get('content-type')) === 's2s') throw notYet('S2S read sessions')
        const format = formatHeader(headers)
        const accept = mediaKind(headers.get('accept'))
        if (accept === 'event-stream') throw notYet('SSE read sessions')
        if (accept === 'protobuf') throw notYet('protobuf reads')
        validate()
        const result = await engine.readOnce(address, request, c.req.raw.signal)
        let bytes = 0
        for (const record of result.records) bytes += record.metered
        metrics.read(result.records.length, bytes)
        return json(200, encodeReadBatch(result.records, result.tail, format))
      },
    },
    {
      method: 'GET',
      path: '/v1/streams/:stream/records/tail',
      operation: 'check_tail',
      handler: (c) => json(200, { tail: encodePosition(engine.checkTail(streamAddress(c))) }),
    },
  ]
}
