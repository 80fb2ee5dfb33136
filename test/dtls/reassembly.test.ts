/**
 * DTLS handshake reassembly against hostile fragmentation (fuzz findings:
 * quadratic work on many one-byte fragments with gaps, and buffers sized from
 * the length a fragment header claims). No wall-clock assertions: the bounds
 * are checked on the structure (range count, bytes held, bytes copied).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Dir } from '../../src/core/types.js';
import type { HandshakeFragment } from '../../src/dtls/record.js';
import { HandshakeReassembler } from '../../src/dtls/reassembly.js';
import { MAX_RANGES, RangeBuffer, newPieceBudget } from '../../src/core/range-buffer.js';
import { UdpTlsConsumer } from '../../src/session/udp.js';
import { fakeFlow as fakeUdpFlow, runDatagrams } from '../quic/helpers.js';

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

const frag = (msgType: number, messageSeq: number, length: number, offset: number, data: Uint8Array | number[]): HandshakeFragment =>
  ({ msgType, messageSeq, length, offset, data: Uint8Array.from(data) });

/** Pseudo-random bytes (deterministic). */
function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('RangeBuffer', () => {
  it('matches a byte-array model (ranges, contents, last writer wins) under any adds', () => {
    const L = 200;
    const add = fc.tuple(fc.nat(L - 1), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 255 }));
    fc.assert(fc.property(fc.array(add, { maxLength: 60 }), (adds) => {
      const rb = new RangeBuffer(L);
      const model: Array<number | undefined> = new Array<number | undefined>(L).fill(undefined);
      for (const [off, len0, v] of adds) {
        const len = Math.min(len0, L - off);
        const data = Uint8Array.from({ length: len }, (_, i) => (v + i) & 0xff);
        expect(rb.add(off, data)).toBe(true);
        for (let i = 0; i < len; i++) model[off + i] = data[i]!;
        const runs: Array<[number, number]> = [];
        for (let i = 0; i < L; i++) {
          if (model[i] === undefined) continue;
          const last = runs[runs.length - 1];
          if (last && last[1] === i) last[1] = i + 1;
          else runs.push([i, i + 1]);
        }
        expect(rb.ranges().map((r) => [r.start, r.end])).toEqual(runs);
        for (const r of rb.ranges()) expect([...RangeBuffer.slice(r, r.start, r.end)]).toEqual(model.slice(r.start, r.end));
        const covered = runs.reduce((n, [a, b]) => n + b - a, 0);
        expect(rb.bufferedBytes).toBeLessThanOrEqual(2 * covered);
      }
    }), { numRuns: 300 });
  });

  it('one-byte pieces in adversarial orders: bytes copied stay linear', () => {
    const L = 60000;
    const descending = Array.from({ length: L }, (_, i) => L - 1 - i);
    const mid = L / 2;
    const alternating = Array.from({ length: L }, (_, i) => (i % 2 === 0 ? mid + i / 2 : mid - (i + 1) / 2));
    for (const order of [descending, alternating]) {
      const rb = new RangeBuffer(L);
      for (const o of order) rb.add(o, Uint8Array.of(o & 0xff));
      expect(rb.rangeCount).toBe(1);
      const r = rb.first()!;
      expect([r.start, r.end]).toEqual([0, L]);
      expect(RangeBuffer.at(r, 12345)).toBe(12345 & 0xff);
      expect(rb.copiedBytes).toBeLessThan(4 * L);
      expect(rb.bufferedBytes).toBe(L);
    }
  });

  it('refuses a range beyond the cap and stores nothing', () => {
    const rb = new RangeBuffer(100, 3);
    for (const o of [0, 10, 20]) expect(rb.add(o, Uint8Array.of(1))).toBe(true);
    expect(rb.add(30, Uint8Array.of(1))).toBe(false);
    expect(rb.rangeCount).toBe(3);
    expect(rb.add(11, Uint8Array.of(1))).toBe(true); // extending a range is always fine
    expect(rb.add(30, Uint8Array.of(1))).toBe(false);
    expect(rb.add(1, Uint8Array.from(new Array(30).fill(2)))).toBe(true); // touches and overlaps all three
    expect(rb.rangeCount).toBe(1);
  });
});

