import type { Access } from '../../auth/access.ts'

/** Cloud profile: an ensure (PUT) needs `create-*` to make a missing resource and `reconfigure-*` to change one. */
export function requireEnsure(access: Access | undefined, exists: boolean, kind: 'basin' | 'stream'): void {
  access?.require(exists ? `reconfigure-${kind}` : `create-${kind}`)
}
