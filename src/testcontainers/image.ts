import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getContainerRuntimeClient, ImageName } from 'testcontainers'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'
import { digestOf, imageFiles, writeImageContext } from './image-context.ts'
import { packageRoot, readManifest } from './package-files.ts'

/** The label holding what an image was built from, so an unchanged package reuses it. */
export const IMAGE_BUILD_LABEL = 'dev.s2-emulator.build'

/** Options of {@link buildS2EmulatorImage}; every field is optional. */
export interface BuildS2EmulatorImageOptions {
  /** The image's name. [default `s2-emulator:<package version>`] */
  tag?: string
  /**
   * The image to build on: any with Node.js >= 22.15 as `node` on its PATH.
   * [default the `S2_EMULATOR_BASE_IMAGE` environment variable, else the Dockerfile's `node:24-alpine`]
   */
  baseImage?: string
  /** Build even when an image of that name was built from the same files on the same base. [default false] */
  force?: boolean
}

/** The name the module builds the image under: `s2-emulator:<package version>`. */
export function defaultImageTag(): string {
  return `s2-emulator:${readManifest(packageRoot()).version}`
}

/**
 * Writes the image's build context into `dir` (the Dockerfile, `app/` with the package and its
 * runtime dependencies, an empty `data/`), to build it elsewhere: `docker build -t s2-emulator dir`.
 * Resolves with the package's version.
 */
export async function writeS2EmulatorImageContext(dir: string): Promise<{ version: string }> {
  const { version } = await writeImageContext(dir)
  return { version }
}

/** Builds (or checks) of this process, by tag and base: each is done once per process. */
const builds = new Map<string, Promise<string>>()

/**
 * Builds the s2-emulator image from the package's Dockerfile, its built files and its runtime
 * dependencies (no network needed but for pulling the base image), and resolves with its name. An
 * image of that name built from the same files on the same base is reused, so it builds once per
 * version, and checks once per process.
 */
export function buildS2EmulatorImage(options: BuildS2EmulatorImageOptions = {}): Promise<string> {
  const tag = options.tag ?? defaultImageTag()
  const baseImage = options.baseImage ?? (process.env.S2_EMULATOR_BASE_IMAGE || undefined)
  const key = JSON.stringify([tag, baseImage])
  let build = options.force === true ? undefined : builds.get(key)
  if (build === undefined) {
    build = buildImage(tag, baseImage, options.force === true)
    builds.set(key, build)
    build.catch(() => builds.delete(key))
  }
  return build
}

async function buildImage(tag: string, baseImage: string | undefined, force: boolean): Promise<string> {
  let dir: string | undefined
  try {
    const files = await imageFiles()
    const built = createHash('sha256').update(`${await digestOf(files)}\n${baseImage ?? ''}`).digest('hex')
    const client = await getContainerRuntimeClient()
    const name = ImageName.fromString(tag)
    let previous: string | undefined
    if (await client.image.exists(name)) {
      const info = await client.image.inspect(name)
      if (!force && info.Config?.Labels?.[IMAGE_BUILD_LABEL] === built) return tag
      previous = info.Id
    }
    dir = await mkdtemp(join(tmpdir(), 's2-emulator-image-'))
    await writeImageContext(dir, files)
    const dockerode = client.container.dockerode
    const stream = await dockerode.buildImage(
      { context: dir, src: ['Dockerfile', 'app', 'data'] },
      { t: tag, buildargs: baseImage === undefined ? {} : { BASE_IMAGE: baseImage }, labels: { [IMAGE_BUILD_LABEL]: built } },
    )
    // The build's errors come as messages in its output, not as a failed request.
    const output = await new Promise<{ error?: string; stream?: string }[]>((resolve, reject) =>
      dockerode.modem.followProgress(stream, (error: Error | null, messages: { error?: string; stream?: string }[]) =>
        error ? reject(error) : resolve(messages),
      ),
    )
    const failed = output.find((message) => message.error !== undefined)
    if (failed !== undefined) {
      const log = output.map((message) => message.stream ?? '').join('').trim()
      throw new Error(`${failed.error}\n${log}`)
    }
    // The image the tag named before is left without a name: remove it unless a container uses it.
    if (previous !== undefined && previous !== (await dockerode.getImage(tag).inspect()).Id) {
      await dockerode.getImage(previous).remove().catch(() => undefined)
    }
    return tag
  } catch (error) {
    if (error instanceof S2EmulatorError) throw error
    throw new S2EmulatorError(
      'S2EMU_IMAGE_BUILD_FAILED',
      `building the image ${tag}${baseImage === undefined ? '' : ` on ${baseImage}`} failed: ${(error as Error).message}`,
      { cause: error },
    )
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  }
}
