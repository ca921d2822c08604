import type { Connection } from '../../server/http/connection.ts'
import { FrameDecoder, terminalFrame } from '../../server/http/sessions/s2s-frame.ts'
import type { CassetteEntry, FrameEntry, RecordedSession, RedactionRules, SseEventEntry } from '../cassette/types.ts'
import { canonicalJson } from '../match/json-diff.ts'
import type { ReplayMiss } from '../match/matcher.ts'
import { encodeBody, fromBase64 } from '../wire/bodies.ts'
import { entryToFrame, frameToEntry } from '../wire/frames.ts'
import { forwardable } from '../wire/http-headers.ts'
import { entryToEvent } from '../wire/sse.ts'
import { missBody, MISS_STATUS } from './miss.ts'
import { waitUntil } from './timing.ts'

export interface ReplayContext {
  /** Multiplies recorded gaps (0: as fast as possible). */
  readonly scale: number
  readonly connection: Connection
  readonly rules: RedactionRules
  /** Reports a session whose input departs from the recording. */
  readonly onMiss: (miss: ReplayMiss) => void
  /** Aborts when the replayer stops. */
  readonly signal: AbortSignal
}

const NO_BODY = new Set([101, 204, 205, 304])

function responseHeaders(entry: CassetteEntry): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(forwardable(entry.response.headers))) headers.set(name, value)
  return headers
}

/** The response a recorded exchange gave, served again: a whole body, or a session frame by frame. */
export async function replayResponse(entry: CassetteEntry, request: Request, ctx: ReplayContext, arrived: number): Promise<Response> {
  const { response } = entry
  const session = entry.session
  // A session with output, or one left open, streams; one that ended with nothing sent is a plain answer.
  const streaming = session !== undefined && response.status < 300 && (session.output.length > 0 || session.end.kind !== 'complete')
  if (!streaming) {
    await waitUntil(arrived + entry.duration * ctx.scale, ctx.signal)
    const body = NO_BODY.has(response.status) ? null : encodeBody(response.body, response.headers['content-encoding'])
    return new Response(body, { status: response.status, headers: responseHeaders(entry) })
  }
  await waitUntil(arrived + response.at * ctx.scale, ctx.signal)
  return new Response(sessionBody(entry, session, request, ctx), { status: response.status, headers: responseHeaders(entry) })
}

const encodeOutput = (item: FrameEntry | SseEventEntry): Uint8Array =>
  'type' in item ? entryToFrame(item) : new TextEncoder().encode(entryToEvent(item))

/** Input frames compare by their message, not by timing or compression. */
const inputKey = (frame: FrameEntry): string =>
  frame.type === 'terminal'
    ? canonicalJson({ terminal: frame.status, body: frame.body })
    : frame.type === 'bytes'
      ? canonicalJson({ bytes: frame.raw })
      : canonicalJson({ [frame.type]: frame.message, format: frame.format ?? 'raw' })

/**
 * A recorded session's output, paced as recorded (scaled): each output waits for the input frames
 * that came before it in the recording (acks follow their appends) and for its recorded gap after
 * whichever came last, the previous output or that input. Input frames are checked against the
 * recorded ones; the first that differs ends the session with a terminal miss frame.
 */
