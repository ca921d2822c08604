// The image's HEALTHCHECK: GET /health on the emulator's port (S2E_PORT) from inside the container.
// Exits 0 when it answers 200, 1 otherwise.
const bound = process.env.S2E_HOST ?? ''
const host = bound === '' || bound === '0.0.0.0' ? '127.0.0.1' : bound === '::' ? '[::1]' : bound.includes(':') ? `[${bound}]` : bound
const port = process.env.S2E_PORT || '4243'
let healthy = false
try {
  healthy = (await fetch(`http://${host}:${port}/health`, { signal: AbortSignal.timeout(2000) })).ok
} catch {
  // Not listening (yet): unhealthy.
}
process.exit(healthy ? 0 : 1)
