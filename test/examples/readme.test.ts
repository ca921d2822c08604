import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const tsBlocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
const jsBlocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
const file = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8')

describe('the README examples', () => {
  // The example projects (examples/vitest, examples/jest-cjs) run in runner-examples.test.ts.
  it('starts with the vitest example project: its config, then a test file', () => {
    expect(tsBlocks[0]).toBe(file('../../examples/vitest/vitest.config.ts'))
    expect(tsBlocks[1]).toBe(file('../../examples/vitest/test/orders.test.ts'))
    expect(tsBlocks[2]).toBe(file('../../examples/vitest/test/catalog.test.ts'))
    expect(tsBlocks[3]).toBe(file('../../examples/vitest/test/replayed.test.ts'))
  })

  it('shows the jest example project: its config and a test file', () => {
    expect(jsBlocks[0]).toBe(file('../../examples/jest-cjs/jest.config.js'))
    expect(jsBlocks[1]).toBe(file('../../examples/jest-cjs/test/inventory.test.js'))
  })

  it('shows examples/quickstart.ts word for word', () => {
    expect(tsBlocks[4]).toBe(file('../../examples/quickstart.ts'))
  })

  it('shows test/examples/readme-vitest.test.ts word for word', () => {
    expect(tsBlocks[5]).toBe(file('./readme-vitest.test.ts'))
  })

  it('shows test/examples/readme-faults.test.ts word for word', () => {
    expect(tsBlocks[6]).toBe(file('./readme-faults.test.ts'))
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

  it('shows test/examples/readme-cloud.test.ts word for word', () => {
    expect(tsBlocks.find((b) => b?.includes("profile: 'cloud'"))).toBe(readFileSync(new URL('./readme-cloud.test.ts', import.meta.url), 'utf8'))
  })

  it('shows test/examples/readme-matchers.test.ts word for word', () => {
    expect(tsBlocks.find((b) => b?.includes("from 's2-emulator/matchers'"))).toBe(
      readFileSync(new URL('./readme-matchers.test.ts', import.meta.url), 'utf8'),
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
