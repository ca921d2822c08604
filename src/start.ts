import type { S2Emulator } from './server/emulator.ts'
import type { S2EmulatorOptions } from './server/options.ts'

/** The server's module, once asked for: a second `import()` of it still costs a module-map lookup per start. */
let server: Promise<typeof import('./server/emulator.ts')> | undefined

/**
 * Starts an in-memory S2 server. Many can run in one process; each has its own state.
 *
 * ```ts
 * const emulator = await startS2Emulator({ port: 0 })
 * const s2 = new S2({ accessToken: 'ignored', endpoints: { account: emulator.url, basin: emulator.url } })
 * ```
 *
 * The server's modules (hono, node:http2) load on the first call, not when the
 * package is imported: test files that only talk to an emulator never load them.
 */
export async function startS2Emulator(options?: S2EmulatorOptions): Promise<S2Emulator> {
  server ??= import('./server/emulator.ts')
  return (await server).startS2Emulator(options)
}

