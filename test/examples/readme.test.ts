import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const tsBlocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])

describe('the README examples', () => {
  it('shows examples/quickstart.ts word for word', () => {
    expect(tsBlocks[0]).toBe(readFileSync(new URL('../../examples/quickstart.ts', import.meta.url), 'utf8'))
  })

  it('shows test/examples/readme-vitest.test.ts word for word', () => {
    expect(tsBlocks[1]).toBe(readFileSync(new URL('./readme-vitest.test.ts', import.meta.url), 'utf8'))
  })

  it('shows test/examples/readme-faults.test.ts word for word', () => {
    expect(tsBlocks[2]).toBe(readFileSync(new URL('./readme-faults.test.ts', import.meta.url), 'utf8'))
  })

  it('shows test/examples/readme-state.test.ts word for word', () => {
    expect(tsBlocks.find((b) => b?.includes('Each test gets a namespace of its own'))).toBe(
      readFileSync(new URL('./readme-state.test.ts', import.meta.url), 'utf8'),
    )
  })

  it('shows test/examples/readme-record-replay.test.ts word for word', () => {
    expect(tsBlocks.find((b) => b?.includes("from 's2-emulator/record-replay'"))).toBe(
      readFileSync(new URL('./readme-record-replay.test.ts', import.meta.url), 'utf8'),
    )
  })

  it('runs the quick start and prints what the README says', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await import('../../examples/quickstart.ts')
      expect(log).toHaveBeenCalledWith(['hello'])
    } finally {
      log.mockRestore()
    }
  })
})
