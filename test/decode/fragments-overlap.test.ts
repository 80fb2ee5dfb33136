/**
 * IP fragment reassembly under duplicates and overlaps (fuzz crash-5: one
 * 60 KB fragment repeated took ~50 s because each copy was compared with
 * every copy held). No timing: the work is read from FragmentReassembler.work
 * and the number of runs held.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FragmentReassembler, type FragmentMeta, type Reassembled } from '../../src/decode/fragments.js';
import { RAW, ipv4, ipv6, ipv6FragHeader, packet, udp } from './build.js';
import { run } from './collect.js';
import { shuffleWith, withDuplicates } from '../shuffle.js';

const META: FragmentMeta = { src: '10.0.0.1', dst: '10.0.0.2', ipVersion: 4 };
const KEY = 'k';

function payloadOf(n: number, seed = 1): Uint8Array {
  const u = new Uint8Array(n);
  for (let i = 0; i < n; i++) u[i] = (i * 31 + seed) & 255;
  return u;
}

/** A reassembler plus the anomaly codes it reported. */
function harness(limits = {}) {
  const r = new FragmentReassembler(limits);
  const codes: string[] = [];
  const details: string[] = [];
  const anomaly = (code: string, detail?: string) => {
    codes.push(code);
    details.push(detail ?? '');
  };
  /** Adds [off, off + data.length) (claimed = data.length unless given). */
  const add = (off: number, data: Uint8Array, more: boolean, claimed = data.length, key = KEY) =>
    r.add(key, 0, META, 17, off, data, claimed, more, anomaly);
  return { r, codes, details, add };
}