describe('HandshakeReassembler on hostile fragments', () => {
  it('the pieces of all messages in progress share one budget (found by fuzzing: 64 messages x 1024 pieces held 20 MB)', () => {
    const r = new HandshakeReassembler();
    const kinds = new Map<string, number>();
    // 48 messages of 2047 bytes (within the 64 KB claim budget), each sent as 1-byte pieces at even offsets
    for (let k = 0; k < 64; k++) {
      for (let seq = 0; seq < 48; seq++) {
        const res = r.add(frag(1, seq, 2047, 2 * k, [0x41]));
        kinds.set(res.kind, (kinds.get(res.kind) ?? 0) + 1);
        expect(r.pieceCount).toBeLessThanOrEqual(MAX_RANGES);
      }
    }
    expect(kinds.get('too_many_fragments')).toBeGreaterThan(0);
    // the messages still in progress hold at most the budget's worth of pieces, and dropped ones hold nothing
    expect(r.bufferedBytes).toBeLessThanOrEqual(2 * MAX_RANGES);
  });

  it('one-byte fragments with gaps: dropped at the range cap, later fragments ignored cheaply', () => {
    // the fuzz case: a 40000-byte message as 20000 one-byte fragments at even offsets, descending
    const N = 20000;
    const r = new HandshakeReassembler();
    const kinds = new Map<string, number>();
    for (let k = N - 1; k >= 0; k--) {
      const res = r.add(frag(1, 0, 2 * N, 2 * k, [0x41]));
      kinds.set(res.kind, (kinds.get(res.kind) ?? 0) + 1);
      if (N - 1 - k === MAX_RANGES) expect(res.kind).toBe('too_many_fragments');
    }
    expect(Object.fromEntries(kinds)).toEqual({ partial: MAX_RANGES, too_many_fragments: 1, dropped: N - MAX_RANGES - 1 });
    expect(r.bufferedBytes).toBe(0);
    // the budget was given back: another message can be reassembled
    const m = bytes(3000);
    expect(r.add(frag(2, 1, 3000, 1000, m.subarray(1000))).kind).toBe('partial');
    const done = r.add(frag(2, 1, 3000, 0, m.subarray(0, 1000)));
    expect(done.kind).toBe('complete');
    if (done.kind === 'complete') expect(done.body).toEqual(m);
  });

  it('a header claiming a huge length allocates only the bytes present', () => {
    const r = new HandshakeReassembler();
    expect(r.add(frag(1, 0, 65000, 64999, [0x41])).kind).toBe('partial');
    expect(r.bufferedBytes).toBe(1);
    expect(r.add(frag(11, 1, 60000, 100, bytes(10))).kind).toBe('too_big'); // the claim still counts against the budget
    const big = new HandshakeReassembler(1 << 24);
    expect(big.add(frag(11, 0, 0xffffff, 0x7fffff, bytes(10))).kind).toBe('partial');
    expect(big.add(frag(11, 0, 0xffffff, 0, bytes(20))).kind).toBe('partial');
    expect(big.bufferedBytes).toBe(30);
  });

  it('any permutation, duplication and overlap of the fragments gives the message, once', () => {
    const arb = fc.record({
      msg: fc.uint8Array({ minLength: 1, maxLength: 400 }),
      cuts: fc.array(fc.nat(), { maxLength: 30 }),
      extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
      keys: fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
    });
    fc.assert(fc.property(arb, ({ msg, cuts, extra, keys }) => {
      const L = msg.length;
      const points = [...new Set([0, L, ...cuts.map((c) => c % (L + 1))])].sort((a, b) => a - b);
      const pieces: Array<[number, number]> = [];
      for (let i = 0; i + 1 < points.length; i++) pieces.push([points[i]!, points[i + 1]!]);
      for (const [a, b] of extra) {
        const s = a % L;
        pieces.push([s, s + 1 + (b % (L - s))]); // overlapping or duplicate
      }
      const order = pieces.map((p, i) => ({ p, k: keys[i % keys.length]! + i / 1000 })).sort((x, y) => x.k - y.k).map((x) => x.p);
      const r = new HandshakeReassembler();
      let complete = 0;
      let seenAll = false;
      const covered = new Uint8Array(L);
      for (const [s, e] of order) {
        const res = r.add(frag(11, 5, L, s, msg.subarray(s, e)));
        covered.fill(1, s, e);
        if (res.kind === 'complete') {
          complete++;
          expect(res.messageSeq).toBe(5);
          expect(res.body).toEqual(msg);
        } else if (seenAll) {
          expect(res.kind).toBe('duplicate');
        } else {
          expect(res.kind).toBe('partial');
        }
        if (covered.every((c) => c === 1)) seenAll = true;
        expect(r.bufferedBytes).toBeLessThanOrEqual(2 * L);
      }
      expect(complete).toBe(1);
      expect(r.bufferedBytes).toBe(0);
    }), { numRuns: 500 });
  });
});

