import { errors } from '../errors/index.ts'

/**
 * The locations the cloud profile offers: the service's public AWS regions as its specs list them
 * (`aws:us-east-1` is the default a basin gets without one). None is private. Each namespace (an
 * account) has its own default, which `PUT /v1/locations/default` changes.
 */
export const LOCATIONS = ['aws:us-east-1', 'aws:us-west-2', 'aws:eu-north-1'] as const
export const DEFAULT_LOCATION = 'aws:us-east-1'

export interface LocationInfo {
  readonly name: string
  readonly isPrivate: boolean
}

export class Locations {
  readonly #defaults = new Map<string, string>()

  list(): LocationInfo[] {
    return LOCATIONS.map((name) => ({ name, isPrivate: false }))
  }

  /** The location a name refers to; 422 if the emulator does not offer it. */
  check(name: string): string {
    if (!(LOCATIONS as readonly string[]).includes(name)) {
      throw errors.invalid(`location \`${name}\` is not available: the locations are ${LOCATIONS.map((l) => `\`${l}\``).join(', ')}`)
    }
    return name
  }

  defaultOf(namespace: string): string {
    return this.#defaults.get(namespace) ?? DEFAULT_LOCATION
  }

  setDefault(namespace: string, name: string): void {
    this.#defaults.set(namespace, this.check(name))
  }

  /** Forgets a namespace's default (or every namespace's). */
  clear(namespace?: string): void {
    if (namespace === undefined) this.#defaults.clear()
    else this.#defaults.delete(namespace)
  }
}
