import type { AccountChange } from './changes.ts'
import type { Store } from './store.ts'

/** A change that does not fit the state it is replayed on (the log and the snapshot disagree). */
export class ReplayError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReplayError'
  }
}

/**
 * Applies one recorded change to the store, as it was made: replaying a log of changes in order on
 * top of the snapshot it follows rebuilds the state exactly. Store-wide changes (`reset_all`) are
 * applied by the caller with {@link Store.reset}; a `restored` change cannot be replayed (the log
 * writes the whole state instead). Throws {@link ReplayError} when the change does not fit.
 */
export function replayChange(store: Store, namespace: string, change: AccountChange): void {
  const account = store.account(namespace)
  const where = `namespace "${namespace}", basin "${change.basin}"`
  const basinOf = () => {
    const basin = account.basins.get(change.basin)
    if (!basin) throw new ReplayError(`${where}: ${change.kind} of a basin that does not exist`)
    return basin
  }
  const streamOf = (name: string) => {
    const stream = basinOf().streams.get(name)
    if (!stream) throw new ReplayError(`${where}, stream "${name}": ${change.kind} of a stream that does not exist`)
    return stream
  }
  switch (change.kind) {
    case 'basin_created':
      if (account.basins.has(change.basin)) throw new ReplayError(`${where}: created again`)
      account.createBasin(change.basin, change.config, change.idempotencyKey, change.at)
      return
    case 'basin_config':
      basinOf().config = change.config
      return
    case 'basin_deleted':
      basinOf()
      account.deleteBasin(change.basin, change.at)
      return
    case 'stream_created': {
      const basin = basinOf()
      if (basin.streams.has(change.stream)) throw new ReplayError(`${where}, stream "${change.stream}": created again`)
      account.addStream(basin, change.stream, change.config, change.cipher, change.idempotencyKey, change.at)
      return
    }
    case 'stream_config':
      streamOf(change.stream).config = change.config
      return
    case 'stream_deleted':
      streamOf(change.stream)
      account.deleteStream(change.basin, change.stream, change.at)
      return
    case 'purged':
      account.purge(change.basin, change.stream)
      return
    case 'appended':
      try {
        streamOf(change.stream).replayAppend(change.records, change.at, account.trimDelayMs)
      } catch (error) {
        throw error instanceof ReplayError ? error : new ReplayError(`${where}: ${(error as Error).message}`)
      }
      return
    case 'reset':
      if (change.stream === null) account.resetBasin(change.basin)
      else account.resetStream(change.basin, change.stream)
      return
  }
}