describe('DTLS dissector on hostile fragments', () => {
  function record(type: number, seq: number, body: number[]): number[] {
    return [type, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, ...u16(seq), ...u16(body.length), ...body];
  }
  const hsFrag = (msgType: number, msgSeq: number, length: number, off: number, data: number[]): number[] =>
    [msgType, ...u24(length), ...u16(msgSeq), ...u24(off), ...u24(data.length), ...data];

  it('a ServerHello in too many pieces is dropped with one anomaly, the session stays', () => {
    const ch = [0xfe, 0xfd, ...new Array(32).fill(0x11), 0, 0, 0, 2, 0xc0, 0x2b, 1, 0, 0, 0];
    const dgrams: Array<[Dir, Uint8Array]> = [[0, Uint8Array.from(record(22, 0, hsFrag(1, 0, ch.length, 0, ch)))]];
    const n = 3 * MAX_RANGES;
    for (let k = 0, seq = 1; k < n; seq++) {
      const frags: number[] = [];
      for (let j = 0; j < 100 && k < n; j++, k++) frags.push(...hsFrag(2, 0, 2 * n, 2 * k, [0x41]));
      dgrams.push([1, Uint8Array.from(record(22, seq, frags))]);
    }
    const { sessions } = runDatagrams(dgrams);
    expect(sessions).toHaveLength(1);
    const codes = sessions[0]!.anomalies.map((a) => a.code);
    expect(codes.filter((c) => c === 'dtls_too_many_fragments')).toHaveLength(1);
    expect(sessions[0]!.server_hello).toBeFalsy();
  });

  it('all UDP flows share one piece budget, given back when a flow ends', () => {
    const ch = [0xfe, 0xfd, ...new Array(32).fill(0x11), 0, 0, 0, 2, 0xc0, 0x2b, 1, 0, 0, 0];
    const budget = newPieceBudget(1500);
    const flows = [];
    let peak = 0;
    for (let i = 0; i < 4; i++) {
      // each flow: a ClientHello, then a ServerHello whose 1000 one-byte pieces leave gaps (never completes)
      const c = new UdpTlsConsumer(fakeUdpFlow(), () => {}, budget);
      c.datagram(0, Uint8Array.from(record(22, 0, hsFrag(1, 0, ch.length, 0, ch))), { sec: 1, nsec: 0 }, 0);
      for (let k = 0, seq = 1; k < 1000; seq++) {
        const frags: number[] = [];
        for (let j = 0; j < 100 && k < 1000; j++, k++) frags.push(...hsFrag(2, 0, 2000, 2 * k, [0x41]));
        c.datagram(1, Uint8Array.from(record(22, seq, frags)), { sec: 1, nsec: seq }, seq);
        peak = Math.max(peak, budget.used);
      }
      flows.push(c);
    }
    // one flow fits (1000 pieces), the second goes past 1500 and its message is dropped, and so on
    expect(peak).toBeLessThanOrEqual(1500);
    expect(budget.used).toBeGreaterThanOrEqual(1000);
    for (const c of flows) c.end('eof', { sec: 2, nsec: 0 });
    expect(budget.used).toBe(0);
  });
});

describe('RangeBuffer with a shared piece budget', () => {
  it('separate ranges count against the budget, merges and clear() give them back', () => {
    const budget = newPieceBudget(10);
    const a = new RangeBuffer(1000, MAX_RANGES, budget);
    const b = new RangeBuffer(1000, MAX_RANGES, budget);
    for (let k = 0; k < 6; k++) expect(a.add(10 * k, Uint8Array.of(1))).toBe(true);
    for (let k = 0; k < 4; k++) expect(b.add(10 * k, Uint8Array.of(2))).toBe(true);
    expect(budget.used).toBe(10);
    expect(b.add(500, Uint8Array.of(3))).toBe(false); // a new separate range: over budget
    expect(b.add(1, Uint8Array.of(3))).toBe(true); // extends an existing range: no new piece
    expect(a.add(0, new Uint8Array(60))).toBe(true); // merges a's six ranges into one
    expect(budget.used).toBe(5);
    a.clear();
    b.clear();
    expect(budget.used).toBe(0);
  });
});
