// The image's entry point: runs the package's `s2-emulator` bin, wherever the package's build put it
// (read from package.json, so the image does not depend on the layout of dist/).
import { readFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['s2-emulator']
await import(new URL(`../${bin}`, import.meta.url).href)
