import { setTimeout as realDelay } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { ClockState } from '../../src/index.ts'
import { systemClock } from '../../src/server/clock/clock.ts'
import { ControllableClock } from '../../src/server/clock/controllable-clock.ts'
import { basinName, useEmulator, type RawResponse } from '../support/emulator.ts'
import { ManualClock } from '../support/manual-clock.ts'
import { settle } from '../support/sessions.ts'
import { appendBodies, bodiesOf, createBasin, createStream, expectErrorBody, expectStatus, records, tailOf } from '../support/state.ts'
import { H2Client } from '../support/wire.ts'

/**
 * The emulator's clock (`emulator.clock`, `/_emulator/clock`): a virtual clock that moves only when
 * told, so arrival timestamps, retention, delete-on-empty, purges, long polls and heartbeats can be
 * tested in milliseconds; freeze and resume of the system clock; a host's own clock object, which
 * the admin API cannot move.
 */

const START_ISO = '2026-01-01T00:00:00Z'
const START = Date.parse(START_ISO)
const SEC = 1000
const DAY = 86_400 * SEC

interface StreamListing {
  readonly name: string
  readonly created_at: string
  readonly deleted_at: string | null
}

describe('a virtual clock', () => {
  const DELETION_DELAY_MS = 5000
  const t = useEmulator({ clock: 'virtual', startTime: START_ISO, deletionDelayMs: DELETION_DELAY_MS })
  const now = async (): Promise<number> => (await t.emulator.clock.get()).now

  const listing = async (basin: string, stream: string): Promise<StreamListing | undefined> => {
    const res = await t.raw('GET', '/v1/streams', { headers: { 's2-basin': basin } })
    return expectStatus<{ streams: StreamListing[] }>(res, 200).streams.find((s) => s.name === stream)
  }

  it('starts at startTime in mode virtual, and stands still', async () => {
    expect(await t.emulator.clock.get()).toEqual({ mode: 'virtual', now: START, iso: '2026-01-01T00:00:00.000Z' })
    await realDelay(20)
    const res = await t.raw('GET', '/_emulator/clock')
    expect(expectStatus(res, 200)).toEqual({ mode: 'virtual', now: START, iso: '2026-01-01T00:00:00.000Z' })
  })

  it('stamps arrivals, creation times and pings with the virtual time', async () => {
    const at = await now()
    const basin = basinName('stamps')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    const first = await appendBodies(t.raw, basin, 's', ['a', 'b'])
    expect(first.start.timestamp).toBe(at)
    expect(first.end.timestamp).toBe(at)
    expect(Date.parse((await listing(basin, 's'))?.created_at ?? '')).toBe(at)

    const moved = await t.emulator.clock.advance('90s')
    expect(moved.now).toBe(at + 90 * SEC)
    const second = await appendBodies(t.raw, basin, 's', ['c'])
    expect(second.start.timestamp).toBe(at + 90 * SEC)
    expect(await tailOf(t.raw, basin, 's')).toEqual({ seq_num: 3, timestamp: at + 90 * SEC })
  })

  const durations: [string | number, number][] = [
    ['90s', 90 * SEC],
    ['1h 30m', 90 * 60 * SEC],
    ['2w', 14 * DAY],
    ['7d', 7 * DAY],
    ['7days', 7 * DAY],
    ['500ms', 500],
    ['1.5h', 90 * 60 * SEC],
    [1500, 1500],
    [0, 0],
  ]
  for (const [by, ms] of durations) {
    it(`advance(${JSON.stringify(by)}) moves the clock by ${ms} ms`, async () => {
      const before = await now()
      const after: ClockState = await t.emulator.clock.advance(by)
      expect(after.now - before).toBe(ms)
      expect(after.mode).toBe('virtual')
      expect(after.iso).toBe(new Date(after.now).toISOString())
      expect(await now()).toBe(after.now)
    })
  }

  it('expires records of a stream with the default 7-day retention after advance("7d"), keeping the tail', async () => {
    const basin = basinName('retention')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 'default')
    await createStream(t.raw, basin, 'forever', { retention_policy: { infinite: {} } })
    const config = expectStatus<{ retention_policy: unknown }>(await t.raw('GET', '/v1/streams/default', { headers: { 's2-basin': basin } }), 200)
    expect(config.retention_policy).toEqual({ age: 604_800 })
    const ack = await appendBodies(t.raw, basin, 'default', ['week-old'])
    await appendBodies(t.raw, basin, 'forever', ['kept'])

    await t.emulator.clock.advance(7 * DAY - 1)
    expect(await bodiesOf(t.raw, basin, 'default')).toEqual(['week-old'])

    await t.emulator.clock.advance(1)
    const read = await t.raw('GET', records('default', 'seq_num=0'), { headers: { 's2-basin': basin } })
    expect(expectStatus(read, 200)).toEqual({ records: [] })
    expect(await tailOf(t.raw, basin, 'default')).toEqual({ seq_num: 1, timestamp: ack.start.timestamp })
    expect(await bodiesOf(t.raw, basin, 'forever')).toEqual(['kept'])
  })

  it('a 7-day retention expires after advance("7d") in one step, however many background runs fall inside it', async () => {
    const basin = basinName('retention-big-step')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    await appendBodies(t.raw, basin, 's', ['a', 'b'])
    await t.emulator.clock.advance('7d')
    expect(await bodiesOf(t.raw, basin, 's')).toEqual([])
    expect(await tailOf(t.raw, basin, 's')).toMatchObject({ seq_num: 2 })
  })

  it('runs delete-on-empty on the virtual clock: deleted once min_age has passed, purged after the deletion delay', async () => {
    const basin = basinName('doe')
    await createBasin(t.raw, basin)
    const created = await now()
    await createStream(t.raw, basin, 'ephemeral', { delete_on_empty: { min_age_secs: 60 } })

    await t.emulator.clock.advance('59s')
    expect((await listing(basin, 'ephemeral'))?.deleted_at).toBeNull()
    expect((await t.raw('GET', '/v1/streams/ephemeral', { headers: { 's2-basin': basin } })).status).toBe(200)

    await t.emulator.clock.advance('2s')
    const deleted = await listing(basin, 'ephemeral')
    expect(deleted?.deleted_at).toEqual(expect.any(String))
    // Deleted by the timer that fell due on the way, at exactly min_age after creation.
    expect(Date.parse(deleted?.deleted_at ?? '')).toBe(created + 60 * SEC)
    expectErrorBody(await t.raw('GET', '/v1/streams/ephemeral', { headers: { 's2-basin': basin } }), 409, 'stream_deletion_pending')

    await t.emulator.clock.set(created + 60 * SEC + DELETION_DELAY_MS - 1)
    expect(await listing(basin, 'ephemeral')).toBeDefined()
    await t.emulator.clock.advance(1)
    expect(await listing(basin, 'ephemeral')).toBeUndefined()
    expectErrorBody(await t.raw('GET', '/v1/streams/ephemeral', { headers: { 's2-basin': basin } }), 404, 'stream_not_found')
  })

  it('set() moves the clock forward and backward; timestamps within a stream still never decrease', async () => {
    const basin = basinName('set')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    const start = await now()

    const forward = await t.emulator.clock.set(start + 3_600_000)
    expect(forward).toEqual({ mode: 'virtual', now: start + 3_600_000, iso: new Date(start + 3_600_000).toISOString() })
    const late = await appendBodies(t.raw, basin, 's', ['late'])
    expect(late.start.timestamp).toBe(start + 3_600_000)

    const back = await t.emulator.clock.set(new Date(start))
    expect(back.now).toBe(start)
    // The stream's tail is an hour ahead: a new record takes the tail's timestamp, not an earlier one.
    const after = await appendBodies(t.raw, basin, 's', ['after'])
    expect(after.start.timestamp).toBe(start + 3_600_000)
    // A fresh stream takes the clock's time.
    await createStream(t.raw, basin, 'fresh')
    expect((await appendBodies(t.raw, basin, 'fresh', ['x'])).start.timestamp).toBe(start)

    const target = new Date(start + 2 * DAY + 250).toISOString()
    const iso = await t.raw('PUT', '/_emulator/clock', { body: { now: target } })
    expect(expectStatus(iso, 200)).toEqual({ mode: 'virtual', now: start + 2 * DAY + 250, iso: target })
    const ms = await t.raw('PUT', '/_emulator/clock', { body: { now: start } })
    expect(expectStatus<ClockState>(ms, 200).now).toBe(start)
  })

  describe('bad requests', () => {
    const badAdvances: { name: string; body: unknown; message: string | RegExp }[] = [
      { name: 'a word', body: { by: 'soon' }, message: 'by: "soon" is not a duration: use a number and a unit, like 500ms, 30s, 5m, 2h, 7d or 1w' },
      { name: 'an unknown unit', body: { by: '7 parsecs' }, message: /^by: "7 parsecs" is not a duration/ },
      { name: 'a trailing unknown unit', body: { by: '1h30x' }, message: /^by: "1h30x" is not a duration/ },
      { name: 'an empty string', body: { by: '' }, message: /^by: "" is not a duration/ },
      { name: 'a negative number', body: { by: -5 }, message: 'by: a duration must be >= 0 milliseconds, got -5' },
      { name: 'no duration', body: {}, message: /^by: required/ },
      { name: 'a boolean', body: { by: true }, message: /^by: required/ },
    ]
    for (const { name, body, message } of badAdvances) {
      it(`advance with ${name} is 400 naming the problem, and the clock does not move`, async () => {
        const before = await now()
        const res = await t.raw('POST', '/_emulator/clock/advance', { body })
        const error = expectErrorBody(res, 400, 'bad_json')
        if (typeof message === 'string') expect(error.message).toBe(message)
        else expect(error.message).toMatch(message)
        expect(await now()).toBe(before)
      })
    }

    it('advance through the client rejects with the emulator message', async () => {
      await expect(t.emulator.clock.advance('soon')).rejects.toThrow(/400: bad_json: by: "soon" is not a duration/)
    })

    const badTimes: { name: string; method: string; path: string; body: unknown; message: RegExp }[] = [
      { name: 'set to a non-time', method: 'PUT', path: '/_emulator/clock', body: { now: 'yesterday' }, message: /^now: must be milliseconds since the epoch or an ISO 8601 time/ },
      { name: 'set without a time', method: 'PUT', path: '/_emulator/clock', body: {}, message: /^now: must be/ },
      { name: 'freeze at a non-time', method: 'POST', path: '/_emulator/clock/freeze', body: { at: 'later' }, message: /^at: must be/ },
      { name: 'a body that is not an object', method: 'PUT', path: '/_emulator/clock', body: [1], message: /must be a JSON object/ },
    ]
    for (const { name, method, path, body, message } of badTimes) {
      it(`${name} is 400 naming the problem`, async () => {
        const before = await now()
        const error = expectErrorBody(await t.raw(method, path, { body }), 400, 'bad_json')
        expect(error.message).toMatch(message)
        expect(await now()).toBe(before)
      })
    }

    const outOfRange: { name: string; method: string; path: string; body: unknown }[] = [
      { name: 'advance beyond the last representable time', method: 'POST', path: '/_emulator/clock/advance', body: { by: '300000y' } },
      { name: 'set beyond the last representable time', method: 'PUT', path: '/_emulator/clock', body: { now: 9e15 } },
      { name: 'set before the epoch', method: 'PUT', path: '/_emulator/clock', body: { now: -1 } },
      { name: 'freeze before the epoch', method: 'POST', path: '/_emulator/clock/freeze', body: { at: '1969-12-31T23:59:59Z' } },
    ]
    for (const { name, method, path, body } of outOfRange) {
      it(`${name} is 400, and the clock keeps working`, async () => {
        const before = await now()
        const res: RawResponse = await t.raw(method, path, { body })
        expect(expectErrorBody(res, 400, 'bad_json').message).toMatch(/^(by|now|at): /)
        expect(await t.emulator.clock.get()).toEqual({ mode: 'virtual', now: before, iso: new Date(before).toISOString() })
      })
    }
  })
})

