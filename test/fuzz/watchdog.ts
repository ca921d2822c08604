/**
 * Catches a hang the per-request deadline cannot: the emulator runs in the runner's process, so a
 * request that blocks the event loop (a synchronous loop that never ends) stops the deadline's timer
 * too. A worker thread, with an event loop of its own, watches a heartbeat the main thread writes
 * to shared memory every second; when it stops for `stallMs`, the worker writes what the runner was
 * doing (the request in flight) straight to stderr and kills the process, so the run fails with
 * the request that hung instead of never ending.
 */
import { Worker } from 'node:worker_threads'

const WORKER = `
const { workerData } = require('node:worker_threads')
const { writeSync } = require('node:fs')
const { shared, stallMs } = workerData
const beat = new Float64Array(shared, 0, 1)
const length = new Int32Array(shared, 8, 1)
const text = new Uint8Array(shared, 16)
setInterval(() => {
  const stalled = Date.now() - beat[0]
  if (beat[0] === 0 || stalled < stallMs) return
  const what = Buffer.from(text.slice(0, length[0])).toString('utf8')
  writeSync(2, '\\nfuzz watchdog: the event loop has been blocked for ' + Math.round(stalled / 1000) + ' s (a hang); the runner was at:\\n' + what + '\\n')
  process.kill(process.pid, 'SIGKILL')
}, 1000)
`

const TEXT_BYTES = 16 * 1024

export class Watchdog {
  readonly #shared = new SharedArrayBuffer(16 + TEXT_BYTES)
  readonly #beat = new Float64Array(this.#shared, 0, 1)
  readonly #length = new Int32Array(this.#shared, 8, 1)
  readonly #text = new Uint8Array(this.#shared, 16)
  readonly #encoder = new TextEncoder()
  readonly #worker: Worker
  readonly #heartbeat: ReturnType<typeof setInterval>

  constructor(stallMs: number) {
    this.#beat[0] = Date.now()
    this.#worker = new Worker(WORKER, { eval: true, workerData: { shared: this.#shared, stallMs } })
    this.#worker.unref()
    this.#heartbeat = setInterval(() => {
      this.#beat[0] = Date.now()
    }, 1000)
    this.#heartbeat.unref()
  }

  /** Says what the runner is doing now: printed if the process hangs. */
  at(what: string): void {
    const { written } = this.#encoder.encodeInto(what, this.#text)
    this.#length[0] = written
  }

  async stop(): Promise<void> {
    clearInterval(this.#heartbeat)
    await this.#worker.terminate()
  }
}
