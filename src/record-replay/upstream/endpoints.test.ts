import { describe, expect, it } from 'vitest'
import { endpointProblem, RoutingError, upstreamTarget } from './endpoints.ts'

const target = (endpoints: { account: string; basin?: string }, path: string, query = '', basin?: string) => {
  const t = upstreamTarget(endpoints, path, query, basin)
  return `${t.origin.origin}${t.path}`
}

describe('upstreamTarget', () => {
  it('sends account calls to the account endpoint and stream calls to the basin endpoint', () => {
    const endpoints = { account: 'https://a.s2.dev', basin: 'https://b.example.test' }
    expect(target(endpoints, '/v1/basins', 'prefix=x')).toBe('https://a.s2.dev/v1/basins?prefix=x')
    expect(target(endpoints, '/v1/streams/orders/records', 'seq_num=0', 'my-basin')).toBe('https://b.example.test/v1/streams/orders/records?seq_num=0')
    expect(target({ account: 'http://127.0.0.1:8080' }, '/v1/streams', '', 'my-basin')).toBe('http://127.0.0.1:8080/v1/streams')
  })

  it('fills {basin} from the s2-basin header: verbatim in the host, encoded in the path', () => {
    expect(target({ account: 'a.s2.dev', basin: '{basin}.b.s2.dev' }, '/v1/streams/s/records', '', 'my-basin')).toBe(
      'https://my-basin.b.s2.dev/v1/streams/s/records',
    )
    expect(target({ account: 'http://h:1', basin: 'http://h:1/b/{basin}/v1' }, '/v1/streams', '', 'my-basin')).toBe('http://h:1/b/my-basin/v1/streams')
    expect(() => upstreamTarget({ account: 'a', basin: 'https://{basin}.b.s2.dev' }, '/v1/streams', '', undefined)).toThrow(RoutingError)
  })

  it('treats a trailing /v1 (or none) as the API root and keeps any other prefix, and the path as written', () => {
    expect(target({ account: 'http://h:1/v1' }, '/v1/basins')).toBe('http://h:1/v1/basins')
    expect(target({ account: 'http://h:1/proxy/' }, '/v1/basins')).toBe('http://h:1/proxy/v1/basins')
    expect(target({ account: 'http://h:1' }, '/v1/streams/a%2F..%2Fb')).toBe('http://h:1/v1/streams/a%2F..%2Fb')
  })
})

describe('endpointProblem', () => {
  it('accepts what the SDK accepts and names what it does not', () => {
    for (const ok of ['a.s2.dev', 'https://{basin}.b.s2.dev', 'http://127.0.0.1:8080', 'http://[::1]:1/v1']) expect(endpointProblem(ok)).toBeNull()
    expect(endpointProblem('ftp://x')).toMatch(/must be http:\/\/ or https:\/\//)
    expect(endpointProblem('http://x/?a=1')).toMatch(/must not have a query/)
    expect(endpointProblem('http://')).toMatch(/is not a URL/)
  })
})
