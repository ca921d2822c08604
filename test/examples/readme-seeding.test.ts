import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { startS2Emulator } from '../../src/index.ts'
import { raw } from '../support/emulator.ts'

/** The README's seeding section: its init file and records file work as it says. */

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const section = readme.slice(readme.indexOf('## Seeding'), readme.indexOf('## What it implements'))
const block = (lang: string): string => {
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section)
  if (!match) throw new Error(`no \`\`\`${lang} block in the README's seeding section`)
  return match[1] as string
}

const dir = mkdtempSync(join(tmpdir(), 's2emu-readme-seeding-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it("seeds the README's init.json and orders.ndjson as described", async () => {
  const init = join(dir, 'init.json')
  const records = join(dir, 'orders.ndjson')
  writeFileSync(init, block('json'))
  writeFileSync(records, block('jsonl'))
  const emulator = await startS2Emulator({ clock: 'virtual', startTime: '2026-06-01T00:00:00Z', init, records: [records] })
  try {
    const config = await raw(emulator.url, 'GET', '/v1/streams/orders', { headers: { 's2-basin': 'my-basin-01' } })
    expect(config.json).toEqual({
      storage_class: 'standard',
      retention_policy: { infinite: {} },
      timestamping: { mode: 'client-prefer', uncapped: false },
      delete_on_empty: { min_age_secs: 86400 },
    })
    const read = await raw(emulator.url, 'GET', '/v1/streams/orders/records?seq_num=0', { headers: { 's2-basin': 'my-basin-01' } })
    expect(read.json).toEqual({
      records: [
        { seq_num: 0, timestamp: 1767225600000, headers: [['type', 'created']], body: 'first' },
        { seq_num: 1, timestamp: Date.parse('2026-06-01T00:00:00Z'), body: 'second' },
      ],
    })
    // Applying the same file again changes nothing.
    const again = await emulator.init(JSON.parse(block('json')) as Parameters<typeof emulator.init>[0])
    expect(again.basins).toEqual([{ name: 'my-basin-01', result: 'noop', streams: [{ name: 'orders', result: 'noop' }] }])
  } finally {
    await emulator.stop()
  }
})
