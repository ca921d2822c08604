import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { basename, extname } from 'node:path'
import { GenericContainer } from 'testcontainers'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import type { FaultRuleInput } from '../server/faults/index.ts'
import type { InitSpec } from '../server/seed/init-file.ts'
import type { RecordSeed } from '../server/seed/records-file.ts'
import { HealthWaitStrategy, S2_EMULATOR_PORT } from './health-wait.ts'
import { buildS2EmulatorImage, defaultImageTag } from './image.ts'
import { StartedS2EmulatorContainer } from './started-s2-emulator-container.ts'

/** Where the files given to `with...` methods go in the container. */
const FILES_DIR = '/s2-emulator'
/** Where `withPersist` mounts its volume (the image's `/data`, owned by its user). */
const PERSIST_DIR = '/data'

/** A free TCP port on 127.0.0.1, for an emulator on the host's network. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

const portOf = (port: unknown): number | undefined =>
  typeof port === 'number' ? port : typeof port === 'string' ? Number.parseInt(port, 10) : (port as { container?: number }).container

/**
 * The s2-emulator in a container, for Testcontainers. The emulator's options are `with...`
 * methods; `start()` waits until `/health` answers and resolves with a
 * {@link StartedS2EmulatorContainer} (URLs, the `S2_*` environment, the controls).
 *
 * ```ts
 * await using emulator = await new S2EmulatorContainer().withIsolation('token').start()
 * const s2 = new S2({ accessToken: 'test', endpoints: { account: emulator.getUrl(), basin: emulator.getUrl() } })
 * ```
 *
 * Without an image, it builds `s2-emulator:<version>` from the Dockerfile in the package (once per
 * version; see {@link buildS2EmulatorImage}). With `withNetworkMode('host')` (or, when no network
 * is chosen, the `S2_EMULATOR_NETWORK_MODE` environment variable: for CI machines without bridge
 * networking) the emulator listens on 127.0.0.1 of the host, on a free port (or {@link withPort}'s);
 * otherwise on 4243 in the container, mapped to a free port of the host.
 */
export class S2EmulatorContainer extends GenericContainer {
  private readonly buildOnStart: boolean
  private readonly recordFiles: string[] = []
  private hostNetworkPort: number | undefined
  private adminToken: string | undefined
  private rootToken: string | undefined

  /** @param image an s2-emulator image; [default: `s2-emulator:<version>`, built from the package when needed] */
  constructor(image?: string) {
    super(image ?? defaultImageTag())
    this.buildOnStart = image === undefined
    this.withWaitStrategy(new HealthWaitStrategy())
  }

