/**
 * An async matcher that nobody awaits must not pass silently. In vitest the matcher's promise
 * joins the test's own list (as `resolves` does): the runner waits for it when the test function
 * returns, and if it was still running then, the test fails saying it was not awaited. Elsewhere
 * (jest), the registration module checks after each test that none is still running.
 */

interface VitestTask {
  promises?: unknown[]
}

interface Pending {
  readonly name: string
  readonly stack: Error
  readonly done: Promise<unknown>
}

const KEY = Symbol.for('s2-emulator.matchers.pending')
const pending: Set<Pending> = ((globalThis as Record<symbol, unknown>)[KEY] as Set<Pending> | undefined) ??
  ((globalThis as Record<symbol, unknown>)[KEY] = new Set<Pending>())

function notAwaited(name: string, stack: Error): Error {
  const call = `expect(...).${name}(...)`
  const error = new Error(
    `[s2-emulator] ${call} was not awaited: it was still reading the emulator when the test ended. Write \`await ${call}\`.`,
  )
  // Where the test called it: the frames of the matchers themselves left out.
  const frames = (stack.stack ?? '').split('\n').slice(1).filter((line) => !/[\\/]matchers[\\/][\w-]+\.[cm]?[jt]s:/.test(line))
  error.stack = `${error.name}: ${error.message}\n${frames.join('\n')}`
  return error
}

/** Vitest's running test: an object whose `promises` list is absent or an array. */
const isVitestTask = (task: unknown): task is VitestTask =>
  typeof task === 'object' && task !== null && ((task as VitestTask).promises === undefined || Array.isArray((task as VitestTask).promises))

/** Runs an async matcher so that forgetting its `await` fails the test. */
export function tracked<T>(task: unknown, name: string, run: () => Promise<T>): Promise<T> {
  const stack = new Error('called here')
  const promise = run()
  let settled = false
  if (isVitestTask(task)) {
    const list = (task.promises ??= [])
    // The runner calls then() on the entries left in the list once the test function returned.
    const entry = {
      then(onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown): Promise<unknown> {
        const late = settled ? null : notAwaited(name, stack)
        return promise.then(
          () => {
            if (late) throw late
          },
          (error: unknown) => {
            throw late ?? error
          },
        ).then(onFulfilled, onRejected)
      },
    }
    list.push(entry)
    const remove = (): void => {
      settled = true
      const at = list.indexOf(entry)
      if (at !== -1) list.splice(at, 1)
    }
    promise.then(remove, remove)
    return promise
  }
  // Registered before anyone can await it, so it is gone from the set by the time an await resumes.
  const record: Pending = { name, stack, done: promise.then(() => pending.delete(record), () => pending.delete(record)) }
  pending.add(record)
  return promise
}

/**
 * For runners without a test list (jest): call after each test. If a matcher is still running,
 * waits for it and throws that it was not awaited.
 */
export async function checkAwaited(): Promise<void> {
  const running = [...pending]
  if (running.length === 0) return
  await Promise.all(running.map((p) => p.done))
  for (const p of running) pending.delete(p)
  throw notAwaited((running[0] as Pending).name, (running[0] as Pending).stack)
}
