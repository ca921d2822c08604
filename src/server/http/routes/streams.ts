import { streamFilterProblem, streamNameProblem } from '../../store/index.ts'
import { requestTokenHeader } from '../request/headers.ts'
import { readOptionalS2Json, readS2Json } from '../request/json-body.ts'
import { empty, json } from '../respond.ts'
import type { AppContext, RouteDeps, RouteSpec } from '../route.ts'
import { canonicalLayer, decodeStreamConfig, decodeStreamPatch, encodeStreamConfig } from '../wire/config-json.ts'
import { encodeStreamInfo } from '../wire/info-json.ts'
import { jsonError, object, optional, required, string } from '../wire/json-decode.ts'
import { listQuery } from './list-query.ts'
import { requestBasin, streamAddress } from './stream-address.ts'

export function streamRoutes({ engine }: RouteDeps): RouteSpec[] {
  const account = (c: AppContext) => engine.store.account(c.get('namespace'))
  return [
    {
      method: 'GET',
      path: '/v1/streams',
      operation: 'list_streams',
      handler: (c) => {
        const basin = requestBasin(c)
        const page = account(c).listStreams(basin, listQuery(c.req.url, streamFilterProblem))
        return json(200, { streams: page.items.map(encodeStreamInfo), has_more: page.hasMore })
      },
    },
    {
      method: 'POST',
      path: '/v1/streams',
      operation: 'create_stream',
      handler: async (c) => {
        const basin = requestBasin(c)
        const token = requestTokenHeader(c.req.raw.headers)
        const body = object(await readS2Json(c.req.raw), '', 'struct CreateStreamRequest')
        const name = string(required(body, 'stream', ''), 'stream')
        c.get('journal')?.named('stream', name)
        const problem = streamNameProblem(name)
        if (problem) throw jsonError('stream', problem)
        const layer = optional(body, 'config', '', decodeStreamConfig) ?? {}
        const key = token === null ? null : `${token}\n${canonicalLayer(layer)}`
        const { stream, result } = account(c).createStream(basin, name, layer, key, engine.now(c.get('namespace')))
        return json(201, encodeStreamInfo(stream), { 's2-provision-result': result })
      },
    },
    {
      method: 'GET',
      path: '/v1/streams/:stream',
      operation: 'get_stream_config',
      handler: (c) => {
        const { basin, stream } = streamAddress(c)
        return json(200, encodeStreamConfig(account(c).streamConfig(basin, stream)))
      },
    },
    {
      method: 'PUT',
      path: '/v1/streams/:stream',
      operation: 'ensure_stream',
      handler: async (c) => {
        const { basin, stream: name } = streamAddress(c)
        const raw = await readOptionalS2Json(c.req.raw)
        const layer = raw === undefined ? {} : decodeStreamConfig(raw, '')
        const { stream, result } = account(c).ensureStream(basin, name, layer, engine.now(c.get('namespace')))
        return json(result === 'created' ? 201 : 200, encodeStreamInfo(stream), { 's2-provision-result': result })
      },
    },
    {
      method: 'PATCH',
      path: '/v1/streams/:stream',
      operation: 'reconfigure_stream',
      handler: async (c) => {
        const { basin, stream } = streamAddress(c)
        const patch = decodeStreamPatch(await readS2Json(c.req.raw), '')
        return json(200, encodeStreamConfig(account(c).reconfigureStream(basin, stream, patch, engine.now(c.get('namespace')))))
      },
    },
    {
      method: 'DELETE',
      path: '/v1/streams/:stream',
      operation: 'delete_stream',
      handler: (c) => {
        const { basin, stream } = streamAddress(c)
        account(c).deleteStream(basin, stream, engine.now(c.get('namespace')))
        return empty(202)
      },
    },
  ]
}
