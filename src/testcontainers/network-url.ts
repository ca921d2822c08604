import { S2_EMULATOR_PORT } from './health-wait.ts'

/** What decides how other containers reach the emulator. */
export interface NetworkPlacement {
  /** The port on the host's network, when the container uses it (host networking). */
  readonly hostNetworkPort: number | undefined
  /** The container's aliases on its user-defined network. */
  readonly aliases: readonly string[]
  /** The container's IP address on its first network; called only when there is no alias. */
  ipAddress(): string | undefined
}

/**
 * The emulator's base URL for other containers: with host networking, loopback and its port (they
 * share the host's network); on a user-defined network, its first alias (DNS there resolves it);
 * otherwise its IP address on its network. The port is the container's own, 4243, not a mapped one.
 */
export function networkUrl(placement: NetworkPlacement): string {
  if (placement.hostNetworkPort !== undefined) return `http://127.0.0.1:${placement.hostNetworkPort}`
  const [alias] = placement.aliases
  if (alias !== undefined) return `http://${alias}:${S2_EMULATOR_PORT}`
  const ip = placement.ipAddress()
  if (ip === undefined || ip === '') throw new Error('the container has no network address other containers can reach it by')
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${S2_EMULATOR_PORT}`
}
