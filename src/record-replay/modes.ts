/**
 * - `record`: forward everything to the upstream and record it; the cassette is rewritten on stop.
 * - `replay`: answer from the cassette only; never contacts the network; a request with no
 *   recorded answer gets a miss error (599 `cassette_miss`).
 * - `record-missing`: answer from the cassette what it has, forward and record the rest; the new
 *   exchanges are added to the cassette on stop.
 * - `passthrough`: forward everything, record nothing.
 */
export type CassetteMode = 'record' | 'replay' | 'record-missing' | 'passthrough'
export const CASSETTE_MODES: readonly CassetteMode[] = ['record', 'replay', 'record-missing', 'passthrough']

/** The environment variable that sets the mode, over the `mode` option: CI sets it to `replay` to refuse recording. */
export const CASSETTE_MODE_ENV = 'S2_EMULATOR_CASSETTE_MODE'

export const isCassetteMode = (value: string): value is CassetteMode => (CASSETTE_MODES as readonly string[]).includes(value)
