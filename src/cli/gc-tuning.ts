import { setFlagsFromString } from 'node:v8'

/** V8's default is 0: incremental marking starts as soon as the old generation's soft limit is reached. */
const SOFT_TRIGGER_FLAG = '--incremental-marking-soft-trigger'
const SOFT_TRIGGER_PERCENT = 50

/**
 * Tunes V8's garbage collector for a process that is an emulator and nothing else (the CLI; the
 * bench's server host does the same): never for a process that embeds it, whose settings are its
 * own. Under appends V8 sets the old generation's limit about one young generation above what is
 * live, which counts as reaching the soft limit at once, so each scavenge is followed by a full
 * incremental mark-compact that frees almost nothing: 13 to 25 per 3,000 S2S frames of 500 x
 * 100 B. Starting only when half the room to the limit is used cut that to 4 and server CPU per
 * frame by ~20%. The limit itself is unchanged, so the heap grows no larger. The flag is read when
 * V8 decides to start marking, so setting it at run time takes effect; a flag given on the command
 * line (or in NODE_OPTIONS) wins.
 */
export function tuneGarbageCollection(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS?.split(/\s+/) ?? [])]
  if (given.some((arg) => arg.replaceAll('_', '-').startsWith(SOFT_TRIGGER_FLAG))) return
  setFlagsFromString(`${SOFT_TRIGGER_FLAG}=${SOFT_TRIGGER_PERCENT}`)
}