describe('long polls and heartbeats on a virtual clock', () => {
  // A clock object of the emulator's own kind: the admin API moves it, and the test can see when
  // a read has armed its timer (so it never advances before the read is waiting).
  const clock = new ControllableClock('virtual', START)
  const t = useEmulator({ clock, heartbeatMs: 1000 })

  /** Waits (in real time, briefly) until more timers than `count` are pending, or `done()`. */
  async function timersAbove(count: number, done: () => boolean = () => false): Promise<void> {
    for (let i = 0; i < 2000 && clock.pendingTimers <= count && !done(); i++) await realDelay(1)
  }

  it('a unary read with wait=30 answers {"records":[]} when the clock is advanced 30 s, and not before', async () => {
    const basin = basinName('poll')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    await appendBodies(t.raw, basin, 's', ['only'])
    const idle = clock.pendingTimers

    let settled = false
    const pending = settle(t.raw('GET', records('s', 'seq_num=1&wait=30'), { headers: { 's2-basin': basin } })).finally(() => {
      settled = true
    })
    await timersAbove(idle)
    expect(clock.pendingTimers).toBeGreaterThan(idle)

    await t.emulator.clock.advance('29s')
    // The read goes back to waiting (its timer armed again) instead of answering.
    await realDelay(5)
    await timersAbove(idle, () => settled)
    expect(settled).toBe(false)

    await t.emulator.clock.advance('1s')
    const outcome = await pending
    if (!outcome.ok) throw outcome.error
    expect(outcome.value.status).toBe(200)
    expect(outcome.value.text).toBe('{"records":[]}')
  })

  it('a unary read with wait=30 answers with a record appended while it waits, at the virtual time', async () => {
    const basin = basinName('poll')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    const idle = clock.pendingTimers
    const pending = t.raw('GET', records('s', 'seq_num=0&wait=30'), { headers: { 's2-basin': basin } })
    await timersAbove(idle)
    await t.emulator.clock.advance('10s')
    const at = clock.now()
    await appendBodies(t.raw, basin, 's', ['arrived'])
    const res = await pending
    const body = expectStatus<{ records: { seq_num: number; timestamp: number; body: string }[] }>(res, 200)
    expect(body.records).toEqual([{ seq_num: 0, timestamp: at, body: 'arrived' }])
  })

  it('SSE heartbeats follow the clock: none while it stands still, a ping once it has moved heartbeatMs', async () => {
    const basin = basinName('beat')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    const h2 = await H2Client.connect(t.url)
    try {
      const idle = clock.pendingTimers
      const x = h2.exchange({ method: 'GET', path: records('s', 'seq_num=0'), headers: { 's2-basin': basin, accept: 'text/event-stream' } })
      expect((await x.head).status).toBe(200)
      // Entering follow mode sends a ping at once.
      const first = await x.nextEvent()
      expect(first?.event).toBe('ping')
      expect(JSON.parse(first?.data ?? '{}')).toEqual({ timestamp: clock.now(), tail: { seq_num: 0, timestamp: 0 } })
      await timersAbove(idle)

      // Frozen: no time passes, so no heartbeat, however long we wait in real time.
      await realDelay(50)
      expect(x.body.buffered).toBe(0)
      await t.emulator.clock.advance(999)
      await realDelay(20)
      expect(x.body.buffered).toBe(0)

      await t.emulator.clock.advance(1)
      const second = await x.nextEvent()
      expect(second?.event).toBe('ping')
      expect(JSON.parse(second?.data ?? '{}')).toEqual({ timestamp: clock.now(), tail: { seq_num: 0, timestamp: 0 } })
      x.abort()
    } finally {
      h2.destroy()
    }
  })
})

