import { S2Error } from '../../errors/index.ts'
import type { AppendInput } from '../../engine/index.ts'
import { negotiate } from '../encoding.ts'
import { readBody } from '../request/body.ts'
import { encryptionKeyHeader, formatHeader } from '../request/headers.ts'
import { EXPECTED_JSON, parseS2Json } from '../request/json-body.ts'
import { mediaKind } from '../request/media.ts'
import { decodeAppendInput as decodeProtoAppend, encodeAppendAck, encodeReadBatch as encodeProtoBatch } from '../proto/messages.ts'
import { json, jsonText, protobuf } from '../respond.ts'
import type { RouteDeps, RouteSpec } from '../route.ts'
import { connectionOf } from '../connection.ts'
import { readBody as sessionBody } from '../sessions/read-pump.ts'
import { nodeSource, webSource } from '../sessions/body-source.ts'
import { s2sAppend } from '../sessions/s2s-append.ts'
import { s2sReadEncoder, s2sResponse } from '../sessions/s2s-read.ts'
import { parseLastEventId, sseEncoder, sseResponse } from '../sessions/sse-read.ts'
import { ackJson, decodeAppendInput, encodePosition, readBatchJson } from '../wire/records-json.ts'
import { readCommonAppendJson } from '../wire/append-json-fast.ts'
import { RecordMeter, requireCommands, streamConfigHeader } from './cloud-records.ts'
import { parseReadQuery } from './read-query.ts'
import { streamAddress } from './stream-address.ts'

/**
 * Records: append and read in every form the SDKs use: unary JSON or protobuf, SSE reads, and S2S
 * sessions (selected by `Content-Type: s2s/proto`, even on a GET).
 */
/** Cloud profile: the config `s2-stream-config` gives a stream the request auto-creates. s2-lite ignores the header. */
const cloudConfigOf = (cloud: RouteDeps['cloud']) => (headers: Headers) => (cloud === undefined ? undefined : streamConfigHeader(headers))

export function recordRoutes({ engine, metrics, cloud }: RouteDeps): RouteSpec[] {
  const cloudConfig = cloudConfigOf(cloud)
  return [
    {
      method: 'POST',
      path: '/v1/streams/:stream/records',
      operation: 'append',
      handler: async (c) => {
        const headers = c.req.raw.headers
        const contentType = mediaKind(headers.get('content-type'))
        const access = c.get('access')
        const address = { ...streamAddress(c), keyId: encryptionKeyHeader(headers), autoCreate: cloudConfig(headers) }
        const meter = access === undefined || cloud === undefined ? undefined : new RecordMeter(cloud, engine, c, address)
        const format = formatHeader(headers)
        // The node request is read itself; in-process, the request's web stream.
        const incoming = c.env?.incoming
        if (contentType === 's2s') {
          // Errors before the session starts (missing stream, deletion pending) are plain JSON.
          const opened = engine.openAppendSession(address)
          const target = meter === undefined || access === undefined ? opened : meter.target(opened, access)
          const source = incoming === undefined ? webSource(c.req.raw.body) : nodeSource(incoming)
          return s2sAppend(source, target, {
            compression: negotiate(headers.get('accept-encoding')),
            metrics,
            faults: c.get('faults'),
            connection: connectionOf(c.env),
            journal: c.get('journal'),
            signal: c.req.raw.signal,
          })
        }
        let input: AppendInput
        if (contentType === 'protobuf') input = decodeProtoAppend(await readBody(c.req.raw, 'bad_proto', incoming), 'bad_proto')
        else if (contentType === 'json') {
          const bytes = await readBody(c.req.raw, 'bad_json', incoming)
          input = readCommonAppendJson(bytes, format) ?? decodeAppendInput(parseS2Json(bytes), format)
        }
        else throw new S2Error('bad_json', EXPECTED_JSON)
        if (access !== undefined) requireCommands(access, input.records)
        c.get('journal')?.appended(input.records)
        const result = engine.append(address, input)
        // A timing profile holds the ack until the append is stable; without one it is here already.
        const ack = result instanceof Promise ? await result : result
        metrics.appended(input.records.length, input.records.meteredBytes)
        meter?.appended(input.records)
        return mediaKind(headers.get('accept')) === 'protobuf' ? protobuf(encodeAppendAck(ack)) : jsonText(200, ackJson(ack))
      },
    },
    {
      method: 'GET',
      path: '/v1/streams/:stream/records',
      operation: 'read',
      handler: async (c) => {
        const target = streamAddress(c)
        const { request, validate } = parseReadQuery(c.req.url)
        const headers = c.req.raw.headers
        const s2s = mediaKind(headers.get('content-type')) === 's2s'
        const address = { ...target, keyId: encryptionKeyHeader(headers), autoCreate: cloudConfig(headers) }
        const meter = cloud === undefined || c.get('access') === undefined ? undefined : new RecordMeter(cloud, engine, c, address)
        const format = formatHeader(headers)
        const accept = mediaKind(headers.get('accept'))
        const sse = !s2s && accept === 'event-stream'
        const resume = sse ? parseLastEventId(headers.get('last-event-id')) : undefined
        validate()
        if (s2s || sse) {
          const session = engine.openSession(address, request, resume)
          meter?.readStreaming(0)
          const onEvent = meter === undefined ? undefined : (bytes: number) => meter.readStreaming(bytes)
          const options = { metrics, faults: c.get('faults'), connection: connectionOf(c.env), journal: c.get('journal'), onEvent }
          if (s2s) {
            const encoder = s2sReadEncoder(negotiate(headers.get('accept-encoding')))
            return s2sResponse(sessionBody(session, encoder, { ...options, transport: 's2s' }))
          }
          return sseResponse(sessionBody(session, sseEncoder(format, engine.space(c.get('namespace')).clock), { ...options, transport: 'sse' }))
        }

        // The signal only ends a wait early: a read without `wait` needs none, and asking the
        // adapter's request for one builds an AbortController and its listeners for nothing.
        const result = await engine.readOnce(address, request, request.waitMs ? c.req.raw.signal : undefined)
        const bytes = result.records.meteredBytes()
        metrics.read(result.records.length, bytes)
        meter?.readUnary(bytes)
        if (accept === 'protobuf') return protobuf(encodeProtoBatch(result.records, result.tail))
        return jsonText(200, readBatchJson(result.records, result.tail, format))
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
