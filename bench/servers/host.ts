/**
 * A server under test in its own process, so the load generator (the bench process) and the server
 * do not share an event loop: `node bench/servers/host.ts '<json ServerSpec>'`. Prints one line
 * `READY {"url":...,"h2url":...}`, then answers IPC messages: `{type:'memory'}` (after forced
 * GCs when run with --expose-gc) and `{type:'stop'}`.
 */
import type { AddressInfo } from 'node:net'
import { KINESALITE_OPTIONS } from '../lib/kinesis.ts'
import type { ServerSpec } from '../lib/servers.ts'

interface Running {
  readonly url: string
  readonly h2url: string
  stop(): Promise<void>
}

async function start(spec: ServerSpec): Promise<Running> {
  switch (spec.kind) {
    case 'emulator': {
      // A process of its own, tuned as the CLI tunes its process (figures are for `npx s2-emulator`).
      const { tuneV8 } = await import('../../src/cli/v8-tuning.ts')
      tuneV8()
      const { startS2Emulator } = await import('../../src/index.ts')
      const emulator = await startS2Emulator({ port: 0, host: '127.0.0.1', ...(spec.options ?? {}) })
      return { url: emulator.url, h2url: emulator.url, stop: () => emulator.stop() }
    }
    case 'baseline': {
      const { startBaseline } = await import('./baseline.ts')
      return startBaseline()
    }
    case 'kinesalite': {
      const { default: kinesalite } = await import('kinesalite')
      const server = kinesalite(KINESALITE_OPTIONS)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      return {
        url,
        h2url: url,
        stop: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections()
            server.close(() => resolve())
          }),
      }
    }
  }
}

async function collect(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) {
    for (let i = 0; i < 4; i++) {
      gc()
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  return process.memoryUsage()
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ServerSpec
const running = await start(spec)
process.on('message', (message: { type: string; id: number }) => {
  void (async () => {
    if (message.type === 'memory') process.send?.({ type: 'memory', id: message.id, usage: await collect() })
    else if (message.type === 'stop') {
      await running.stop()
      process.exit(0)
    }
  })()
})
process.on('disconnect', () => process.exit(0))
process.stdout.write(`READY ${JSON.stringify({ url: running.url, h2url: running.h2url })}\n`)
