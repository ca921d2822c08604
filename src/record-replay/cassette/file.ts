import { gunzipSync, gzipSync } from 'fflate'
import { mkdir, readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { S2EmulatorError } from '../../server/errors/index.ts'
import { writeFileAtomic } from '../../server/persist/atomic-file.ts'
import { prettyJson } from './pretty-json.ts'
import { mergeRules, redactEntry } from './redact.ts'
import type { Cassette, RedactionRules } from './types.ts'
import { validateCassette } from './validate.ts'

/** Whether a path names a gzip-compressed cassette (`.gz`). */
export const isCompressedPath = (path: string): boolean => path.endsWith('.gz')

/** The text of a cassette: JSON laid out one exchange, frame and event per line where they fit. */
export function serializeCassette(cassette: Cassette): string {
  return prettyJson(cassette)
}

/**
 * Parses a cassette's bytes (gzip is recognised by its magic number, whatever the file is
 * called), checks it, and applies its redaction rules, plus `rules` if given, once more.
 */
export function parseCassette(bytes: Uint8Array, where = 'cassette', rules?: RedactionRules): Cassette {
  let text: string
  try {
    const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes
    text = new TextDecoder('utf-8', { fatal: true }).decode(plain)
  } catch (error) {
    throw new S2EmulatorError('S2EMU_BAD_CASSETTE', `${where}: cannot read it (${(error as Error).message})`, { cause: error })
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new S2EmulatorError('S2EMU_BAD_CASSETTE', `${where}: not JSON (${(error as Error).message})`, { cause: error })
  }
  const cassette = validateCassette(raw, where)
  const redaction = rules ? mergeRules(cassette.redaction, rules) : cassette.redaction
  return { ...cassette, redaction, entries: cassette.entries.map((e) => redactEntry(e, redaction)) }
}

/** Reads a cassette file; see {@link parseCassette}. A missing file is `S2EMU_CASSETTE_NOT_FOUND`. */
export async function loadCassette(path: string, rules?: RedactionRules): Promise<Cassette> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new S2EmulatorError(
        'S2EMU_CASSETTE_NOT_FOUND',
        `cassette ${resolve(path)} does not exist: record it first (mode 'record' or 'record-missing')`,
        { cause: error },
      )
    }
    throw new S2EmulatorError('S2EMU_BAD_CASSETTE', `cannot read cassette ${resolve(path)}: ${(error as Error).message}`, { cause: error })
  }
  return parseCassette(bytes, resolve(path), rules)
}

/** Writes a cassette atomically (gzip-compressed when the path ends in `.gz`), creating its directory. */
export async function saveCassette(path: string, cassette: Cassette): Promise<void> {
  const text = new TextEncoder().encode(serializeCassette(cassette))
  const bytes = isCompressedPath(path) ? gzipSync(text, { level: 9, mtime: 0 }) : text
  await mkdir(dirname(resolve(path)), { recursive: true })
  await writeFileAtomic(path, (async function* () {
    yield bytes
  })())
}
