import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_FIN, TCP_SYN } from '../../src/decode/types.js';
import type { Segment } from '../../src/decode/types.js';
import { Reassembler, SEGMENT_OVERHEAD } from '../../src/reassembly/reassembler.js';
import { harness, seg, type Recorder } from './helpers.js';
import { shuffleWith, withDuplicates } from '../shuffle.js';

const isnArb = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.integer({ min: 2 ** 32 - 5000, max: 2 ** 32 - 1 }), // wraps inside the stream
);

/** A stream and cut points (sorted, distinct, strictly inside). */
const streamArb = fc
  .uint8Array({ minLength: 1, maxLength: 3000, size: 'max' })
  .chain((data) =>
    fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, data.length - 1) }), { maxLength: 40, size: 'large' })
      .map((cuts) => {
        const c = [...new Set(cuts.filter((x) => x < data.length))].sort((a, b) => a - b);
        const bounds = [0, ...c, data.length];
        const ranges: [number, number][] = [];
        for (let i = 0; i + 1 < bounds.length; i++) ranges.push([bounds[i]!, bounds[i + 1]!]);
        return { data, ranges };
      }),
  );

/** Check the events of direction 0: data at the right offsets, gaps accounted. Returns [delivered, gapBytes]. */
function replay(rec: Recorder, data: Uint8Array): [number, number] {
  let off = 0;
  let delivered = 0;
  let gaps = 0;
  let pendingAfterGap = false;
  for (const e of rec.events) {
    if (e.k === 'data' && e.dir === 0) {
      expect(e.afterGap).toBe(pendingAfterGap);
      pendingAfterGap = false;
      expect(off + e.bytes.length).toBeLessThanOrEqual(data.length);
      expect(Buffer.from(e.bytes).equals(Buffer.from(data.subarray(off, off + e.bytes.length)))).toBe(true);
      off += e.bytes.length;
      delivered += e.bytes.length;
    } else if (e.k === 'gap' && e.dir === 0) {
      expect(e.bytes).toBeGreaterThan(0);
      off += e.bytes;
      gaps += e.bytes;
      pendingAfterGap = true;
    }
  }
  return [delivered, gaps];
}

