import { createHash, randomBytes } from 'node:crypto'
import { S2EmulatorError } from '../server/errors/emulator-error.ts'

/** S2's rule for basin names: 8 to 48 lowercase letters, digits and hyphens, no hyphen at either end. */
const MAX_LENGTH = 48
const PREFIX = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/

/** Checks a basin-name prefix once, where it is configured. */
export function checkBasinPrefix(prefix: string): string {
  if (prefix.length > 20 || !PREFIX.test(prefix)) {
    throw new S2EmulatorError(
      'S2EMU_BAD_OPTIONS',
      `basinPrefix "${prefix}" is not usable in a basin name: use up to 20 lowercase letters, digits and hyphens, with no hyphen at either end`,
    )
  }
  return prefix
}

/**
 * A basin name no other test will pick (basin names are global on s2.dev): the prefix, a slug of
 * the test's name (to recognise it in a listing) and 12 random hex digits.
 */
export function uniqueBasinName(prefix: string, label: string): string {
  return basinName(prefix, label, randomBytes(6).toString('hex'))
}

/**
 * The same name every run for the same `key` (a test's file and full name), where 12 hex digits
 * of its digest stand for the random ones: a replayed cassette must see the names it recorded.
 */
export function stableBasinName(prefix: string, label: string, key: string): string {
  return basinName(prefix, label, createHash('sha256').update(key).digest('hex').slice(0, 12))
}

function basinName(prefix: string, label: string, suffix: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  const head = [prefix, slug]
    .filter((part) => part !== '')
    .join('-')
    .slice(0, MAX_LENGTH - suffix.length - 1)
    .replace(/-+$/, '')
  return head === '' ? `basin-${suffix}` : `${head}-${suffix}`
}
