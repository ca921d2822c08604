import type { Access } from '../../auth/access.ts'
import type { Cloud } from '../../cloud/cloud.ts'
import type { LocationInfo } from '../../cloud/locations.ts'
import { errors } from '../../errors/index.ts'
import { readS2Json } from '../request/json-body.ts'
import { json } from '../respond.ts'
import type { RouteDeps, RouteSpec } from '../route.ts'
import { jsonError, string } from '../wire/json-decode.ts'

/**
 * `/v1/locations`: the lite profile answers 501 (after checking the PUT body), as s2-lite does;
 * the cloud profile lists its fixed locations and keeps a default per namespace.
 */

const LOCATION = /^[A-Za-z0-9:.-]{1,64}$/

/** A location name: 1 to 64 of letters, digits, `:`, `.` and `-` (s2 `common/src/location.rs`). */
export function locationName(value: unknown, path: string): string {
  const name = string(value, path)
  if (!LOCATION.test(name)) throw jsonError(path, 'location must be 1 to 64 characters of letters, digits, `:`, `.` and `-`')
  return name
}

const encode = (location: LocationInfo) => ({ name: location.name, is_private: location.isPrivate })

function cloudOf(cloud: Cloud | undefined): Cloud {
  if (cloud === undefined) throw errors.notImplemented()
  return cloud
}

export function locationRoutes({ cloud }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/v1/locations',
      operation: 'list_locations',
      handler: () => json(200, cloudOf(cloud).locations.list().map(encode)),
    },
    {
      method: 'GET',
      path: '/v1/locations/default',
      operation: 'get_default_location',
      handler: (c) => {
        const locations = cloudOf(cloud).locations
        return json(200, encode({ name: locations.defaultOf((c.get('access') as Access).namespace), isPrivate: false }))
      },
    },
    {
      method: 'PUT',
      path: '/v1/locations/default',
      operation: 'set_default_location',
      handler: async (c) => {
        const name = locationName(await readS2Json(c.req.raw), '')
        const locations = cloudOf(cloud).locations
        locations.setDefault((c.get('access') as Access).namespace, name)
        return json(200, encode({ name, isPrivate: false }))
      },
    },
  ]
}
