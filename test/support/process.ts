import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

/** The repository root (where package.json is). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The environment for child processes: the Node running the tests comes first on PATH. */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, NO_COLOR: '1' }
}

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** A spawned process whose output is collected as it arrives. */
export interface Spawned {
  readonly child: ChildProcess
  readonly pid: number
  stdout(): string
  stderr(): string
  /** Resolves when the process has exited and its output streams are closed. */
  readonly exited: Promise<Exit>
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>
}

const running = new Set<Spawned>()
/** Process groups led by detached children; their members may outlive the leader. */
const groups = new Set<number>()

export function spawnProcess(command: string, args: readonly string[], options: SpawnOptions = {}): Spawned {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], ...options })
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    for (const listener of listeners) listener()
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk
  })
  let done = false
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      done = true
      running.delete(spawned)
      for (const listener of listeners) listener()
      resolve({ code, signal })
    })
  })
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`)
  const spawned: Spawned = {
    child,
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(out)
          if (match) {
            listeners.delete(check)
            resolve(match)
          } else if (done) {
            listeners.delete(check)
            reject(new Error(`process exited before printing ${pattern}; stdout:\n${out}\nstderr:\n${err}`))
          }
        }
        listeners.add(check)
        check()
      }),
  }
  running.add(spawned)
  if (options.detached) groups.add(spawned.pid)
  return spawned
}

/** Kills (SIGKILL) every process spawned here that is still running, and every process group one of them led. */
export async function killAll(): Promise<void> {
  for (const pgid of groups) {
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL')
    groups.delete(pgid)
  }
  for (const p of [...running]) {
    p.child.kill('SIGKILL')
    await p.exited.catch(() => undefined)
  }
}

/** Runs a command to completion. */
export async function run(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Exit & { stdout: string; stderr: string }> {
  const p = spawnProcess(command, args, options)
  const exit = await p.exited
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() }
}

/** Whether `port` on 127.0.0.1 can be bound right now. */
export function canBind(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })
}

/** Holds a free port on 127.0.0.1 until `close` is called. */
export async function holdPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** Whether any process of the group `pgid` is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** Polls `condition` every 20 ms until it holds; the test's own timeout bounds the wait. */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await delay(20)
}

/** GETs a URL and returns status and text. */
export async function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { headers })
  return { status: res.status, text: await res.text(), headers: res.headers }
}

/** Waits for the start banner of an emulator process (through its `export S2_ACCESS_TOKEN` line); returns the URL and port it names. */
export async function started(p: Spawned): Promise<{ url: string; port: number }> {
  const [, url, port] = await p.waitFor(/listening on (http:\/\/127\.0\.0\.1:(\d+))\n/)
  await p.waitFor(/export S2_ACCESS_TOKEN=.*\n/)
  return { url: url as string, port: Number(port) }
}
