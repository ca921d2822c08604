import { describe, expect, it } from 'vitest'
import { MIN_NODE_VERSION, nodeVersionProblem } from './node-version.ts'

describe('nodeVersionProblem', () => {
  it.each(['22.15.0', 'v22.15.0', '22.15.1', '22.20.0', '23.0.0', '24.21.0', '100.0.0'])('accepts %s', (version) => {
    expect(nodeVersionProblem(version)).toBeNull()
  })

  it.each(['22.14.0', 'v22.14.9', '22.9.0', '20.20.2', '18.19.1', '0.12.0'])('names the version needed for %s', (version) => {
    expect(nodeVersionProblem(version)).toBe(`needs Node.js ${MIN_NODE_VERSION} or newer; this is Node.js v${version.replace(/^v/, '')}`)
  })

  it('accepts the Node running the tests', () => {
    expect(nodeVersionProblem()).toBeNull()
  })
})