describe('freeze and resume of a system clock', () => {
  const t = useEmulator()

  it('follows the wall clock in mode system', async () => {
    const before = Date.now()
    const state = await t.emulator.clock.get()
    const after = Date.now()
    expect(state.mode).toBe('system')
    expect(state.now).toBeGreaterThanOrEqual(before)
    expect(state.now).toBeLessThanOrEqual(after)
  })

  it('freeze() stops time where it stands; resume() continues from there, not from the wall clock', async () => {
    const freezeStart = Date.now()
    const frozen = await t.emulator.clock.freeze()
    const freezeEnd = Date.now()
    expect(frozen.mode).toBe('virtual')
    expect(frozen.now).toBeGreaterThanOrEqual(freezeStart)
    expect(frozen.now).toBeLessThanOrEqual(freezeEnd)

    await realDelay(30)
    expect((await t.emulator.clock.get()).now).toBe(frozen.now)
    const basin = basinName('frozen')
    await createBasin(t.raw, basin)
    await createStream(t.raw, basin, 's')
    expect((await appendBodies(t.raw, basin, 's', ['x'])).start.timestamp).toBe(frozen.now)

    await t.emulator.clock.advance('1m')
    const resumeStart = Date.now()
    const resumed = await t.emulator.clock.resume()
    const resumeEnd = Date.now()
    expect(resumed.mode).toBe('system')
    expect(resumed.now).toBeGreaterThanOrEqual(frozen.now + 60 * SEC)

    // Time runs again from where it stood: now - wall clock stays at the offset fixed by resume.
    await realDelay(20)
    const checkStart = Date.now()
    const later = await t.emulator.clock.get()
    const checkEnd = Date.now()
    expect(later.mode).toBe('system')
    expect(later.now).toBeGreaterThan(resumed.now)
    const base = frozen.now + 60 * SEC
    expect(later.now).toBeGreaterThanOrEqual(base + (checkStart - resumeEnd))
    expect(later.now).toBeLessThanOrEqual(base + (checkEnd - resumeStart))
    await t.emulator.clock.set(Date.now())
  })

  it('freeze(at) stops time at a given instant, and resume() runs on from it', async () => {
    const at = Math.floor(Date.now() / 1000) * 1000 - DAY
    const iso = new Date(at).toISOString()
    expect(await t.emulator.clock.freeze(iso)).toEqual({ mode: 'virtual', now: at, iso })
    const resumeStart = Date.now()
    await t.emulator.clock.resume()
    await realDelay(10)
    const state = await t.emulator.clock.get()
    expect(state.mode).toBe('system')
    expect(state.now).toBeGreaterThan(at)
    expect(state.now).toBeLessThanOrEqual(at + (Date.now() - resumeStart))
    await t.emulator.clock.set(Date.now())
  })

  it('set() on a running clock jumps and keeps running', async () => {
    const target = Date.now() + DAY
    const setStart = Date.now()
    const state = await t.emulator.clock.set(target)
    expect(state.mode).toBe('system')
    await realDelay(10)
    const later = await t.emulator.clock.get()
    expect(later.now).toBeGreaterThan(target)
    expect(later.now).toBeLessThanOrEqual(target + (Date.now() - setStart))
    await t.emulator.clock.set(Date.now())
  })

  it('resume() of a running clock changes nothing', async () => {
    const start = Date.now()
    const before = await t.emulator.clock.get()
    const state = await t.emulator.clock.resume()
    expect(state.mode).toBe('system')
    expect(state.now).toBeGreaterThanOrEqual(before.now)
    expect(state.now - before.now).toBeLessThanOrEqual(Date.now() - start)
  })
})

