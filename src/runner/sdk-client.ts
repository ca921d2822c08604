import type { S2, S2ClientOptions, S2Stream } from '@s2-dev/streamstore'
import type { S2Environment } from '../client/namespace.ts'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'

/** Settings of the SDK client a fixture makes, less what the fixture sets itself (the token and endpoints). */
export type S2ClientSettings = Omit<S2ClientOptions, 'accessToken' | 'endpoints'>

/** An SDK client and what ends it. */
export interface OpenedS2Client {
  readonly s2: S2
  /** Closes every stream handle made through the client (the sessions and connections they hold). */
  close(): Promise<void>
}

type Sdk = typeof import('@s2-dev/streamstore')

/** The SDK, an optional peer dependency: loaded when a test asks for a client, with a clear error if it is missing. */
async function loadSdk(): Promise<Sdk> {
  try {
    return await import('@s2-dev/streamstore')
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error
    throw new S2EmulatorError(
      'S2EMU_MISSING_PEER',
      'the s2 and basin fixtures need the S2 SDK: npm install --save-dev @s2-dev/streamstore',
      { cause: error },
    )
  }
}

/**
 * An `S2` client of `@s2-dev/streamstore` for the S2 that `env` names. The SDK has no `close()` on
 * the client; what holds sessions and connections is each stream handle, so the client remembers
 * the ones made through it and {@link OpenedS2Client.close} closes them.
 */
export async function openS2Client(env: S2Environment, settings: S2ClientSettings = {}): Promise<OpenedS2Client> {
  const { S2: Client } = await loadSdk()
  const s2 = new Client({
    ...settings,
    accessToken: env.S2_ACCESS_TOKEN,
    endpoints: { account: env.S2_ACCOUNT_ENDPOINT, basin: env.S2_BASIN_ENDPOINT },
  })
  const streams: S2Stream[] = []
  const basinOf = s2.basin.bind(s2)
  s2.basin = (name) => {
    const basin = basinOf(name)
    const streamOf = basin.stream.bind(basin)
    basin.stream = (streamName, options) => {
      const stream = streamOf(streamName, options)
      streams.push(stream)
      return stream
    }
    return basin
  }
  return {
    s2,
    close: async () => {
      await Promise.allSettled(streams.splice(0).map((stream) => stream.close()))
    },
  }
}
