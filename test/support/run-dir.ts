import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A scratch directory for this `vitest run`, shared by its test files (see test/support/packed.ts). */
    runDir: string
  }
}

/** globalSetup: one scratch directory per run, removed at its end. Costs nothing until a test uses it. */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 's2-emulator-run-'))
  project.provide('runDir', dir)
  return () => rmSync(dir, { recursive: true, force: true })
}