function sessionBody(entry: CassetteEntry, session: RecordedSession, request: Request, ctx: ReplayContext): ReadableStream<Uint8Array> {
  const recordedInput = session.input ?? []
  const abort = new AbortController()
  const stop = (): void => abort.abort()
  ctx.signal.addEventListener('abort', stop, { once: true })
  /** When each input frame arrived, in replay time. */
  const inputTimes: number[] = []
  let inputEnded = false
  let wake: (() => void) | null = null
  const notify = (): void => {
    const w = wake
    wake = null
    w?.()
  }
  abort.signal.addEventListener('abort', notify, { once: true })
  let failure: ReplayMiss | null = null
  const fail = (detail: string): void => {
    failure ??= {
      method: entry.request.method,
      path: entry.request.path,
      ...(entry.basin ? { basin: entry.basin } : {}),
      ...(entry.stream ? { stream: entry.stream } : {}),
      transport: entry.transport,
      reason: 'session_input',
      nearest: { id: entry.id, differences: [detail] },
      message: `the session replaying #${entry.id} (${entry.request.method} ${entry.request.path}) got input the recording does not have: ${detail}`,
    }
    notify()
  }

  const readInput = async (): Promise<void> => {
    const reader = request.body?.getReader()
    if (!reader) {
      inputEnded = true
      return
    }
    const decoder = new FrameDecoder({ acceptReconnectAdvised: true })
    try {
      while (!abort.signal.aborted) {
        const { done, value } = await reader.read()
        if (done) break
        for (const frame of decoder.push(value)) {
          const index = inputTimes.length
          inputTimes.push(performance.now())
          const got = frameToEntry(frame, 0, 'AppendInput', ctx.rules)
          const expected = recordedInput[index]
          if (expected === undefined) fail(`input frame ${index + 1} was not recorded (the recording has ${recordedInput.length})`)
          else if (inputKey(got) !== inputKey(expected)) {
            fail(`input frame ${index + 1} differs: recorded ${inputKey(expected).slice(0, 200)}, got ${inputKey(got).slice(0, 200)}`)
          }
          notify()
        }
        if (decoder.failure) fail(`input is not valid S2S framing (${decoder.failure.message})`)
      }
    } catch {
      // The client went away.
    } finally {
      inputEnded = true
      notify()
    }
  }

  /** Waits until `count` inputs arrived, the input ended, or something failed. */
  const inputsArrived = async (count: number): Promise<boolean> => {
    while (inputTimes.length < count && !inputEnded && failure === null && !abort.signal.aborted) {
      await new Promise<void>((resolve) => {
        wake = resolve
      })
    }
    return inputTimes.length >= count && failure === null
  }

  let output: ReadableStreamDefaultController<Uint8Array>
  const run = async (): Promise<void> => {
    void readInput()
    let previousAt = entry.response.at
    let previousSent = performance.now()
    for (const item of session.output) {
      const after = 'type' in item ? (item.after ?? 0) : 0
      if (!(await inputsArrived(after))) break
      const trigger = after > 0 ? recordedInput[after - 1]?.at : undefined
      const triggerSent = after > 0 ? inputTimes[after - 1] : undefined
      const [refAt, refSent] =
        trigger !== undefined && triggerSent !== undefined && trigger > previousAt ? [trigger, triggerSent] : [previousAt, previousSent]
      await waitUntil(refSent + Math.max(0, item.at - refAt) * ctx.scale, abort.signal)
      if (abort.signal.aborted) return
      output.enqueue(encodeOutput(item))
      previousAt = item.at
      previousSent = performance.now()
    }
    if (failure === null && !inputEnded && recordedInput.length > inputTimes.length) await inputsArrived(recordedInput.length)
    if (abort.signal.aborted) return
    if (failure !== null) {
      ctx.onMiss(failure)
      output.enqueue(terminalFrame(MISS_STATUS, missBody(failure)))
      output.close()
      return
    }
    if (session.trailing) output.enqueue(fromBase64(session.trailing))
    await waitUntil(previousSent + Math.max(0, session.end.at - previousAt) * ctx.scale, abort.signal)
    if (abort.signal.aborted) return
    if (session.end.kind === 'complete') output.close()
    else if (session.end.kind === 'reset') await ctx.connection.resetStream()
    // client_closed, recording_stopped: the recording ended with the session open, so it stays open.
  }

  return new ReadableStream<Uint8Array>({
    start(controller) {
      output = controller
      run().catch(() => {
        try {
          controller.close()
        } catch {
          // Already closed, or the client went away.
        }
      })
    },
    cancel: () => {
      ctx.signal.removeEventListener('abort', stop)
      abort.abort()
    },
  })
}
