/**
 * Catch-up reads timed from a process of their own. Read in the bench process, they measured that
 * process as much as the servers: its S2S reads of the same bytes from the node limit ran anywhere
 * from 915 to 2,946 MiB/s across full runs (1 KiB records), and its SSE reads of 100 B records
 * stopped near 100 MiB/s whichever server sent them (the limit's run at 353 to 434 MiB/s from here).
 * This process does nothing but read, one read at a time, over connections it keeps between reads
 * (HTTP/1.1 keep-alive; one h2c session per server).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import type { OutgoingHttpHeaders } from 'node:http2'
import { fileURLToPath } from 'node:url'

export type ReadRequest = (
  | { readonly kind: 'sse'; readonly url: string; readonly path: string; readonly headers: Record<string, string> }
  | { readonly kind: 's2s'; readonly url: string; readonly headers: OutgoingHttpHeaders }
) & {
  /** Read again, one read after the other, until reading has taken this long (0 or absent: one read). */
  readonly forMs?: number
}

export interface ReadResult {
  /** The first status other than 200, else 200. */
  readonly status: number
  /** How many times the whole read was made. */
  readonly reads: number
  /** Body bytes received, over every read. */
  readonly bytes: number
  /** From sending each request to the end of its body, summed over the reads. */
  readonly elapsedMs: number
}

export interface ReadClient {
  read(request: ReadRequest): Promise<ReadResult>
  close(): Promise<void>
}

const childPath = fileURLToPath(new URL('./read-client-process.ts', import.meta.url))

export async function startReadClient(): Promise<ReadClient> {
  const child: ChildProcess = spawn(process.execPath, [childPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', (code) => reject(new Error(`the read client exited with code ${String(code)} before it was ready`)))
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let nextId = 0
  return {
    read: (request) =>
      new Promise((resolve, reject) => {
        const id = ++nextId
        const onMessage = (message: { id: number; result?: ReadResult; error?: string }): void => {
          if (message.id !== id) return
          child.off('message', onMessage)
          if (message.result !== undefined) resolve(message.result)
          else reject(new Error(`read client: ${message.error ?? 'no result'}`))
        }
        child.on('message', onMessage)
        child.send({ id, request })
      }),
    close: async () => {
      if (child.exitCode !== null) return
      child.disconnect()
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}