describe('a clock object given by the host', () => {
  const manual = new ManualClock(START)
  const t = useEmulator({ clock: manual })

  it('is read as mode host', async () => {
    expect(await t.emulator.clock.get()).toEqual({ mode: 'host', now: START, iso: '2026-01-01T00:00:00.000Z' })
  })

  const moves: { name: string; method: string; path: string; body?: unknown }[] = [
    { name: 'freeze', method: 'POST', path: '/_emulator/clock/freeze' },
    { name: 'resume', method: 'POST', path: '/_emulator/clock/resume' },
    { name: 'advance', method: 'POST', path: '/_emulator/clock/advance', body: { by: '1s' } },
    { name: 'set', method: 'PUT', path: '/_emulator/clock', body: { now: START + 5000 } },
  ]
  for (const { name, method, path, body } of moves) {
    it(`answers ${name} with 409 clock_not_controllable and leaves the clock alone`, async () => {
      const res = await t.raw(method, path, body === undefined ? {} : { body })
      const error = expectErrorBody(res, 409, 'clock_not_controllable')
      expect(error.message).toBe('this emulator runs on a clock object given by its host, which the admin API cannot move (a namespace\'s clock can be moved)')
      expect(manual.now()).toBe(START)
    })
  }

  it('makes the client reject with the 409', async () => {
    await expect(t.emulator.clock.advance('1s')).rejects.toThrow(/409: clock_not_controllable/)
    await expect(t.emulator.clock.freeze()).rejects.toThrow(/409: clock_not_controllable/)
  })
})

