import type { Access } from '../../auth/access.ts'
import type { Cloud } from '../../cloud/cloud.ts'
import type { AppendSessionTarget, Engine, StreamAddress } from '../../engine/index.ts'
import { S2Error } from '../../errors/index.ts'
import { validateLayer, type RecordBatch, type StreamConfigLayer } from '../../store/index.ts'
import { connectionKey } from '../connection.ts'
import type { AppContext } from '../route.ts'
import { decodeStreamConfig } from '../wire/config-json.ts'

/**
 * The cloud profile's part in appends and reads: fence and trim commands need their own
 * operations, `s2-stream-config` configures an auto-created stream, and every append and read is
 * metered for the metrics API.
 */

const FENCE = new TextEncoder().encode('fence')
const TRIM = new TextEncoder().encode('trim')
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i])

/** 403 unless the token may append the fence and trim commands among `records`. */
export function requireCommands(access: Access, records: RecordBatch): void {
  if (records.headers === null) return // commands have a header
  for (let i = 0; i < records.length; i++) {
    const refs = records.headerRefs(i)
    if (refs?.length !== 4 || refs[1] !== 0) continue // a command has one header, with an empty name
    const value = records.record(i).headers[0]?.value ?? new Uint8Array(0)
    if (same(value, FENCE)) access.require('fence')
    else if (same(value, TRIM)) access.require('trim')
  }
}

/** The `s2-stream-config` header (SDK 0.27): the config of a stream the request auto-creates. */
export function streamConfigHeader(headers: Headers): StreamConfigLayer | undefined {
  const text = headers.get('s2-stream-config')
  if (text === null) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new S2Error('bad_header', `Invalid header \`s2-stream-config\`: not JSON: ${text.slice(0, 200)}`)
  }
  let layer: StreamConfigLayer
  try {
    layer = decodeStreamConfig(value, '')
  } catch (error) {
    if (!(error instanceof S2Error)) throw error
    throw new S2Error('bad_header', `Invalid header \`s2-stream-config\`: ${error.message.replace(/^Failed to deserialize the JSON body into the target type: /, '')}`)
  }
  validateLayer(layer)
  return layer
}

/** The metering of one request's appends and reads in its namespace. */
export class RecordMeter {
  readonly #cloud: Cloud
  readonly #engine: Engine
  readonly #address: StreamAddress
  readonly #connection: number
  /** The last minute a streaming read was counted for this request's session. */
  readonly #session = { lastMinute: -1 }

  constructor(cloud: Cloud, engine: Engine, c: AppContext, address: StreamAddress) {
    this.#cloud = cloud
    this.#engine = engine
    this.#address = address
    this.#connection = cloud.connectionId(connectionKey(c.env))
  }

  get #usage() {
    return this.#cloud.usage.of(this.#address.namespace)
  }

  get #now(): number {
    return this.#cloud.now(this.#address.namespace)
  }

  appended(records: RecordBatch): void {
    const { namespace, basin, stream } = this.#address
    const state = this.#engine.store.existing(namespace)?.basins.get(basin)?.streams.get(stream)
    if (state === undefined) return
    this.#usage.appended(this.#now, basin, stream, state.config.storageClass, this.#connection, records.meteredBytes)
  }

  readUnary(bytes: number): void {
    this.#usage.readUnary(this.#now, this.#address.basin, bytes)
  }

  /** A read session's event (a batch of `bytes`, or a heartbeat: 0): counts its minutes and bytes. */
  readStreaming(bytes: number): void {
    const now = this.#now
    this.#usage.readStreaming(now, this.#address.basin, this.#session)
    if (bytes > 0) this.#usage.readBytes(now, this.#address.basin, bytes)
  }

  /** An append session's target that checks commands and meters each input. */
  target(inner: AppendSessionTarget, access: Access): AppendSessionTarget {
    return {
      append: (input) => {
        requireCommands(access, input.records)
        const ack = inner.append(input)
        this.appended(input.records)
        return ack
      },
      onRemoved: (fn) => inner.onRemoved(fn),
      synced: () => inner.synced(),
    }
  }
}
