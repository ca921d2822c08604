import { controlsOver, type S2EmulatorClient } from '../client/client.ts'
import type { S2Environment } from '../client/namespace.ts'
import { createApp } from './app.ts'
import { Cloud } from './cloud/cloud.ts'
import { Engine } from './engine/index.ts'
import { FaultScopes } from './faults/index.ts'
import { listen } from './http/listener.ts'
import { Journal } from './journal/journal.ts'
import { Metrics } from './metrics/metrics.ts'
import { Controls } from './namespaces/controls.ts'
import { NamespaceDirectory } from './namespaces/directory.ts'
import { resolveOptions, type S2EmulatorOptions } from './options.ts'
import { openPersistence } from './persist/persistence.ts'
import { seedEngine } from './seed/index.ts'

/** A running emulator, with its controls (see {@link S2EmulatorClient}). */
export interface S2Emulator extends S2EmulatorClient {
  /** Base URL of the S2 API and the admin API (without `/v1`), e.g. `http://127.0.0.1:4243`. */
  readonly url: string
  /** The interface it listens on. */
  readonly host: string
  /** The port it listens on (the one picked, when started with port 0). */
  readonly port: number
  /**
   * `S2_ACCOUNT_ENDPOINT`, `S2_BASIN_ENDPOINT` and `S2_ACCESS_TOKEN` for this emulator (the root
   * token in the cloud profile; `ignored` in the lite profile, as for s2-lite).
   */
  readonly env: S2Environment
  /** Whose behaviour it reproduces: `'lite'` (s2-lite) or `'cloud'` (the s2.dev service). */
  readonly profile: 'lite' | 'cloud'
  /** Closes the listener and every open connection; resolves once the port is free. Idempotent. */
  stop(): Promise<void>
  /** `await using emulator = await startS2Emulator()` stops it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>
}

/** Where clients should connect for a listener bound to `host`. */
function clientHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/**
 * Starts an in-memory S2 server. Many can run in one process; each has its own state.
 *
 * ```ts
 * const emulator = await startS2Emulator({ port: 0 })
 * const s2 = new S2({ accessToken: 'ignored', endpoints: { account: emulator.url, basin: emulator.url } })
 * ```
 */
export async function startS2Emulator(options?: S2EmulatorOptions): Promise<S2Emulator> {
  const resolved = resolveOptions(options)
  const engine = new Engine({
    clock: resolved.clock,
    purgeDelayMs: resolved.deletionDelayMs,
    trimDelayMs: resolved.trimDelayMs,
    backgroundIntervalMs: resolved.backgroundIntervalMs,
    heartbeat: resolved.heartbeat,
  })
  // First, so the app is built knowing whether answers wait for the persist log.
  const persistence = await openPersistence(engine, {
    snapshotFile: options?.snapshotFile,
    persistDir: options?.persistDir,
    flushIntervalMs: resolved.persistFlushIntervalMs,
    fsync: resolved.persistFsync,
  })
  let listener
  let app
  try {
    const metrics = new Metrics()
    const faults = new FaultScopes(resolved.faultSeed)
    for (const rule of resolved.faults) faults.global.add(rule)
    const journal = new Journal(resolved.journalSize, (namespace) => engine.space(namespace).clock, {
      recordBytes: resolved.journalRecordBytes,
      namespaceBytes: resolved.journalNamespaceBytes,
    })
    const directory = new NamespaceDirectory(resolved.isolation)
    const cloud = resolved.rootToken === null ? undefined : new Cloud(resolved.rootToken, directory, (ns) => engine.now(ns))
    if (cloud !== undefined) {
      engine.onAppend = (namespace, basin, stream, ack, now) => cloud.usage.of(namespace).storage.appended(basin, stream, ack, now)
    }
    const controls = new Controls(engine, faults, journal, directory, (namespace) => cloud?.forget(namespace))
    app = createApp({
      cloud,
      engine,
      metrics,
      faults,
      directory,
      controls,
      journal,
      cors: resolved.cors,
      snapshotDir: resolved.snapshotDir,
      adminToken: resolved.adminToken,
      onUnexpectedError: (error) => console.error('[s2-emulator] unexpected error while serving a request:', error),
    })
    seedEngine(engine, directory, { init: options?.init, records: options?.records })
    // After seeding: seeded records are there at once, whatever the timing.
    if (resolved.timing !== null) engine.timing.set(null, resolved.timing)
    listener = await listen(app.fetch, resolved.host, resolved.port, {
      idleTimeoutMs: resolved.idleTimeoutMs,
      maxConnections: resolved.maxConnections,
    })
  } catch (error) {
    await persistence.stop().catch(() => {})
    throw error
  }
  // Starting the engine also runs the background work that fell due in loaded or seeded state.
  engine.start()

  const url = `http://${clientHost(listener.host)}:${listener.port}`
  let stopping: Promise<void> | null = null
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      engine.stop()
      await listener.close()
      await persistence.stop()
    })()
    return stopping
  }
  return {
    ...controlsOver(url, { adminToken: resolved.adminToken ?? undefined }, (request) => app.fetch(request)),
    url,
    host: listener.host,
    port: listener.port,
    env: Object.freeze({ S2_ACCOUNT_ENDPOINT: url, S2_BASIN_ENDPOINT: url, S2_ACCESS_TOKEN: resolved.rootToken ?? 'ignored' }),
    profile: resolved.profile,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}
