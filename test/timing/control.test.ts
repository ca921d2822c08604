import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { S2EmulatorError, type S2Namespace } from 's2-emulator'
import { startError, useEmulator, useStartedEmulators } from '../support/emulator.ts'
import { ackOf, timedStream, tracked } from '../support/timing.ts'

/**
 * The timing control: the emulator's profile applies to every namespace that sets none; a
 * namespace's own applies to it alone; setting or clearing one makes what was held stable at once.
 * Bad input is a 400 naming the field, and changes nothing.
 */

const AT = Date.parse('2030-01-01T00:00:00.001Z')

describe('the timing of namespaces', () => {
  const start = useStartedEmulators()
  const made: S2Namespace[] = []
  afterEach(async () => {
    await Promise.all(made.splice(0).map((ns) => ns.drop().catch(() => {})))
  })

  it("follows the emulator's timing until a namespace sets its own; each holds only its own appends", async () => {
    const emulator = await start({ isolation: 'token', timing: 'lite' })
    const following = await timedStream(emulator, undefined, AT)
    const instant = await timedStream(emulator, 'instant', AT)
    made.push(following.ns, instant.ns)
    expect(await following.ns.timing.get()).toMatchObject({ profile: 'lite', flushIntervalMs: 5, inherited: true, pending: 0 })
    expect(await instant.ns.timing.get()).toMatchObject({ profile: 'instant', inherited: false, pending: 0 })
    expect(await emulator.timing.get()).toMatchObject({ profile: 'lite', flushIntervalMs: 5, pending: 0 })
    expect((await emulator.timing.get()).inherited).toBeUndefined()

    const held = tracked(following.append(['a']))
    await following.untilHeld(1)
    // The instant namespace's clock is frozen too, and its append is acknowledged at once.
    expect(ackOf(await instant.append(['b'])).tail.seq_num).toBe(1)
    expect(await emulator.timing.get()).toMatchObject({ pending: 1 })
    expect(held.settled).toBe(false)
    await following.advance(4)
    expect(ackOf(await held.promise).tail.seq_num).toBe(1)
  })

  it('makes held appends stable at once when the timing changes', async () => {
    const emulator = await start({ isolation: 'token' })
    const s = await timedStream(emulator, 'lite', AT)
    made.push(s.ns)
    const held = tracked(s.append(['a']))
    await s.untilHeld(1)
    const cleared = await s.ns.timing.clear()
    expect(cleared).toMatchObject({ profile: 'instant', inherited: true, pending: 0, seed: null })
    expect(ackOf(await held.promise).tail.seq_num).toBe(1)
    // The emulator's profile now reaches it.
    await emulator.timing.set({ profile: 'lite', flushIntervalMs: 10 })
    const next = tracked(s.append(['b']))
    await s.untilHeld(1)
    await emulator.timing.clear()
    expect(ackOf(await next.promise).tail.seq_num).toBe(2)
    expect(await s.ns.timing.get()).toMatchObject({ profile: 'instant', inherited: true, pending: 0 })
  })

  it('reports the seed it draws from, the one given or a random one', async () => {
    const emulator = await start({ isolation: 'token' })
    const ns = await emulator.createNamespace({ timing: { jitterMs: 3, seed: 42 } })
    made.push(ns)
    expect(await ns.timing.get()).toEqual({
      profile: 'instant',
      flushIntervalMs: null,
      jitterMs: 3,
      seed: 42,
      delays: {
        express: { commitMs: [0, 3], ackMs: [0, 3], readMs: [0, 3], deliverMs: [0, 3] },
        standard: { commitMs: [0, 3], ackMs: [0, 3], readMs: [0, 3], deliverMs: [0, 3] },
      },
      inherited: false,
      pending: 0,
      waiting: 0,
    })
    const random = await ns.timing.set('cloud')
    expect(random.seed).toEqual(expect.any(Number))
    expect(random).toMatchObject({ profile: 'cloud', jitterMs: 0 })
  })
})

describe('bad timing input', () => {
  const t = useEmulator({ isolation: 'token' })

  it.each([
    [{ profile: 'fast' }, "profile must be 'instant', 'lite', 'cloud'"],
    [{ profile: 'lite', flushIntervalMs: 0 }, 'flushIntervalMs must be whole milliseconds from 1'],
    [{ profile: 'cloud', flushIntervalMs: 5 }, "flushIntervalMs applies only to profile 'lite'"],
    [{ commitMs: [5, 2] }, 'commitMs must be whole milliseconds'],
    [{ readMs: -1 }, 'readMs must be whole milliseconds'],
    [{ jitterMs: 1.5 }, 'jitterMs must be whole milliseconds'],
    [{ seed: 2 ** 32 }, 'seed must be an integer from 0 to 4294967295'],
    [{ speed: 1 }, 'speed: unknown field'],
  ])('%j is a 400 naming the problem, and changes nothing', async (spec, problem) => {
    const before = await t.emulator.timing.get()
    const res = await t.raw('PUT', '/_emulator/timing', { body: spec })
    expect(res.status).toBe(400)
    expect(res.json).toMatchObject({ code: 'bad_json' })
    expect((res.json as { message: string }).message).toContain(problem)
    expect(await t.emulator.timing.get()).toEqual(before)
  })

  it('is refused by createNamespace, which then makes no namespace', async () => {
    const before = (await t.emulator.namespaces()).length
    const error = await t.emulator.createNamespace({ timing: { profile: 'slow' as 'lite' } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect((error as Error).message).toContain("profile must be 'instant', 'lite', 'cloud'")
    expect((await t.emulator.namespaces()).length).toBe(before)
  })

  it('is refused at start with every problem listed', async () => {
    const error = await startError({ timing: { profile: 'lite', flushIntervalMs: 0, jitterMs: -2 } })
    expect(error).toBeInstanceOf(S2EmulatorError)
    expect((error as S2EmulatorError).code).toBe('S2EMU_BAD_OPTIONS')
    expect((error as Error).message).toContain('timing.flushIntervalMs must be whole milliseconds from 1')
    expect((error as Error).message).toContain('timing.jitterMs must be whole milliseconds')
    expect(await startError({ timing: 'fast' as 'lite' })).toBeInstanceOf(S2EmulatorError)
  })
})

it('the README shows test/examples/readme-timing.test.ts word for word', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const example = readFileSync(new URL('../examples/readme-timing.test.ts', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('## Timing'))
  expect(section.match(/```ts\n([\s\S]*?)```/)?.[1]).toBe(example)
})
