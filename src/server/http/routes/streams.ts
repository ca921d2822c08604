import { streamFilterProblem, streamNameProblem } from '../../store/index.ts'
import { requestTokenHeader } from '../request/headers.ts'
import { readOptionalS2Json, readS2Json } from '../request/json-body.ts'
import { empty, json } from '../respond.ts'
import type { AppContext, RouteDeps, RouteSpec } from '../route.ts'
import { canonicalLayer, decodeStreamConfig, decodeStreamPatch, encodeStreamConfig } from '../wire/config-json.ts'
import { encodeStreamInfo } from '../wire/info-json.ts'
import { jsonError, object, optional, required, string } from '../wire/json-decode.ts'
import { requireEnsure } from './ensure-access.ts'
import { listQuery } from './list-query.ts'
import { scopedPage } from './scoped-list.ts'
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
        const query = listQuery(c.req.url, streamFilterProblem)
        const access = c.get('access')
        if (access === undefined) {
          const page = account(c).listStreams(basin, query)
          return json(200, { streams: page.items.map((s) => encodeStreamInfo(s)), has_more: page.hasMore })
        }
        // Cloud profile: names within the token's scope, its auto prefix added to the filters and stripped from names.
        const prefix = access.streamPrefix
        const full = { ...query, prefix: prefix + query.prefix, startAfter: query.startAfter === '' ? '' : prefix + query.startAfter }
        const page = scopedPage(access.scope.streams, full, (q) => account(c).listStreams(basin, q), (s) => s.name)
        return json(200, { streams: page.items.map((s) => encodeStreamInfo(s, access.shownStream(s.name))), has_more: page.hasMore })
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
        const access = c.get('access')
        const stored = access === undefined ? name : access.stream(name)
        const layer = optional(body, 'config', '', decodeStreamConfig) ?? {}
        const key = token === null ? null : `${token}\n${canonicalLayer(layer)}`
        const { stream, result } = account(c).createStream(basin, stored, layer, key, engine.now(c.get('namespace')))
        return json(201, encodeStreamInfo(stream, name), { 's2-provision-result': result })
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
        const access = c.get('access')
        requireEnsure(access, account(c).basins.get(basin)?.streams.has(name) === true, 'stream')
        const { stream, result } = account(c).ensureStream(basin, name, layer, engine.now(c.get('namespace')))
        const shown = access === undefined ? name : access.shownStream(name)
        return json(result === 'created' ? 201 : 200, encodeStreamInfo(stream, shown), { 's2-provision-result': result })
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
