import { S2EmulatorError } from './server/errors/emulator-error.ts'
import { nodeVersionProblem } from './node-version.ts'

/**
 * Imported first by every entry point: on a Node.js older than the package supports, the import
 * fails with one line naming the version needed, before any module that would fail more obscurely
 * (a missing `node:zlib` export, say) is loaded.
 */
const problem = nodeVersionProblem()
if (problem !== null) throw new S2EmulatorError('S2EMU_UNSUPPORTED_NODE', problem)
