/** A pending timer; cancelling twice is harmless. */
export interface Timer {
  cancel(): void
}

/**
 * Where the emulator gets time from. The store only ever sees `now()` as an argument; the engine
 * schedules its background work and waits through `setTimer`, so a virtual clock can drive both.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /** Calls `fn` once, `ms` milliseconds from now. */
  setTimer(ms: number, fn: () => void): Timer
}

/** The longest delay Node's setTimeout honours (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/** The wall clock and Node's timers. Timers are unref'd: a pending one never keeps a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // Node fires a timeout longer than 2^31 - 1 ms after 1 ms; wait in steps instead.
    const due = Date.now() + Math.max(0, ms)
    let handle: ReturnType<typeof setTimeout>
    const arm = (): void => {
      const left = due - Date.now()
      handle = setTimeout(left > MAX_TIMEOUT_MS ? arm : fn, Math.min(Math.max(0, left), MAX_TIMEOUT_MS))
      handle.unref()
    }
    arm()
    return { cancel: () => clearTimeout(handle) }
  },
}
