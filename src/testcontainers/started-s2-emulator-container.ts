import { AbstractStartedContainer, type RestartOptions, type StartedTestContainer, type StopOptions, type StoppedTestContainer } from 'testcontainers'
import { connectS2Emulator, type S2EmulatorClient } from '../client/client.ts'
import type { S2Environment } from '../client/namespace.ts'
import { S2_EMULATOR_PORT } from './health-wait.ts'
import { networkUrl } from './network-url.ts'

/** Time `stop()` and `restart()` give the emulator after SIGTERM to close and save its state. */
const STOP_GRACE_MS = 10_000

const environment = (url: string, token: string): S2Environment =>
  Object.freeze({ S2_ACCOUNT_ENDPOINT: url, S2_BASIN_ENDPOINT: url, S2_ACCESS_TOKEN: token })

/** A running {@link S2EmulatorContainer}: where to reach it and its controls. */
export class StartedS2EmulatorContainer extends AbstractStartedContainer {
  private readonly hostNetworkPort: number | undefined
  private readonly networkAliases: readonly string[]
  private readonly adminToken: string | undefined
  /** The cloud profile's root token; the lite profile ignores tokens. */
  private readonly accessToken: string

  constructor(
    started: StartedTestContainer,
    options: {
      hostNetworkPort: number | undefined
      networkAliases: readonly string[]
      adminToken?: string | undefined
      rootToken?: string | undefined
    },
  ) {
    super(started)
    this.hostNetworkPort = options.hostNetworkPort
    this.networkAliases = options.networkAliases
    this.adminToken = options.adminToken
    this.accessToken = options.rootToken ?? 'ignored'
  }

  /** The port the emulator answers on from this machine (mapped to 4243, or its own with host networking). */
  getPort(): number {
    return this.hostNetworkPort ?? this.getMappedPort(S2_EMULATOR_PORT)
  }

  /** Base URL of the S2 API and the admin API from this machine, e.g. `http://localhost:32768`. */
  getUrl(): string {
    if (this.hostNetworkPort !== undefined) return `http://127.0.0.1:${this.hostNetworkPort}`
    const host = this.getHost()
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.getPort()}`
  }

  /** `S2_ACCOUNT_ENDPOINT`, `S2_BASIN_ENDPOINT` and `S2_ACCESS_TOKEN` for a client on this machine. */
  getEnv(): S2Environment {
    return environment(this.getUrl(), this.accessToken)
  }

  /**
   * Base URL for other containers: on a user-defined network, `http://<first network alias>:4243`
   * (or the container's IP address there when it has no alias); with host networking, the same
   * loopback URL as {@link getUrl}.
   */
  getNetworkUrl(): string {
    return networkUrl({
      hostNetworkPort: this.hostNetworkPort,
      aliases: this.networkAliases,
      ipAddress: () => {
        const [network] = this.getNetworkNames()
        return network === undefined ? undefined : this.getIpAddress(network)
      },
    })
  }

  /** The `S2_*` variables for a client in another container ({@link getNetworkUrl}). */
  getNetworkEnv(): S2Environment {
    return environment(this.getNetworkUrl(), this.accessToken)
  }

  /**
   * The emulator's controls (namespaces, faults, snapshots, clock, reset, journal, ...), as
   * `connectS2Emulator(getUrl(), { adminToken })` returns them (with the admin token, if set).
   */
  getControls(): S2EmulatorClient {
    return connectS2Emulator(this.getUrl(), { adminToken: this.adminToken })
  }

  /** Stops the container, giving the emulator 10 s after SIGTERM to save its state (`withPersist`). */
  override stop(options: Partial<StopOptions> = {}): Promise<StoppedTestContainer> {
    return super.stop({ timeout: STOP_GRACE_MS, ...options })
  }

  /** Restarts the container, with the same grace period as {@link stop}. */
  override restart(options: Partial<RestartOptions> = {}): Promise<void> {
    return super.restart({ timeout: STOP_GRACE_MS, ...options })
  }
}
