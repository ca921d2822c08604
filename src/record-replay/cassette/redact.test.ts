import { describe, expect, it } from 'vitest'
import { redactHeaders, redactionRules, redactJson } from './redact.ts'

describe('redaction', () => {
  const rules = redactionRules({ headers: ['X-Tenant'], jsonFields: ['secret', 'config.*.password'] })

  it('always covers the token, the encryption key and issued access tokens, plus the user rules', () => {
    expect(rules).toEqual({
      headers: ['authorization', 's2-encryption-key', 'x-tenant'],
      jsonFields: ['access_token', 'secret', 'config.*.password'],
    })
    expect(redactHeaders({ authorization: 'Bearer t', 'x-tenant': 'a', accept: '*/*' }, rules)).toEqual({
      authorization: '[REDACTED]',
      'x-tenant': '[REDACTED]',
      accept: '*/*',
    })
  })

  it('matches a plain name at any depth and a dotted path from the root, through arrays', () => {
    const value = { secret: 1, list: [{ secret: 2, keep: 3 }], config: { db: { password: 'p', user: 'u' } }, password: 'top' }
    expect(redactJson(value, rules)).toEqual({
      changed: true,
      value: { secret: '[REDACTED]', list: [{ secret: '[REDACTED]', keep: 3 }], config: { db: { password: '[REDACTED]', user: 'u' } }, password: 'top' },
    })
    expect(redactJson({ keep: 1 }, rules)).toEqual({ changed: false, value: { keep: 1 } })
  })
})
