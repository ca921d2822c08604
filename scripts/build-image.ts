// `npm run image [-- options]`: builds the s2-emulator image from this checkout (after `npm run build`).
//   --base-image IMAGE   the image to build on (default: S2_EMULATOR_BASE_IMAGE, else node:24-alpine)
//   --tag NAME           the image's name (default: s2-emulator:<version>)
//   --context DIR        only write the build context to DIR, for `docker build DIR` elsewhere
import { parseArgs } from 'node:util'
import { getContainerRuntimeClient, ImageName } from 'testcontainers'
import { buildS2EmulatorImage, writeS2EmulatorImageContext } from '../src/testcontainers/image.ts'

const { values } = parseArgs({
  options: { 'base-image': { type: 'string' }, tag: { type: 'string' }, context: { type: 'string' } },
})

if (values.context !== undefined) {
  const context = await writeS2EmulatorImageContext(values.context)
  console.log(`wrote the build context of s2-emulator ${context.version} to ${values.context}; build it with:`)
  console.log(`  docker build -t s2-emulator:${context.version} ${values.context}`)
} else {
  const started = performance.now()
  const tag = await buildS2EmulatorImage({
    ...(values.tag === undefined ? {} : { tag: values.tag }),
    ...(values['base-image'] === undefined ? {} : { baseImage: values['base-image'] }),
  })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const info = await (await getContainerRuntimeClient()).image.inspect(ImageName.fromString(tag))
  console.log(`image ${tag}: ${(info.Size / 1e6).toFixed(0)} MB (${info.Id.slice(7, 19)}), ready in ${seconds} s`)
}