describe('timers further away than Node can wait at once (2^31 - 1 ms, about 24.8 days)', () => {
  // Node fires a setTimeout longer than that after 1 ms; the clocks must wait the whole time instead.
  it('a system-mode clock set back by 30 days does not fire a pending timer early', async () => {
    const clock = new ControllableClock('system')
    let fired = false
    const timer = clock.setTimer(60 * SEC, () => {
      fired = true
    })
    clock.set(clock.now() - 30 * DAY)
    await realDelay(30)
    expect(fired).toBe(false)
    expect(clock.pendingTimers).toBe(1)
    timer.cancel()
  })

  it('a system-mode clock fires a 30-day timer only once it is due', async () => {
    const clock = new ControllableClock('system')
    let fired = 0
    clock.setTimer(30 * DAY, () => {
      fired++
    })
    await realDelay(30)
    expect(fired).toBe(0)
    // Moving the clock to the due time fires it, once.
    clock.advance(30 * DAY)
    expect(fired).toBe(1)
    expect(clock.pendingTimers).toBe(0)
  })

  it('the plain system clock does not fire a 30-day timer early', async () => {
    let fired = false
    const timer = systemClock.setTimer(30 * DAY, () => {
      fired = true
    })
    await realDelay(30)
    expect(fired).toBe(false)
    timer.cancel()
  })
})