describe('Reassembler properties', () => {
  it('any permutation/duplication/overlap of the segments reassembles exactly, with no gap', () => {
    fc.assert(
      fc.property(
        streamArb,
        isnArb,
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.infiniteStream(fc.nat()),
        (st, isn, extraRanges, dups, rnd) => {
          const { data, ranges } = st;
          const all = withDuplicates<[number, number]>(ranges, dups);
          for (const [x, y] of extraRanges) {
            const a = x % data.length;
            const b = a + 1 + (y % (data.length - a));
            all.push([a, b]);
          }
          shuffleWith(all, rnd);
          const h = harness();
          h.r.segment(seg({ flags: TCP_SYN, seq: isn }));
          for (const [a, b] of all) {
            h.r.segment(seg({ flags: TCP_ACK, seq: (isn + 1 + a) >>> 0, payload: data.subarray(a, b) }));
          }
          h.r.finish();
          const rec = h.rec();
          expect(rec.gaps(0)).toEqual([]);
          expect(Buffer.from(rec.bytes(0)).equals(Buffer.from(data))).toBe(true);
          expect(rec.flow.stats[0].reassembled).toBe(data.length);
          expect(rec.flow.anomalies).toEqual([]);
          expect(h.r.counters.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with segments removed: delivered + gap bytes = total, delivered bytes at their offsets', () => {
    fc.assert(
      fc.property(
        streamArb,
        isnArb,
        fc.array(fc.nat(3), { minLength: 41, maxLength: 41 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.infiniteStream(fc.nat()),
        fc.boolean(),
        fc.boolean(),
        (st, isn, keep, dups, rnd, withAcks, withTruncation) => {
          const { data, ranges } = st;
          const kept = ranges.filter((_, i) => keep[i] !== 0);
          const all = withDuplicates<[number, number]>(kept, dups);
          const it = shuffleWith(all, rnd);
          const h = harness({ limits: { perDirectionBuffer: 512 } });
          h.r.segment(seg({ flags: TCP_SYN, seq: isn }));
          const events: Segment[] = all.map(([a, b]) => {
            // snaplen truncation: only a prefix captured, the rest is `missing`
            const cut = withTruncation && it.next().value! % 4 === 0 ? a + (it.next().value! % (b - a)) : b;
            return seg({ flags: TCP_ACK, seq: (isn + 1 + a) >>> 0, payload: data.subarray(a, cut), missing: b - cut });
          });
          // FIN somewhere in the sequence
          const finAt = it.next().value! % (events.length + 1);
          events.splice(finAt, 0, seg({ flags: TCP_FIN | TCP_ACK, seq: (isn + 1 + data.length) >>> 0 }));
          for (const s of events) {
            h.r.segment(s);
            if (withAcks && it.next().value! % 3 === 0) {
              // the server acknowledges a random prefix of what was sent
              const upTo = it.next().value! % (data.length + 2);
              h.r.segment(seg({ c2s: false, flags: TCP_ACK, seq: 77, ack: (isn + 1 + upTo) >>> 0 }));
            }
          }
          h.r.finish();
          const rec = h.rec();
          const [delivered, gaps] = replay(rec, data);
          expect(delivered + gaps).toBe(data.length);
          expect(rec.flow.stats[0].reassembled).toBe(delivered);
          expect(rec.flow.stats[0].gapBytes).toBe(gaps);
          expect(h.r.counters.bufferedBytes).toBe(0);
          expect(h.r.counters.peakBufferedBytes).toBeLessThanOrEqual(512 + 3000 + SEGMENT_OVERHEAD);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random segment sequences never throw, terminate, and respect the caps', () => {
    const ips = ['10.0.0.1', '10.0.0.2', '::1', '10.0.0.1'];
    const segArb = fc.record({
      proto: fc.constantFrom<6 | 17>(6, 6, 6, 17),
      src: fc.nat(3),
      dst: fc.nat(3),
      sp: fc.constantFrom(443, 51000, 0, 65535),
      dp: fc.constantFrom(443, 51000, 0, 65535),
      seq: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 2 ** 32 - 3000, max: 2 ** 32 - 1 })),
      ack: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 3000 })),
      flags: fc.integer({ min: 0, max: 255 }),
      window: fc.constantFrom(0, 1, 65535),
      len: fc.integer({ min: 0, max: 1500 }),
      missing: fc.constantFrom(0, 0, 0, 1, 100, 70000),
      dt: fc.oneof(fc.constant(0), fc.double({ min: -10, max: 400, noNaN: true })),
    });
    fc.assert(
      fc.property(fc.array(segArb, { maxLength: 300 }), fc.boolean(), (list, consumer) => {
        const perDir = 2000;
        const total = 5000;
        let ends = 0;
        const endedIds = new Set<number>();
        let created = 0;
        const r = new Reassembler(
          () => {
            created++;
            return consumer
              ? {
                  data: (_d, chunk) => {
                    expect(chunk.length).toBeGreaterThan(0);
                  },
                  gap: (_d, n) => {
                    expect(n).toBeGreaterThan(0);
                  },
                  datagram: () => {},
                  control: () => {},
                  end: () => {
                    ends++;
                  },
                }
              : undefined;
          },
          {
            limits: { perDirectionBuffer: perDir, totalBuffer: total, maxFlows: 5, idleTimeoutSec: 100 },
            onFlowEnd: (f) => {
              expect(endedIds.has(f.id)).toBe(false);
              endedIds.add(f.id);
              expect(f.clientIsA).not.toBe(undefined);
            },
          },
        );
        let t = 1_700_000_000;
        const payload = new Uint8Array(1500).fill(7);
        list.forEach((x, i) => {
          t += x.dt;
          r.segment(
            seg({
              packetIndex: i,
              proto: x.proto,
              srcIp: ips[x.src]!,
              dstIp: ips[x.dst]!,
              srcPort: x.sp,
              dstPort: x.dp,
              seq: x.seq,
              ack: x.ack,
              flags: x.flags,
              window: x.window,
              payload: payload.subarray(0, x.len),
              missing: x.missing,
              t,
            }),
          );
          expect(r.counters.bufferedBytes).toBeLessThanOrEqual(total);
          expect(r.liveFlows).toBeLessThanOrEqual(5);
        });
        r.finish();
        expect(r.liveFlows).toBe(0);
        expect(r.counters.bufferedBytes).toBe(0);
        expect(endedIds.size).toBe(created);
        if (consumer) expect(ends).toBe(created);
      }),
      { numRuns: 300 },
    );
  });
});
