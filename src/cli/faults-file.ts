import { readFileSync } from 'node:fs'
import type { FaultRuleInput } from '../server/faults/index.ts'

/**
 * A `--faults` file: a JSON array of rules, or `{"seed": N, "rules": [...]}`. The rules themselves
 * are checked when the emulator starts, which names every bad field.
 */
export function readFaultsFile(path: string): { rules: FaultRuleInput[]; seed: number | undefined } {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(`cannot read the faults file ${path}: ${(error as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new Error(`the faults file ${path} is not valid JSON: ${(error as Error).message}`)
  }
  if (Array.isArray(value)) return { rules: value as FaultRuleInput[], seed: undefined }
  if (typeof value === 'object' && value !== null && Array.isArray((value as { rules?: unknown }).rules)) {
    const { rules, seed } = value as { rules: FaultRuleInput[]; seed?: unknown }
    if (seed !== undefined && typeof seed !== 'number') throw new Error(`${path}: "seed" must be a number`)
    return { rules, seed }
  }
  throw new Error(`the faults file ${path} must hold a JSON array of rules, or {"seed": N, "rules": [...]}`)
}
