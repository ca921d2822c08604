export {
  CLOUD_DELAYS,
  LITE_FLUSH_INTERVAL_MS,
  parseTimingFlag,
  resolveTiming,
  timingProblems,
  type TimingDelay,
  type Delays,
  type Range,
  type TimingInput,
  type TimingProfile,
  type TimingProfileName,
  type TimingSpec,
} from './profile.ts'
export { TimingDraws } from './draws.ts'
export { timingState, type DelayRanges, type TimingState } from './state.ts'