describe('IP fragments: duplicates and overlaps cost the bytes of the fragment', () => {
  it('2000 copies of a 60 KB fragment: one run held, one overlap report, each byte compared once per copy', () => {
    const whole = payloadOf(60_000 + 800);
    const big = whole.subarray(0, 60_000);
    const h = harness();
    for (let i = 0; i < 2000; i++) expect(h.add(0, big, true)).toBeUndefined();
    expect(h.r.storedPieces(KEY)).toBe(1);
    expect(h.r.heldBytes).toBe(60_000);
    expect(h.codes).toEqual(['ip_fragment_overlap']); // no ip_fragment_too_many: copies are not held
    expect(h.r.work.bytesCompared).toBe(1999 * 60_000);
    expect(h.r.work.segmentsVisited).toBe(1999);
    expect(h.r.work.bytesCopied).toBe(60_000);
    const d = h.add(60_000, whole.subarray(60_000), false);
    expect(d && Array.from(d.data)).toEqual(Array.from(whole));
    expect(d?.missing).toBe(0);
    expect(h.r.size).toBe(0);
    expect(h.r.heldBytes).toBe(0);
  });

  it('a fragment over many small ones replaces them; later copies touch one run', () => {
    const whole = payloadOf(8008);
    const h = harness();
    for (let off = 8; off < 8008; off += 8) h.add(off, whole.subarray(off, off + 8), true); // 1000 pieces
    expect(h.r.storedPieces(KEY)).toBe(1000);
    const w0 = { ...h.r.work };
    h.add(0, whole.subarray(0, 8000), true); // lower offset: wins over all of them
    expect(h.r.storedPieces(KEY)).toBe(2); // [0, 8000) and [8000, 8008)
    expect(h.r.work.bytesCompared - w0.bytesCompared).toBe(7992);
    const w1 = { ...h.r.work };
    for (let i = 0; i < 1000; i++) h.add(0, whole.subarray(0, 8000), true);
    expect(h.r.work.segmentsVisited - w1.segmentsVisited).toBe(1000);
    expect(h.r.work.bytesCompared - w1.bytesCompared).toBe(1000 * 8000);
    expect(h.r.storedPieces(KEY)).toBe(2);
    expect(h.codes).toEqual(['ip_fragment_overlap']);
    const d = h.add(8000, whole.subarray(8000), false);
    expect(d && Array.from(d.data)).toEqual(Array.from(whole));
  });

  it('staircase of overlapping fragments: work per copy bounded by its bytes', () => {
    // fragment j at 8j ending at 4000 + 8j: each byte held comes from the lowest offset
    const whole = payloadOf(4000 + 8 * 200);
    const h = harness();
    for (let j = 0; j < 200; j++) h.add(8 * j, whole.subarray(8 * j, 4000 + 8 * j), true);
    const held = h.r.storedPieces(KEY);
    expect(held).toBeLessThanOrEqual(200);
    const w0 = { ...h.r.work };
    const frag = whole.subarray(800, 4800);
    for (let i = 0; i < 500; i++) h.add(800, frag, true);
    const visited = h.r.work.segmentsVisited - w0.segmentsVisited;
    const compared = h.r.work.bytesCompared - w0.bytesCompared;
    expect(compared).toBe(500 * frag.length);
    expect(visited).toBeLessThanOrEqual(500 * (frag.length / 8 + 2));
    expect(h.r.storedPieces(KEY)).toBe(held);
    expect(h.codes).toEqual(['ip_fragment_overlap']);
  });

  it('conflicting copies: reported per copy, the lower offset (then the earlier) still wins', () => {
    const whole = payloadOf(64);
    const h = harness();
    const altered = whole.slice(0, 32);
    altered[5] = altered[5]! ^ 1;
    h.add(0, whole.subarray(0, 32), true);
    for (let i = 0; i < 3; i++) h.add(0, altered, true);
    expect(h.codes).toEqual(['ip_fragment_overlap_conflict', 'ip_fragment_overlap', 'ip_fragment_overlap_conflict', 'ip_fragment_overlap_conflict']);
    expect(h.details[0]).toBe('bytes 0-32 differ');
    expect(h.r.storedPieces(KEY)).toBe(1);
    const d = h.add(32, whole.subarray(32), false);
    expect(d && Array.from(d.data)).toEqual(Array.from(whole));
  });

  it('still bounded by maxFragments when the fragments add bytes', () => {
    const h = harness({ maxFragments: 4 });
    for (let i = 0; i < 3; i++) h.add(8 * i, new Uint8Array(8), true);
    for (let i = 0; i < 10; i++) h.add(8, new Uint8Array(8), true); // copies: not counted
    h.add(24, new Uint8Array(8), true); // the 4th that adds bytes
    expect(h.codes).toEqual(['ip_fragment_overlap']);
    expect(h.r.storedPieces(KEY)).toBe(4);
    h.add(32, new Uint8Array(8), true); // like before, anything past the limit drops the datagram
    expect(h.codes).toEqual(['ip_fragment_overlap', 'ip_fragment_too_many']);
    expect(h.r.size).toBe(0);
  });

  it('decoder: 2000 copies of the first IPv4 fragment, then the rest', () => {
    const pl = udp({ sport: 1, dport: 2, payload: payloadOf(3000) });
    const o = { src: '10.1.1.1', dst: '10.2.2.2', proto: 17, id: 9 };
    const first = packet(RAW, ipv4({ ...o, payload: pl.subarray(0, 1480), fragOffset: 0, mf: true }));
    const rest = packet(RAW, ipv4({ ...o, payload: pl.subarray(1480), fragOffset: 1480, mf: false }));
    const { c, d } = run([...Array.from({ length: 2000 }, () => first), rest]);
    expect(c.codes()).toEqual(['ip_fragment_overlap']);
    expect(c.segs).toHaveLength(1);
    expect(c.segs[0]!.payload).toEqual(Array.from(payloadOf(3000)));
    expect(d.stats.reassembledDatagrams).toBe(1);
  });

  it('decoder: 2000 copies of an IPv6 fragment, then the rest (same code path)', () => {
    const pl = udp({ sport: 1, dport: 2, payload: payloadOf(3000, 5) });
    const frag = (off: number, part: Uint8Array, more: boolean) =>
      packet(RAW, ipv6({ nh: 44, payload: new Uint8Array([...ipv6FragHeader(17, off, more, 77), ...part]) }));
    const first = frag(0, pl.subarray(0, 1480), true);
    const { c } = run([...Array.from({ length: 2000 }, () => first), frag(1480, pl.subarray(1480), false)]);
    expect(c.codes()).toEqual(['ip_fragment_overlap']);
    expect(c.segs).toHaveLength(1);
    expect(c.segs[0]!.payload).toEqual(Array.from(payloadOf(3000, 5)));
  });
});

