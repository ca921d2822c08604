import { sleep } from './fault-steps.ts'
import { bodyStream } from './sessions/session-response.ts'

const SLICE = 1024

/** A body that goes out no faster than `bytesPerSecond`, in slices of at most 1 KiB. */
export function throttled(body: ReadableStream<Uint8Array>, bytesPerSecond: number): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let pending: Uint8Array | null = null
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending === null || pending.length === 0) {
          const { done, value } = await reader.read()
          if (done) {
            controller.close()
            return
          }
          pending = value
        }
        const slice = pending.subarray(0, SLICE)
        pending = pending.subarray(slice.length)
        await sleep((slice.length / bytesPerSecond) * 1000)
        controller.enqueue(slice)
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}

/** The same response with its body throttled. */
export function throttleResponse(response: Response, bytesPerSecond: number): Response {
  const body = bodyStream(response)
  if (body === null) return response
  const headers = new Headers(response.headers)
  // Without a length the body is streamed as it trickles out (and is not buffered to be compressed).
  headers.delete('content-length')
  return new Response(throttled(body, bytesPerSecond), { status: response.status, headers })
}
