import { Account, type StoreObserver } from './account.ts'

export interface StoreOptions {
  /** How long a deleted basin or stream stays listed (and blocks its name) before it is purged. */
  readonly purgeDelayMs: number
}

/**
 * All emulator state: accounts by namespace. With isolation off there is one namespace, `""`.
 * Namespaces come into being on first use.
 */
export class Store {
  readonly #accounts = new Map<string, Account>()
  readonly #observer: StoreObserver
  readonly #options: StoreOptions

  constructor(observer: StoreObserver, options: StoreOptions) {
    this.#observer = observer
    this.#options = options
  }

  account(namespace: string): Account {
    let account = this.#accounts.get(namespace)
    if (!account) {
      account = new Account(this.#observer, this.#options.purgeDelayMs)
      this.#accounts.set(namespace, account)
    }
    return account
  }

  accounts(): IterableIterator<Account> {
    return this.#accounts.values()
  }
}