/** Fragment ranges [a, b) covering [0, n): 8-aligned starts, as IP requires. */
const datagramArb = fc.integer({ min: 1, max: 3000 }).chain((n) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, Math.ceil(n / 8) - 1) }), { maxLength: 40 })
    .map((cuts) => {
      const c = [...new Set(cuts.map((x) => x * 8).filter((x) => x < n))].sort((a, b) => a - b);
      const bounds = [0, ...c, n];
      const ranges: [number, number][] = [];
      for (let i = 0; i + 1 < bounds.length; i++) ranges.push([bounds[i]!, bounds[i + 1]!]);
      return { n, ranges };
    }),
);

describe('IP fragment reassembly properties', () => {
  it('any permutation, duplication and overlap of consistent fragments gives exactly the datagram', () => {
    fc.assert(
      fc.property(
        datagramArb,
        fc.integer({ min: 0, max: 255 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
        fc.infiniteStream(fc.nat()),
        ({ n, ranges }, seed, dups, extra, rnd) => {
          const whole = payloadOf(n, seed);
          const all = withDuplicates<[number, number]>(ranges, dups);
          for (const [x, y] of extra) {
            const a = 8 * (x % Math.ceil(n / 8));
            const b = y % 3 === 0 ? n : Math.min(n, a + 8 * (1 + (y % 64))); // non-final lengths stay multiples of 8
            all.push([a, b]);
          }
          shuffleWith(all, rnd);
          const h = harness();
          // the datagram completes at the first fragment after which [0, n) is covered
          const covered = new Uint8Array(n);
          let left = n;
          let got: Reassembled | undefined;
          for (let i = 0; i < all.length && !got; i++) {
            const [a, b] = all[i]!;
            got = h.add(a, whole.subarray(a, b), b < n);
            for (let k = a; k < b; k++) if (!covered[k]) (covered[k] = 1), left--;
            expect(got !== undefined).toBe(left === 0);
            const heldBytes = h.r.heldBytes;
            expect(heldBytes).toBeLessThanOrEqual(n); // held runs never overlap
          }
          expect(got).toBeDefined();
          expect(Array.from(got!.data)).toEqual(Array.from(whole));
          expect(got!.missing).toBe(0);
          expect(h.codes.filter((c) => c !== 'ip_fragment_overlap')).toEqual([]);
          expect(h.codes.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches the former (compare-with-every-fragment) reassembler on hostile fragments', () => {
    const fragArb = fc.record({
      off: fc.integer({ min: 0, max: 14 }).map((x) => x * 8),
      claimed: fc.integer({ min: 1, max: 120 }),
      cut: fc.nat({ max: 150 }), // captured bytes: min(cut, claimed)
      fill: fc.integer({ min: 0, max: 3 }), // byte source: few values, so overlaps often agree
      more: fc.integer({ min: 0, max: 3 }).map((x) => x > 0),
      key: fc.integer({ min: 0, max: 1 }),
    });
    fc.assert(
      fc.property(fc.array(fragArb, { maxLength: 60 }), (frags) => {
        const h = harness({ maxDatagramBytes: 400 });
        const ref = new LegacyReassembler(400);
        let newConflict = false;
        let oldConflict = false;
        for (const f of frags) {
          const data = new Uint8Array(Math.min(f.cut, f.claimed));
          for (let i = 0; i < data.length; i++) data[i] = (f.off + i) * (f.fill === 3 ? 7 : 1) + (f.fill === 2 ? (i & 1) : 0);
          const before = h.codes.length;
          const got = h.add(f.off, data, f.more, f.claimed, `k${f.key}`);
          const codes: string[] = [];
          const want = ref.add(`k${f.key}`, f.off, data, f.claimed, f.more, (c) => codes.push(c));
          const mine = h.codes.slice(before);
          newConflict ||= mine.includes('ip_fragment_overlap_conflict');
          oldConflict ||= codes.includes('ip_fragment_overlap_conflict');
          const strip = (xs: string[]) => xs.filter((c) => c !== 'ip_fragment_overlap_conflict');
          expect(strip(mine)).toEqual(strip(codes));
          expect(got && { data: Array.from(got.data), missing: got.missing }).toEqual(want && { data: Array.from(want.data), missing: want.missing });
        }
        // conflicts: once per disagreeing fragment instead of once per fragment it disagrees with
        expect(newConflict).toBe(oldConflict);
      }),
      { numRuns: 1000 },
    );
  });
});

/** The reassembly policy before the fix (each fragment compared with every one held), as an oracle. */
class LegacyReassembler {
  private readonly pending = new Map<string, { pieces: { off: number; data: Uint8Array; claimed: number }[]; end: number; overlapReported: boolean }>();
  constructor(private readonly maxDatagramBytes: number) {}

  add(key: string, offset: number, data: Uint8Array, claimed: number, more: boolean, anomaly: (code: string) => void): { data: Uint8Array; missing: number } | undefined {
    if (claimed < data.length) claimed = data.length;
    let p = this.pending.get(key);
    if (offset + claimed > this.maxDatagramBytes) {
      anomaly('ip_fragment_too_large');
      if (p) this.pending.delete(key);
      return undefined;
    }
    if (more && claimed % 8 !== 0) anomaly('ip_fragment_bad_length');
    if (!p) this.pending.set(key, (p = { pieces: [], end: -1, overlapReported: false }));
    const fragEnd = offset + claimed;
    if (!more) {
      if (p.end >= 0 && p.end !== fragEnd) anomaly('ip_fragment_inconsistent_end');
      if (p.end < 0) p.end = fragEnd;
    }
    const pieces = p.pieces;
    for (const q of pieces) {
      if (q.off < fragEnd && offset < q.off + q.claimed) {
        const s = Math.max(q.off, offset);
        const e = Math.min(q.off + q.data.length, offset + data.length);
        let conflict = false;
        for (let k = s; k < e; k++) if (q.data[k - q.off] !== data[k - offset]) conflict = true;
        if (conflict) anomaly('ip_fragment_overlap_conflict');
        if (!p.overlapReported) {
          p.overlapReported = true;
          anomaly('ip_fragment_overlap');
        }
      }
    }
    let i = pieces.length;
    while (i > 0 && pieces[i - 1]!.off > offset) i--;
    pieces.splice(i, 0, { off: offset, data: data.slice(), claimed });
    if (p.end < 0) return undefined;
    let cover = 0;
    for (const q of pieces) {
      if (q.off > cover) return undefined;
      if (q.off + q.claimed > cover) cover = q.off + q.claimed;
    }
    if (cover < p.end) return undefined;
    const total = p.end;
    const buf = new Uint8Array(total);
    let written = 0;
    let prefix = 0;
    for (const q of pieces) {
      const qEnd = Math.min(q.off + q.data.length, total);
      const start = Math.max(q.off, written);
      if (start < qEnd) {
        buf.set(q.data.subarray(start - q.off, qEnd - q.off), start);
        written = qEnd;
      }
      if (q.off <= prefix && qEnd > prefix) prefix = qEnd;
    }
    this.pending.delete(key);
    return { data: buf.subarray(0, prefix), missing: total - prefix };
  }
}
