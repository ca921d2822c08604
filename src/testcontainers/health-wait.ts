import { setTimeout as delay } from 'node:timers/promises'
import { getContainerRuntimeClient, type WaitStrategy } from 'testcontainers'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'

type WaitArgs = Parameters<WaitStrategy['waitUntilReady']>
type DockerContainer = WaitArgs[0]
type BoundPorts = WaitArgs[1]

/** The emulator's port inside the container (the image's S2E_PORT). */
export const S2_EMULATOR_PORT = 4243

/**
 * Where the emulator in a started container answers, from this process: with host networking,
 * 127.0.0.1 and the port it was given (S2E_PORT); otherwise the runtime's host and the port mapped
 * to 4243.
 */
export async function hostEndpoint(container: DockerContainer, boundPorts: BoundPorts): Promise<string> {
  const info = await container.inspect()
  if (info.HostConfig.NetworkMode === 'host') {
    const port = (info.Config.Env ?? []).find((e) => e.startsWith('S2E_PORT='))?.slice('S2E_PORT='.length) ?? String(S2_EMULATOR_PORT)
    return `http://127.0.0.1:${port}`
  }
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${boundPorts.getBinding(S2_EMULATOR_PORT)}`
}

/** The last lines a container wrote, stdout and stderr (demultiplexed), for error messages. */
async function lastLogLines(container: DockerContainer): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail: 20, follow: false })) as unknown as Buffer
    const parts: Buffer[] = []
    // Docker frames each chunk: 1 byte stream, 3 zero bytes, 4 bytes big-endian length.
    for (let at = 0; at + 8 <= raw.length; at += 8 + raw.readUInt32BE(at + 4)) {
      parts.push(raw.subarray(at + 8, at + 8 + raw.readUInt32BE(at + 4)))
    }
    return Buffer.concat(parts).toString('utf8').trim()
  } catch {
    return '(no logs)'
  }
}

/**
 * Waits until GET /health answers 200 from this process, polling every 50 ms. Fails at once, with
 * the container's last log lines, if the container exits (a bad option, a port in use).
 */
export class HealthWaitStrategy implements WaitStrategy {
  private startupTimeoutMs = 60_000
  private startupTimeoutSet = false

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs
    this.startupTimeoutSet = true
    return this
  }

  isStartupTimeoutSet(): boolean {
    return this.startupTimeoutSet
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs
  }

  async waitUntilReady(container: DockerContainer, boundPorts: BoundPorts): Promise<void> {
    const url = `${await hostEndpoint(container, boundPorts)}/health`
    const deadline = Date.now() + this.startupTimeoutMs
    let lastStateCheck = 0
    for (;;) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
        await response.body?.cancel()
        if (response.ok) return
      } catch {
        // Not listening yet.
      }
      if (Date.now() - lastStateCheck > 250) {
        lastStateCheck = Date.now()
        const { State } = await container.inspect()
        if (!State.Running) {
          throw new S2EmulatorError(
            'S2EMU_CONTAINER_FAILED',
            `the emulator's container exited with code ${State.ExitCode} before ${url} answered; its last output:\n${await lastLogLines(container)}`,
          )
        }
      }
      if (Date.now() > deadline) {
        throw new S2EmulatorError(
          'S2EMU_CONTAINER_FAILED',
          `${url} did not answer 200 within ${this.startupTimeoutMs} ms; the container's last output:\n${await lastLogLines(container)}`,
        )
      }
      await delay(50)
    }
  }
}
