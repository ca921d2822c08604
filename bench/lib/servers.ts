/** Servers under test, each in a child process of its own (see servers/host.ts). */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export type ServerSpec =
  | { readonly kind: 'emulator'; readonly options?: Record<string, unknown> }
  | { readonly kind: 'baseline' }
  | { readonly kind: 'kinesalite' }

export interface ServerHandle {
  /** HTTP/1.1 base URL. */
  readonly url: string
  /** Base URL for h2c sessions (the same port for the emulator; another one for the baseline). */
  readonly h2url: string
  readonly pid: number
  /** The child's memory after forced garbage collections (with `gc: true`). */
  memory(): Promise<NodeJS.MemoryUsage>
  stop(): Promise<void>
}

const hostPath = fileURLToPath(new URL('../servers/host.ts', import.meta.url))

export async function startServer(spec: ServerSpec, options: { gc?: boolean } = {}): Promise<ServerHandle> {
  const args = [...(options.gc === true ? ['--expose-gc'] : []), hostPath, JSON.stringify(spec)]
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
  const ready = await new Promise<{ url: string; h2url: string }>((resolve, reject) => {
    let text = ''
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8')
      const line = /^READY (.*)$/m.exec(text)
      if (line) {
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(JSON.parse(line[1] as string) as { url: string; h2url: string })
      }
    }
    child.stdout?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`${spec.kind} server exited with code ${String(code)} before it was ready`)))
    child.once('error', reject)
  })
  let nextId = 0
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    ...ready,
    pid: child.pid ?? 0,
    memory: () =>
      new Promise((resolve) => {
        const id = ++nextId
        const onMessage = (message: { type: string; id: number; usage: NodeJS.MemoryUsage }): void => {
          if (message.type === 'memory' && message.id === id) {
            child.off('message', onMessage)
            resolve(message.usage)
          }
        }
        child.on('message', onMessage)
        child.send({ type: 'memory', id })
      }),
    stop: async () => {
      if (child.exitCode !== null) return
      child.send({ type: 'stop', id: 0 })
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}