  /** `'token'`: each bearer token gets its own account (namespace); `'none'`: tokens are ignored. [default 'none'] */
  withIsolation(mode: 'none' | 'token'): this {
    if (mode !== 'none' && mode !== 'token') throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `isolation must be 'none' or 'token', got '${String(mode)}'`)
    return this.withEnvironment({ S2E_ISOLATION: mode })
  }

  /**
   * `'virtual'`: time stands still until the controls move it; `'system'`: the wall clock.
   * `startTime`: the clock's time at start, ms since the epoch or ISO 8601. [default 'system', now]
   */
  withClock(mode: 'system' | 'virtual', options: { startTime?: number | string } = {}): this {
    if (mode !== 'system' && mode !== 'virtual') throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `clock must be 'system' or 'virtual', got '${String(mode)}'`)
    this.withEnvironment({ S2E_CLOCK: mode })
    return options.startTime === undefined ? this : this.withEnvironment({ S2E_START_TIME: String(options.startTime) })
  }

  /** Fault rules armed from the start, and the seed of their random draws (see the README's fault section). */
  withFaults(rules: readonly FaultRuleInput[], options: { seed?: number } = {}): this {
    const target = `${FILES_DIR}/faults.json`
    return this.withCopyContentToContainer([{ content: JSON.stringify({ ...options, rules }), target }]).withEnvironment({ S2E_FAULTS: target })
  }

  /** Basins and streams to ensure at start: an s2-lite init spec, or the path of an init file on this machine. */
  withInit(spec: InitSpec | string): this {
    const target = `${FILES_DIR}/init.json`
    if (typeof spec === 'string') this.withCopyFilesToContainer([{ source: spec, target }])
    else this.withCopyContentToContainer([{ content: JSON.stringify(spec), target }])
    return this.withEnvironment({ S2E_INIT: target })
  }

  /**
   * Records to append at start, after the init spec: an array of records, or the path of a `.json`
   * or `.ndjson` file on this machine. Repeatable; applied in order.
   */
  withRecords(records: readonly RecordSeed[] | string): this {
    const n = this.recordFiles.length + 1
    if (typeof records === 'string') {
      const target = `${FILES_DIR}/records-${n}-${basename(records, extname(records))}${extname(records)}`
      this.withCopyFilesToContainer([{ source: records, target }])
      this.recordFiles.push(target)
    } else {
      const target = `${FILES_DIR}/records-${n}.json`
      this.withCopyContentToContainer([{ content: JSON.stringify(records), target }])
      this.recordFiles.push(target)
    }
    return this.withEnvironment({ S2E_RECORDS: this.recordFiles.join(',') })
  }

  /** Start from the state in a snapshot file on this machine (written by `snapshots.export` or `download`). */
  withSnapshotFile(path: string): this {
    const target = `${FILES_DIR}/start.s2snap`
    return this.withCopyFilesToContainer([{ source: path, target }]).withEnvironment({ S2E_SNAPSHOT: target })
  }

  /**
   * Keep the state across restarts in `volume`, mounted at `/data`: a Docker volume's name, or an
   * absolute directory of the host (writable by uid 1000). The state is loaded at start and saved
   * when the container stops (SIGTERM; `stop()` gives it 10 s).
   */
  withPersist(volume: string): this {
    return this.withBindMounts([{ source: volume, target: PERSIST_DIR }]).withEnvironment({ S2E_PERSIST: PERSIST_DIR })
  }

  /**
   * Reproduce s2.dev where it differs from s2-lite (`'cloud'`: access tokens enforced, metrics,
   * locations). The cloud profile's root token is `rootToken`, or a new random one; `getEnv()`
   * hands it to clients. [default 'lite']
   */
  withProfile(profile: 'lite' | 'cloud', options: { rootToken?: string } = {}): this {
    this.withEnvironment({ S2E_PROFILE: profile })
    if (profile !== 'cloud') return this
    this.rootToken = options.rootToken ?? `s2e_root_${randomBytes(18).toString('base64url')}`
    return this.withEnvironment({ S2E_ROOT_TOKEN: this.rootToken })
  }

  /** Require this token on every admin API request; `getControls()` sends it. [default none] */
  withAdminToken(token: string): this {
    this.adminToken = token
    return this.withEnvironment({ S2E_ADMIN_TOKEN: token })
  }

  /** With host networking: the port to listen on. [default a free port] */
  withPort(port: number): this {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `port must be an integer from 1 to 65535, got ${port}`)
    this.hostNetworkPort = port
    return this
  }

  override async start(): Promise<StartedS2EmulatorContainer> {
    if (this.buildOnStart) await buildS2EmulatorImage({ tag: this.imageName.string })
    const defaultMode = process.env.S2_EMULATOR_NETWORK_MODE
    if (this.networkMode === undefined && defaultMode) this.withNetworkMode(defaultMode)
    const hostNetwork = this.networkMode === 'host'
    if (hostNetwork) {
      // The host's interfaces are the container's: stay on loopback.
      this.withEnvironment({ S2E_HOST: '127.0.0.1', S2E_PORT: String(this.hostNetworkPort ?? (await freePort())) })
    } else if (!this.exposedPorts.some((port) => portOf(port) === S2_EMULATOR_PORT)) {
      this.withExposedPorts(S2_EMULATOR_PORT)
    }
    const started = await super.start()
    const port = hostNetwork ? Number(this.environment.S2E_PORT) : undefined
    return new StartedS2EmulatorContainer(started, { hostNetworkPort: port, networkAliases: [...this.networkAliases], adminToken: this.adminToken, rootToken: this.rootToken })
  }
}
