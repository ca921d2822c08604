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

/** The wall clock and Node's timers. Timers are unref'd: a pending one never keeps a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms))
    handle.unref()
    return { cancel: () => clearTimeout(handle) }
  },
}
