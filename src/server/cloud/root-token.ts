import { randomBytes } from 'node:crypto'

/** A fresh, unguessable root token for a cloud-profile emulator started without one. */
export function newRootToken(): string {
  return `s2e_root_${randomBytes(18).toString('base64url')}`
}
