import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import { RecordListBuilder } from './record-list.ts'
import { RecordLog } from './record-log.ts'
import { meteredSize, NO_HEADERS, type StoredRecord } from './record.ts'
import { RecordBatch } from './record-batch.ts'
import { rng } from '../../../test/support/random.ts'

// The log stores records in chunks of 1024; sizes around that boundary are the interesting ones.
const CHUNK = 1024

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

// Records vary the way stored ones do: empty bodies, headers (empty values too) on some, keys on others.
function record(seqNum: number, timestamp = seqNum): StoredRecord {
  const headers = seqNum % 7 === 3 ? [{ name: bytes('h'), value: bytes(`v${seqNum}`) }, { name: bytes('empty'), value: bytes('') }] : NO_HEADERS
  const body = seqNum % 5 === 0 ? new Uint8Array(0) : bytes(`body ${seqNum} `.repeat(seqNum % 13))
  return {
    seqNum,
    timestamp,
    headers,
    body,
    metered: meteredSize({ headers, body }),
    expiresAt: seqNum % 11 === 0 ? Infinity : 1000 + seqNum,
    keyId: seqNum % 4 === 1 ? `key-${seqNum % 3}` : null,
  }
}

function filled(count: number, start = 0, timestampOf: (seq: number) => number = (seq) => seq): RecordLog {
  const log = new RecordLog(start)
  for (let seq = start; seq < start + count; seq++) log.push(record(seq, timestampOf(seq)))
  return log
}

/** A record's header and body bytes (its metered size without the fixed and per-header parts). */
const recordBytes = (r: StoredRecord): number => r.metered - 8 - 2 * r.headers.length

/**
 * The records with their parts laid out in one buffer, in order, with `framing` bytes before each
 * part (as a decoded request's are), their parts views of it.
 */
function packed(records: readonly StoredRecord[], framing = 3): StoredRecord[] {
  let size = 0
  for (const r of records) size += recordBytes(r) + framing * (1 + 2 * r.headers.length)
  const buffer = new Uint8Array(size).fill(0xee)
  let at = 0
  const place = (part: Uint8Array): Uint8Array => {
    at += framing
    buffer.set(part, at)
    at += part.length
    return buffer.subarray(at - part.length, at)
  }
  return records.map((r) => ({
    ...r,
    headers: r.headers.length === 0 ? NO_HEADERS : r.headers.map((h) => ({ name: place(h.name), value: place(h.value) })),
    body: place(r.body),
  }))
}

/** The records as one append stores them: with the first one's expiry and key. */
const uniform = (records: readonly StoredRecord[]): StoredRecord[] =>
  records.map((r) => ({ ...r, expiresAt: records[0]?.expiresAt ?? Infinity, keyId: records[0]?.keyId ?? null }))

/**
 * Adds records (see {@link uniform}) as StreamState.append does: pointing into the buffer they
 * arrived in when the batch is {@link RecordBatch.shareable}, else copied (always, with `share` off).
 */
function addBatch(log: RecordLog, records: readonly StoredRecord[], share = true): Buffer | null {
  const batch = RecordBatch.of(records)
  const shared = share ? batch.shareable : null
  log.addBatch(batch, Float64Array.from(records, (r) => r.timestamp), records[0]?.expiresAt ?? Infinity, records[0]?.keyId ?? null, null, shared)
  return shared
}

const seqs = (log: RecordLog): (number | undefined)[] => {
  const out: (number | undefined)[] = []
  for (let seq = log.start; seq < log.next; seq++) out.push(log.get(seq)?.seqNum)
  return out
}

