import { describe, expect, it } from 'vitest'
import { networkUrl } from './network-url.ts'

// The container tests run with host networking only (the CI machines have no bridge); the
// user-defined-network forms are checked here, without a container.
describe('networkUrl', () => {
  const noIp = (): string => {
    throw new Error('the IP address is not needed')
  }

  it('is loopback and the port for a container on the host network, whatever its aliases', () => {
    expect(networkUrl({ hostNetworkPort: 41234, aliases: ['s2'], ipAddress: noIp })).toBe('http://127.0.0.1:41234')
  })

  it('is the first network alias and port 4243 on a user-defined network', () => {
    expect(networkUrl({ hostNetworkPort: undefined, aliases: ['s2', 'emulator'], ipAddress: noIp })).toBe('http://s2:4243')
  })

  it('is the IP address and port 4243 without an alias, in brackets for IPv6', () => {
    expect(networkUrl({ hostNetworkPort: undefined, aliases: [], ipAddress: () => '172.18.0.5' })).toBe('http://172.18.0.5:4243')
    expect(networkUrl({ hostNetworkPort: undefined, aliases: [], ipAddress: () => 'fd00::5' })).toBe('http://[fd00::5]:4243')
  })

  it('fails, saying why, for a container with no address (network "none")', () => {
    expect(() => networkUrl({ hostNetworkPort: undefined, aliases: [], ipAddress: () => '' })).toThrow(/no network address/)
  })
})
