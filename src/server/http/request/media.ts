/**
 * Content negotiation as s2-lite does it (`api/src/mime.rs`): only the first media type of
 * `Content-Type` / `Accept` counts, parameters and q-values are ignored.
 */
export type MediaKind = 'json' | 'protobuf' | 's2s' | 'event-stream' | 'other' | 'none'

export function mediaKind(header: string | null | undefined): MediaKind {
  if (header === null || header === undefined) return 'none'
  // What clients send on every request, known without taking the header apart.
  switch (header) {
    case 'application/json':
      return 'json'
    case 'application/protobuf':
      return 'protobuf'
    case 's2s/proto':
      return 's2s'
    case 'text/event-stream':
      return 'event-stream'
    case '*/*':
      return 'other'
  }
  const first = (header.split(',')[0] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (first === '') return 'none'
  if (first === 'application/json' || (first.startsWith('application/') && first.endsWith('+json'))) return 'json'
  if (first === 'application/protobuf' || first === 'application/x-protobuf') return 'protobuf'
  if (first === 's2s/proto') return 's2s'
  if (first === 'text/event-stream') return 'event-stream'
  return 'other'
}
