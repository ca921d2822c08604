/**
 * A small pub/sub client built on S2 the way adapters are built, with the race they tend to have:
 * `subscribe()` opens an S2S read session from the tail and returns as soon as the SDK has it (the
 * session's h2c request is still on its way); `publish()` appends over a warm HTTP/1.1
 * connection. A message published right after subscribing can reach the server before the
 * session does: the session then starts after it and never sees it. s2-lite hides the race: its
 * flush acknowledges the append, and makes it readable, only milliseconds later.
 */
import { AppendInput, AppendRecord, S2, type AppendAck, type ReadRecord, type ReadSession, type S2Stream } from '@s2-dev/streamstore'

export interface PubSubTarget {
  readonly url: string
  readonly token: string
  readonly basin: string
  readonly stream: string
}

export class PubSub {
  readonly #publisher: S2Stream
  readonly #subscriber: S2Stream
  readonly #subscriptions: Subscription[] = []

  constructor({ url, token, basin, stream }: PubSubTarget) {
    const client = (): S2 => new S2({ accessToken: token, endpoints: { account: url, basin: url }, retry: { maxAttempts: 1 } })
    this.#publisher = client().basin(basin).stream(stream, { forceTransport: 'fetch' })
    this.#subscriber = client().basin(basin).stream(stream, { forceTransport: 's2s' })
  }

  /** Opens the publisher's HTTP/1.1 connection, as a long-running service has it open. */
  async warm(): Promise<void> {
    await this.#publisher.checkTail()
  }

  /** Subscribes from the tail: messages published from now on (so the adapter assumes). */
  async subscribe(): Promise<Subscription> {
    const session = await this.#subscriber.readSession({ start: { from: { tailOffset: 0 } } })
    const subscription = new Subscription(session)
    this.#subscriptions.push(subscription)
    return subscription
  }

  publish(body: string): Promise<AppendAck> {
    return this.#publisher.append(AppendInput.create([AppendRecord.string({ body })]))
  }

  async close(): Promise<void> {
    await Promise.all(this.#subscriptions.splice(0).map((s) => s.close()))
    await Promise.all([this.#publisher.close(), this.#subscriber.close()])
  }
}

export class Subscription {
  readonly #iterator: AsyncIterator<ReadRecord<'string'>>

  constructor(session: ReadSession<'string'>) {
    this.#iterator = session[Symbol.asyncIterator]()
  }

  /** The next message delivered. */
  async next(): Promise<string> {
    const { value, done } = await this.#iterator.next()
    if (done) throw new Error('the subscription ended')
    return value.body
  }

  /** Ends the read session (its reader is the iterator's, so the iterator ends it). */
  async close(): Promise<void> {
    await this.#iterator.return?.().catch(() => {})
  }
}
