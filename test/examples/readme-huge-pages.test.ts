import { readFileSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { childEnv, httpGet, killAll, spawnProcess, started } from '../support/process.ts'

/**
 * The README's "Huge pages on Linux": with the variable it gives, the emulator's heap grows in 2 MiB
 * pages (AnonHugePages in /proc), without it in 4 KiB ones. It can only be seen where Linux offers
 * them on request (transparent huge pages `madvise`) and Node runs on glibc 2.35 or later.
 */

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const section = readme.slice(readme.indexOf('### Huge pages on Linux'))
const tunable = /^GLIBC_TUNABLES=(\S+) npx s2-emulator/m.exec(section)?.[1]

const thpMode = (): string | null => {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? null
  } catch {
    return null
  }
}
const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime
const [major = 0, minor = 0] = (glibc ?? '').split('.').map(Number)
const glibcOk = major > 2 || (major === 2 && minor >= 35)
const why = process.platform !== 'linux' ? 'not Linux' : thpMode() !== 'madvise' ? `transparent huge pages are ${thpMode() ?? 'absent'}, not madvise` : !glibcOk ? `glibc ${glibc ?? 'absent'} (musl?)` : null

afterEach(async () => {
  await killAll()
})

/** AnonHugePages of the CLI's process, in KiB, after appending 30 MiB of records to it. */
async function hugePagesAfterLoad(env: NodeJS.ProcessEnv): Promise<number> {
  const p = spawnProcess(process.execPath, ['src/cli.ts', '--port', '0'], { env })
  const { url } = await started(p)
  const post = async (path: string, body: unknown, basin?: string): Promise<void> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(basin ? { 's2-basin': basin } : {}) }, body: JSON.stringify(body) })
    expect(res.status, await res.clone().text()).toBeLessThan(300)
  }
  await post('/v1/basins', { basin: 'huge-pages' })
  await post('/v1/streams', { stream: 's' }, 'huge-pages')
  const records = Array.from({ length: 500 }, (_, i) => ({ body: `${i}`.padEnd(1024, 'x') }))
  for (let i = 0; i < 60; i++) await post('/v1/streams/s/records', { records }, 'huge-pages')
  expect((await httpGet(`${url}/v1/streams/s/records/tail`, { 's2-basin': 'huge-pages' })).text).toContain('"seq_num":30000')
  const rollup = readFileSync(`/proc/${p.child.pid}/smaps_rollup`, 'utf8')
  return Number(/^AnonHugePages:\s+(\d+) kB$/m.exec(rollup)?.[1] ?? NaN)
}

it('finds the variable in the README', () => {
  expect(tunable).toBe('glibc.malloc.hugetlb=1')
})

it.skipIf(why !== null)(`backs the heap with huge pages with the README's variable, and not without it${why ? ` (skipped: ${why})` : ''}`, async () => {
  const { GLIBC_TUNABLES: _, ...plain } = childEnv()
  expect(await hugePagesAfterLoad(plain)).toBe(0)
  // 30 MiB of records: at least a few 2 MiB pages' worth of them in huge pages.
  expect(await hugePagesAfterLoad({ ...plain, GLIBC_TUNABLES: tunable })).toBeGreaterThanOrEqual(8 * 1024)
}, 60_000)