describe('RecordLog', () => {
  it('hands out records by sequence number across chunk boundaries', () => {
    const log = filled(2 * CHUNK + 5)
    expect(log.start).toBe(0)
    expect(log.next).toBe(2 * CHUNK + 5)
    expect(log.size).toBe(2 * CHUNK + 5)
    for (const seq of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 4]) {
      expect(log.get(seq)?.seqNum).toBe(seq)
    }
    expect(log.get(-1)).toBeUndefined()
    expect(log.get(2 * CHUNK + 5)).toBeUndefined()
  })

  it('starts at the given sequence number', () => {
    const log = filled(3, 500)
    expect([log.start, log.next, log.size]).toEqual([500, 503, 3])
    expect(seqs(log)).toEqual([500, 501, 502])
    expect(log.get(499)).toBeUndefined()
  })

  it('forgets records below the drop point and keeps serving the rest, including after more pushes', () => {
    const log = filled(3 * CHUNK)
    log.dropBefore(CHUNK + 10)
    expect(log.start).toBe(CHUNK + 10)
    expect(log.size).toBe(2 * CHUNK - 10)
    expect(log.get(CHUNK + 9)).toBeUndefined()
    expect(log.get(0)).toBeUndefined()
    expect(log.get(CHUNK + 10)?.seqNum).toBe(CHUNK + 10)
    expect(log.get(3 * CHUNK - 1)?.seqNum).toBe(3 * CHUNK - 1)
    log.push(record(3 * CHUNK))
    expect(log.get(3 * CHUNK)?.seqNum).toBe(3 * CHUNK)
    expect(seqs(log)).toHaveLength(2 * CHUNK - 9)
  })

  it('ignores a drop point at or below the start, and clamps one beyond the end', () => {
    const log = filled(10)
    log.dropBefore(4)
    log.dropBefore(2)
    log.dropBefore(4)
    expect(log.start).toBe(4)
    log.dropBefore(1_000_000)
    expect([log.start, log.next, log.size]).toEqual([10, 10, 0])
    log.push(record(10))
    expect(log.get(10)?.seqNum).toBe(10)
    expect(log.size).toBe(1)
  })

  it('keeps working after everything is dropped on a chunk boundary', () => {
    const log = filled(2 * CHUNK)
    log.dropBefore(2 * CHUNK)
    expect(log.size).toBe(0)
    for (let seq = 2 * CHUNK; seq < 3 * CHUNK + 3; seq++) log.push(record(seq))
    expect(log.get(2 * CHUNK)?.seqNum).toBe(2 * CHUNK)
    expect(log.get(3 * CHUNK + 2)?.seqNum).toBe(3 * CHUNK + 2)
    expect(seqs(log)).toEqual(Array.from({ length: CHUNK + 3 }, (_, i) => 2 * CHUNK + i))
  })

  it('copies the bytes it is given: the buffer a record came in may change or go', () => {
    const log = new RecordLog()
    const source = record(17) // with headers and a body
    log.push(source)
    const copy = { ...source, body: source.body.slice(), headers: source.headers.map((h) => ({ name: h.name.slice(), value: h.value.slice() })) }
    source.body.fill(0)
    for (const h of source.headers) h.name.fill(0)
    expect(log.get(0)).toEqual({ ...copy, seqNum: 0 })
  })

  it('copies a batch into arenas across a chunk boundary, and keeps no reference to its buffer', () => {
    const log = filled(CHUNK - 100)
    const batch = uniform(packed(Array.from({ length: 300 }, (_, i) => record(CHUNK - 100 + i))))
    expect(addBatch(log, batch, false)).toBeNull()
    for (const r of batch) {
      const got = log.get(r.seqNum)
      expect(got).toEqual(r)
      if (r.body.length > 0) expect(got?.body.buffer).not.toBe(r.body.buffer)
    }
    // The same records read back from the other chunk's side of the boundary, and a copy.
    expect(log.clone().get(CHUNK + 199)).toEqual(batch.at(-1))
  })

  it('keeps a command out of the key its batch is written with', () => {
    const log = new RecordLog()
    const batch = uniform([record(1), record(2), record(3)]).map((r) => ({ ...r, keyId: 'key-a' }))
    log.addBatch(RecordBatch.of(batch), new Float64Array([1, 2, 3]), 10, 'key-a', new Map([[1, 'a command']]), null)
    expect([0, 1, 2].map((seq) => log.get(seq)?.keyId)).toEqual(['key-a', null, 'key-a'])
  })

  it('points a large batch into the buffer it arrived in, across a chunk boundary and a clone', () => {
    const log = filled(CHUNK - 100)
    const batch = uniform(packed(Array.from({ length: 300 }, (_, i) => record(CHUNK - 100 + i))))
    const shared = addBatch(log, batch)
    expect(shared?.buffer).toBe(batch[1]?.body.buffer)
    const clone = log.clone()
    // Small batches are copied; they share the chunks with the large one.
    const more = uniform(packed([record(CHUNK + 200), record(CHUNK + 201)]))
    expect(addBatch(log, more)).toBeNull()
    addBatch(clone, packed([record(CHUNK + 200)]))
    for (const r of batch) {
      const got = log.get(r.seqNum)
      expect(got).toEqual(r)
      if (r.body.length > 0) expect(got?.body.buffer).toBe(shared?.buffer)
    }
    for (const r of more) {
      const got = log.get(r.seqNum)
      expect(got).toEqual(r)
      expect(got?.body.buffer).not.toBe(r.body.buffer)
    }
    for (const r of batch) expect(clone.get(r.seqNum)).toEqual(r)
    expect(clone.get(CHUNK + 200)).toEqual(record(CHUNK + 200))
    expect(clone.get(CHUNK + 201)).toBeUndefined()
  })

  it('copies a batch whose buffer is much larger than it; parts out of order in a small one do not matter', () => {
    const batch = uniform(Array.from({ length: 200 }, (_, i) => record(i * 7 + 3))) // all with headers
    const size = batch.reduce((sum, r) => sum + recordBytes(r), 0)
    expect(size).toBeGreaterThan(4096)
    // With one byte of framing per part the request is within a quarter of the records' bytes.
    expect(RecordBatch.of(packed(batch, 1)).shareable).not.toBeNull()
    // A view into a read many times its size (node:http2's DATA chunks are) would keep the rest alive.
    expect(RecordBatch.of(packed(batch, Math.ceil(size / 300))).shareable).toBeNull()
    const log = new RecordLog()
    expect(addBatch(log, packed(batch, Math.ceil(size / 300)))).toBeNull()
    const reversed = packed(batch, 1).reverse()
    expect(addBatch(log, reversed)).not.toBeNull()
    for (let i = 0; i < 200; i++) expect(log.get(i)?.body).toEqual(batch[i]?.body)
    for (let i = 0; i < 200; i++) expect(log.get(200 + i)?.body).toEqual(batch[199 - i]?.body)
  })

  it('reads records out of chunks as a RecordList, field by field and as objects', () => {
    const log = filled(2 * CHUNK + 40)
    const picked = new RecordListBuilder(4)
    const seqs = [0, 3, 10, CHUNK - 1, CHUNK, CHUNK + 3, 2 * CHUNK + 39]
    for (const seq of seqs) picked.add(log.chunkAt(seq), seq - log.chunkAt(seq).base)
    const list = picked.finish()
    expect(list.length).toBe(seqs.length)
    seqs.forEach((seq, i) => {
      const want = record(seq)
      expect([list.seqNum(i), list.timestamp(i), list.metered(i), list.keyId(i)]).toEqual([seq, want.timestamp, want.metered, want.keyId])
      expect(list.body(i)).toEqual(want.body)
      const out = new Uint8Array(want.body.length + 2)
      expect(list.copyBody(i, out, 1)).toBe(1 + want.body.length)
      expect(out.subarray(1, -1)).toEqual(want.body)
      expect(list.headerCount(i)).toBe(want.headers.length)
      want.headers.forEach((h, j) => {
        expect([list.headerName(i, j), list.headerValue(i, j)]).toEqual([h.name, h.value])
        expect([list.headerNameLength(i, j), list.headerValueLength(i, j)]).toEqual([h.name.length, h.value.length])
      })
      expect(list.get(i)).toEqual(want)
    })
    expect(list.meteredBytes()).toBe(seqs.reduce((sum, seq) => sum + record(seq).metered, 0))
    expect(list.slice(2, 4).map((r) => r.seqNum)).toEqual([10, CHUNK - 1])
    log.dropBefore(2 * CHUNK) // a list holds its chunks, not the log
    expect(list.get(0)).toEqual(record(0))
  })

  describe('seekTimestamp', () => {
    // Timestamps never decrease; runs of equal ones are common (a batch shares one arrival time).
    const timestamps = [10, 10, 20, 20, 20, 35, 40, 40, 90]
    const log = filled(timestamps.length, 0, (seq) => timestamps[seq] as number)

    it('finds the first record at or after a timestamp', () => {
      expect(log.seekTimestamp(0)).toBe(0)
      expect(log.seekTimestamp(10)).toBe(0)
      expect(log.seekTimestamp(11)).toBe(2)
      expect(log.seekTimestamp(20)).toBe(2)
      expect(log.seekTimestamp(21)).toBe(5)
      expect(log.seekTimestamp(40)).toBe(6)
      expect(log.seekTimestamp(90)).toBe(8)
    })

    it('returns the next sequence number when every record is older', () => {
      expect(log.seekTimestamp(91)).toBe(timestamps.length)
      expect(new RecordLog(7).seekTimestamp(0)).toBe(7)
    })

    it('never answers below `from` or below the records still held', () => {
      expect(log.seekTimestamp(10, 3)).toBe(3)
      expect(log.seekTimestamp(21, 3)).toBe(5)
      const dropped = filled(timestamps.length, 0, (seq) => timestamps[seq] as number)
      dropped.dropBefore(4)
      expect(dropped.seekTimestamp(0)).toBe(4)
      expect(dropped.seekTimestamp(0, 1)).toBe(4)
      expect(dropped.seekTimestamp(35)).toBe(5)
    })

    it('agrees with a linear scan on a long log spanning many chunks', () => {
      const random = rng(7)
      let ts = 0
      const stamps: number[] = []
      for (let i = 0; i < 3 * CHUNK + 17; i++) {
        if (random() < 0.3) ts += Math.floor(random() * 5) + 1
        stamps.push(ts)
      }
      const long = filled(stamps.length, 0, (seq) => stamps[seq] as number)
      for (let target = -1; target <= ts + 1; target++) {
        const expected = stamps.findIndex((s) => s >= target)
        expect(long.seekTimestamp(target)).toBe(expected === -1 ? stamps.length : expected)
      }
    })
  })

  describe('clone', () => {
    it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK])(
      'of a log of %i records holds the same records',
      (count) => {
        const original = filled(count)
        const copy = original.clone()
        expect([copy.start, copy.next, copy.size]).toEqual([original.start, original.next, original.size])
        for (let seq = 0; seq < count; seq++) expect(copy.get(seq)).toEqual(original.get(seq))
      },
    )

    it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK])(
      'of a log of %i records is independent: pushes to either side do not show in the other',
      (count) => {
        const original = filled(count)
        const copy = original.clone()
        for (let i = 0; i < CHUNK + 2; i++) copy.push(record(count + i, -1))
        expect(original.next).toBe(count)
        expect(original.get(count)).toBeUndefined()

        for (let i = 0; i < 3; i++) original.push(record(count + i, -2))
        expect(original.get(count)?.timestamp).toBe(-2)
        expect(copy.get(count)?.timestamp).toBe(-1)
        expect(copy.get(count + 2)?.timestamp).toBe(-1)
        expect(copy.next).toBe(count + CHUNK + 2)
        expect(original.next).toBe(count + 3)
        // What both had before the clone is still the same on both sides.
        for (let seq = 0; seq < count; seq++) expect(copy.get(seq)).toEqual(original.get(seq))
      },
    )

    it('is independent of drops on either side', () => {
      const original = filled(2 * CHUNK + 3)
      const copy = original.clone()
      copy.dropBefore(CHUNK + 1)
      expect(original.start).toBe(0)
      expect(original.get(0)?.seqNum).toBe(0)
      expect(original.get(CHUNK)?.seqNum).toBe(CHUNK)
      original.dropBefore(2 * CHUNK)
      expect(copy.get(CHUNK + 1)?.seqNum).toBe(CHUNK + 1)
      expect(copy.size).toBe(CHUNK + 2)
    })

    it('of a log that had dropped records keeps its start and serves the rest', () => {
      const original = filled(CHUNK + 50)
      original.dropBefore(CHUNK + 3)
      const copy = original.clone()
      expect(copy.start).toBe(CHUNK + 3)
      expect(seqs(copy)).toEqual(seqs(original))
      copy.push(record(CHUNK + 50))
      expect(copy.get(CHUNK + 50)?.seqNum).toBe(CHUNK + 50)
      expect(original.get(CHUNK + 50)).toBeUndefined()
    })
  })

  it('keeps the expiry of each record when batches share one, including across a clone taken mid-run', () => {
    // Expiry is kept per run of records with the same time (a batch): runs that return to an earlier value, cross a chunk, and diverge after a clone.
    const expiry = (seq: number): number => [5000, 5000, 7000, Infinity, 5000][Math.floor(seq / 300) % 5] as number
    const log = new RecordLog()
    for (let seq = 0; seq < CHUNK + 700; seq++) log.push({ ...record(seq), expiresAt: expiry(seq) })
    const copy = log.clone()
    for (let seq = CHUNK + 700; seq < CHUNK + 710; seq++) {
      log.push({ ...record(seq), expiresAt: 1 })
      copy.push({ ...record(seq), expiresAt: 2 })
    }
    for (let seq = 0; seq < CHUNK + 700; seq++) {
      expect([log.expiresAtOf(seq), copy.expiresAtOf(seq), log.get(seq)?.expiresAt], `seq ${seq}`).toEqual([expiry(seq), expiry(seq), expiry(seq)])
    }
    for (let seq = CHUNK + 700; seq < CHUNK + 710; seq++) expect([log.expiresAtOf(seq), copy.expiresAtOf(seq)]).toEqual([1, 2])
  })

  it('keeps timestamps as runs of equal ones, then one per record past 64 runs in a chunk, and reads them in any order', () => {
    // Batches of 50 share a time, but from CHUNK + 300 to 2 * CHUNK + 200 each record has its own:
    // chunk 1 switches to one per record part way, chunk 2 starts with runs and switches too, chunk 3 keeps runs.
    const expected = new Float64Array(3 * CHUNK + 500)
    let ts = 0
    for (let seq = 0; seq < expected.length; seq++) {
      if ((seq >= CHUNK + 300 && seq < 2 * CHUNK + 200) || seq % 50 === 0) ts++
      expected[seq] = ts
    }
    const log = new RecordLog()
    const clones: RecordLog[] = []
    for (let from = 0; from < expected.length; from += 50) {
      const records = Array.from({ length: Math.min(50, expected.length - from) }, (_, i) => record(from + i, expected[from + i]))
      addBatch(log, packed(uniform(records)))
      // One clone while chunk 1 has runs, one after it switched.
      if (from === CHUNK + 250 || from === CHUNK + 500) clones.push(log.clone())
    }
    const order = [...expected.keys()]
    const random = rng(3)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j] as number, order[i] as number]
    }
    for (const seqs of [[...expected.keys()], order, [...expected.keys()].reverse()]) {
      for (const seq of seqs) expect(log.timestampOf(seq), `seq ${seq}`).toBe(expected[seq])
    }
    for (const clone of clones) {
      const held = clone.next
      for (let i = 0; i < 100; i++) clone.push(record(held + i, 1e6 + i))
      for (let seq = 0; seq < held + 100; seq++) expect(clone.get(seq)?.timestamp, `clone, seq ${seq}`).toBe(seq < held ? expected[seq] : 1e6 + seq - held)
    }
    for (let seq = 0; seq < expected.length; seq++) expect(log.get(seq)?.timestamp, `after the clones, seq ${seq}`).toBe(expected[seq])
    const builder = new RecordListBuilder(expected.length)
    for (let seq = 0; seq < expected.length; seq++) builder.add(log.chunkAt(seq), seq % CHUNK)
    const list = builder.finish()
    expect(Float64Array.from({ length: list.length }, (_, i) => list.timestamp(i))).toEqual(expected)
    for (let target = 0; target <= ts + 1; target += 7) {
      const first = expected.findIndex((t) => t >= target)
      expect(log.seekTimestamp(target), `seek ${target}`).toBe(first === -1 ? expected.length : first)
    }
  })

  it('gives a clone and its original timestamps of their own in the chunk they shared', () => {
    const log = new RecordLog()
    for (let seq = 0; seq < 100; seq++) log.push(record(seq, seq < 50 ? 1 : 2))
    const copy = log.clone()
    for (let seq = 100; seq < 110; seq++) log.push(record(seq, 3))
    for (let seq = 100; seq < 110; seq++) copy.push(record(seq, 4))
    expect([log.timestampOf(0), log.timestampOf(99), log.timestampOf(100), log.timestampOf(109)]).toEqual([1, 2, 3, 3])
    expect([copy.timestampOf(0), copy.timestampOf(99), copy.timestampOf(100), copy.timestampOf(109)]).toEqual([1, 2, 4, 4])
  })

  it('matches a plain array under a random mix of pushes, drops and clones', () => {
    const random = rng(42)
    type Model = { log: RecordLog; start: number; records: StoredRecord[] }
    const models: Model[] = [{ log: new RecordLog(), start: 0, records: [] }]
    let sharedBatches = 0
    for (let step = 0; step < 1500; step++) {
      const model = models[Math.floor(random() * models.length)] as Model
      const roll = random()
      if (roll < 0.7) {
        const n = Math.floor(random() * 200)
        const batch = Array.from({ length: n }, (_, i) => record(model.records.length + i, step))
        // Half the batches arrive in one buffer, as decoded requests do (shared when large enough),
        // a quarter are copied as batches, a quarter pushed record by record.
        const way = random()
        if (way < 0.5 && n > 0) {
          const appended = uniform(packed(batch))
          model.records.push(...appended)
          if (addBatch(model.log, appended) !== null) sharedBatches++
        } else if (way < 0.75 && n > 0) {
          const appended = uniform(batch)
          model.records.push(...appended)
          expect(addBatch(model.log, appended, false)).toBeNull()
        } else {
          model.records.push(...batch)
          for (const r of batch) model.log.push(r)
        }
      } else if (roll < 0.9) {
        const to = Math.floor(random() * (model.records.length + 10))
        model.log.dropBefore(to)
        model.start = Math.max(model.start, Math.min(to, model.records.length))
      } else if (models.length < 8) {
        models.push({ log: model.log.clone(), start: model.start, records: [...model.records] })
      }
    }
    for (const model of models) {
      expect(model.log.start).toBe(model.start)
      expect(model.log.next).toBe(model.records.length)
      const mismatched: number[] = []
      for (let seq = model.start - 2; seq < model.records.length + 2; seq++) {
        const expected = seq >= model.start ? model.records[seq] : undefined
        if (!isDeepStrictEqual(model.log.get(seq), expected)) mismatched.push(seq)
      }
      expect(mismatched).toEqual([])
    }
    expect(sharedBatches).toBeGreaterThan(100)
  })
})
