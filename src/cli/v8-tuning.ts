import { setFlagsFromString } from 'node:v8'

/**
 * V8 settings for a process that is an emulator and nothing else (the CLI, and so the container
 * image; the bench's server host does the same): never for a process that embeds it, whose settings
 * are its own. Each is set unless the same flag was given to `node` on its command line, which wins
 * (NODE_OPTIONS does not take these flags). V8 reads them when it uses them, so setting them at run
 * time, before the first request, takes effect.
 */
const TUNING: readonly { readonly flag: string; readonly value: number }[] = [
  // V8's default is 0: incremental marking starts as soon as the old generation's soft limit is
  // reached. Under appends V8 sets the old generation's limit about one young generation above what
  // is live, which counts as reaching the soft limit at once, so each scavenge is followed by a full
  // incremental mark-compact that frees almost nothing: 13 to 25 per 3,000 S2S frames of 500 x
  // 100 B. Starting only when half the room to the limit is used cut that to 4 and server CPU per
  // frame by ~20%. The limit itself is unchanged, so the heap grows no larger.
  { flag: '--incremental-marking-soft-trigger', value: 50 },
  // A test suite makes hundreds, not tens of thousands, of calls of each kind, and by default V8
  // optimizes a function with Maglev only after about 400 calls (and 500 after each change of its
  // inline caches), with TurboFan after about 3,000: the emulator's request path, dozens of
  // functions deep, ran unoptimized code for the first hundreds of the bench's 1,050 calls of each
  // kind. With these, its one-record calls took 5 to 20% less time over their first thousand.
  { flag: '--invocation-count-for-maglev', value: 100 },
  { flag: '--minimum-invocations-after-ic-update', value: 100 },
  { flag: '--invocation-count-for-turbofan', value: 1000 },
]

/** Applies {@link TUNING}, but for the flags given to `node`. */
export function tuneV8(): void {
  // V8 reads `--a_b` as `--a-b`.
  const given = process.execArgv.map((arg) => arg.replaceAll('_', '-'))
  const flags = TUNING.filter(({ flag }) => !given.some((arg) => arg === flag || arg.startsWith(`${flag}=`)))
  for (const { flag, value } of flags) setFlagsFromString(`${flag}=${value}`)
}
