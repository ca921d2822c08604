/**
 * `import 's2-emulator/matchers/vitest-4'`: registers the matchers with vitest's `expect`, as
 * `s2-emulator/matchers/vitest` does; its types (`augment/vitest-4.d.ts`) are those of vitest
 * 3.2 to 4.x, whose `Matchers` takes one type parameter.
 */
import './register-vitest.ts'
