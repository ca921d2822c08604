import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import type { Engine } from '../engine/index.ts'
import { DEFAULT_NAMESPACE } from '../namespaces/names.ts'
import type { NamespaceDirectory } from '../namespaces/directory.ts'
import { S2Error, S2EmulatorError } from '../errors/index.ts'
import { applyInitPlan, InitSpecError, parseInitSpec, type InitPlan, type InitResult, type InitSpec } from './init-file.ts'
import { appendSeedRecords, parseRecordsText, RecordsFileError, type SeedRecord } from './records-file.ts'

export {
  applyInitPlan,
  InitSpecError,
  parseInitSpec,
  type InitBasinConfigSpec,
  type InitBasinSpec,
  type InitPlan,
  type InitResult,
  type InitSpec,
  type InitStreamConfigSpec,
  type InitStreamSpec,
} from './init-file.ts'
export { appendSeedRecords, parseRecordsText, RecordsFileError, type RecordSeed, type SeedRecord } from './records-file.ts'

/** What to create before the emulator serves its first request. */
export interface SeedOptions {
  /** An init file's path, or its content as an object (s2-lite's format). */
  readonly init?: string | InitSpec | undefined
  /** Paths of `.json` (array) or `.ndjson` (one record a line) files of records to append. */
  readonly records?: string | readonly string[] | undefined
}

function readText(path: string, what: string, code: 'S2EMU_BAD_INIT_FILE' | 'S2EMU_BAD_RECORDS_FILE'): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new S2EmulatorError(code, `cannot read the ${what} ${path}: ${(error as Error).message}`, { cause: error })
  }
}

/** Reads and checks an init file, or an init spec given as an object. */
export function loadInit(init: string | InitSpec): InitPlan {
  const source = typeof init === 'string' ? `init file ${init}` : 'init option'
  let value: unknown = init
  if (typeof init === 'string') {
    const text = readText(init, 'init file', 'S2EMU_BAD_INIT_FILE')
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw new S2EmulatorError('S2EMU_BAD_INIT_FILE', `${source} is not valid JSON: ${(error as Error).message}`)
    }
  }
  try {
    return parseInitSpec(value)
  } catch (error) {
    if (!(error instanceof InitSpecError)) throw error
    throw new S2EmulatorError('S2EMU_BAD_INIT_FILE', `${source} is invalid: ${error.message}`)
  }
}

/** Reads and checks a records file; its extension (`.json`, `.ndjson`, `.jsonl`) says how it is laid out. */
export function loadRecords(path: string): SeedRecord[] {
  const text = readText(path, 'records file', 'S2EMU_BAD_RECORDS_FILE')
  const ext = extname(path).toLowerCase()
  const kind = ext === '.json' ? 'json' : ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : 'auto'
  try {
    return parseRecordsText(text, `records file ${path}`, kind)
  } catch (error) {
    if (!(error instanceof RecordsFileError)) throw error
    throw new S2EmulatorError('S2EMU_BAD_RECORDS_FILE', error.message)
  }
}

/**
 * Applies the init spec (basins and streams ensured, in the spec's namespace), then appends the
 * records of each file in order. Everything is read and checked before anything is created, so a
 * bad file changes nothing. Throws S2EmulatorError: S2EMU_BAD_OPTIONS, S2EMU_BAD_INIT_FILE or
 * S2EMU_BAD_RECORDS_FILE, with a message naming the file and the bad field or line.
 */
export function seedEngine(engine: Engine, directory: NamespaceDirectory, options: SeedOptions): { init: InitResult | null; records: number } {
  const { init, records } = options
  const paths = records === undefined ? [] : typeof records === 'string' ? [records] : records
  const problems: string[] = []
  if (init !== undefined && (init === null || (typeof init !== 'string' && typeof init !== 'object') || Array.isArray(init))) {
    problems.push('init must be the path of an init file or an init spec object')
  }
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) {
    problems.push('records must be the path of a records file or an array of paths')
  }
  if (problems.length > 0) throw new S2EmulatorError('S2EMU_BAD_OPTIONS', `invalid options: ${problems.join('; ')}`)

  const plan = init === undefined ? null : loadInit(init)
  const seeds = paths.flatMap((path) => loadRecords(path))
  // A token in the spec or a record picks its namespace, with isolation on; without it there is one.
  const nameOf = (token: string): string => (directory.isolation === 'token' ? directory.enter(token) : DEFAULT_NAMESPACE)
  let result: InitResult | null = null
  if (plan) {
    try {
      const name = nameOf(plan.namespace)
      result = applyInitPlan(engine.store.account(name), plan, engine.now(name), name)
    } catch (error) {
      if (!(error instanceof S2Error)) throw error
      const source = typeof init === 'string' ? `init file ${init}` : 'init option'
      throw new S2EmulatorError('S2EMU_BAD_INIT_FILE', `cannot apply the ${source}: ${error.message}`)
    }
  }
  try {
    appendSeedRecords(engine, seeds, nameOf)
  } catch (error) {
    if (!(error instanceof RecordsFileError)) throw error
    throw new S2EmulatorError('S2EMU_BAD_RECORDS_FILE', error.message)
  }
  return { init: result, records: seeds.length }
}
