import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RAW, ETH, ethernet, ipv4, ipv4Fragments, ipv6, ipv6Fragments, packet, snap, tcp, udp, type Ipv4Opts } from './build.js';
import { run } from './collect.js';

function payloadOf(n: number, seed = 1): Uint8Array {
  const u = new Uint8Array(n);
  for (let i = 0; i < n; i++) u[i] = (i * 31 + seed) & 255;
  return u;
}

const v4dg = (n: number): Ipv4Opts => ({ src: '10.9.8.7', dst: '10.0.0.1', proto: 17, id: 777, payload: udp({ sport: 4444, dport: 5555, payload: payloadOf(n) }) });

describe('IPv4 fragment reassembly', () => {
  it('reassembles in order; segment carries the completing frame', () => {
    const frags = ipv4Fragments(v4dg(3000), 1480).map((f, i) => packet(ETH, ethernet(0x0800, f), { index: 10 + i, tsSec: 100 + i }));
    const { c, d } = run(frags);
    expect(c.segs).toHaveLength(1);
    const s = c.segs[0]!;
    expect(s).toMatchObject({ packetIndex: 12, tsSec: 102, srcIp: '10.9.8.7', srcPort: 4444, dstPort: 5555, missing: 0 });
    expect(s.payload).toEqual(Array.from(payloadOf(3000)));
    expect(d.stats).toMatchObject({ packets: 3, fragments: 3, reassembledDatagrams: 1, decoded: 1, other: 0 });
  });

  it('any permutation of fragments gives the same datagram', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 1, max: 60 }), fc.integer(), (n, words, seed) => {
        const frags = ipv4Fragments(v4dg(n), words * 8);
        const order = fc.sample(fc.shuffledSubarray(frags.map((_, i) => i), { minLength: frags.length, maxLength: frags.length }), { numRuns: 1, seed })[0]!;
        const { c } = run(order.map((i) => packet(RAW, frags[i]!)));
        expect(c.segs).toHaveLength(1);
        expect(c.segs[0]!.payload).toEqual(Array.from(payloadOf(n)));
        expect(c.anomalies).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('overlapping fragments: reported, lower offset wins, order independent', () => {
    const o = v4dg(64);
    const whole = o.payload;
    // A: 0..40 (correct), B: 32..72 (bytes 32..40 altered), C: final 64..72 (correct)
    const a = ipv4({ ...o, payload: whole.subarray(0, 40), fragOffset: 0, mf: true });
    const altered = whole.slice(32, 72);
    altered[0] = altered[0]! ^ 0xff;
    const b = ipv4({ ...o, payload: altered, fragOffset: 32, mf: false });
    for (const order of [[a, b], [b, a]]) {
      const { c } = run(order.map((f) => packet(RAW, f)));
      expect(c.segs).toHaveLength(1);
      expect(c.segs[0]!.payload).toEqual(Array.from(whole.subarray(8)));
      expect(c.codes()).toContain('ip_fragment_overlap');
      expect(c.codes()).toContain('ip_fragment_overlap_conflict');
    }
  });

  it('duplicate fragments are an overlap without conflict', () => {
    const frags = ipv4Fragments(v4dg(100), 48);
    const { c } = run([frags[0]!, frags[0]!, frags[1]!, frags[2]!].map((f) => packet(RAW, f)));
    expect(c.segs).toHaveLength(1);
    expect(c.codes()).toEqual(['ip_fragment_overlap']);
  });

  it('times out by capture time', () => {
    const frags = ipv4Fragments(v4dg(100), 48);
    const { c } = run(
      [packet(RAW, frags[0]!, { tsSec: 0 }), packet(RAW, frags[1]!, { tsSec: 10 }), packet(RAW, frags[2]!, { tsSec: 50 })],
      { fragmentTimeoutSec: 30 },
    );
    expect(c.segs).toEqual([]);
    expect(c.codes()[0]).toBe('ip_fragment_timeout');
  });

  it('bounded: too large a datagram, too many datagrams', () => {
    const big = ipv4({ ...v4dg(10), payload: new Uint8Array(100), fragOffset: 65528, mf: false });
    expect(run([packet(RAW, big)]).c.codes()).toEqual(['ip_fragment_too_large']);
    const many = [];
    for (let id = 0; id < 5; id++) many.push(packet(RAW, ipv4({ ...v4dg(10), id, payload: new Uint8Array(16), mf: true })));
    const { c, d } = run(many, { maxFragmentDatagrams: 3 });
    expect(c.codes().filter((x) => x === 'ip_fragment_evicted')).toHaveLength(2);
    d.finish();
    expect(c.codes().filter((x) => x === 'ip_fragment_incomplete')).toHaveLength(3);
  });

  it('bounded: per-datagram size option and fragment count', () => {
    const frags = ipv4Fragments(v4dg(3000), 1480);
    expect(run(frags.map((f) => packet(RAW, f)), { maxFragmentBytes: 2000 }).c.codes()).toContain('ip_fragment_too_large');
    const tiny = ipv4Fragments(v4dg(9000), 8); // 1126 fragments > 1024
    const { c } = run(tiny.map((f) => packet(RAW, f)));
    expect(c.codes()).toContain('ip_fragment_too_many');
    expect(c.segs).toEqual([]);
  });

  it('a truncated fragment leaves the rest as missing', () => {
    const frags = ipv4Fragments(v4dg(200), 104);
    const first = snap(packet(ETH, ethernet(0x0800, frags[0]!)), 14 + 20 + 50);
    const { c } = run([first, packet(ETH, ethernet(0x0800, frags[1]!))]);
    expect(c.segs).toHaveLength(1);
    expect(c.segs[0]!.payload.length).toBe(50 - 8);
    expect(c.segs[0]!.missing).toBe(208 - 50);
  });

  it('TCP in fragments', () => {
    const o: Ipv4Opts = { proto: 6, id: 5, payload: tcp({ payload: payloadOf(500) }) };
    const { c } = run(ipv4Fragments(o, 200).reverse().map((f) => packet(RAW, f)));
    expect(c.segs[0]!.payload).toEqual(Array.from(payloadOf(500)));
  });
});

describe('IPv6 fragment reassembly', () => {
  it('any permutation gives the same datagram', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (n, words, seed) => {
        const o = { nh: 17, payload: udp({ sport: 1, dport: 2, payload: payloadOf(n, 7) }) };
        const frags = ipv6Fragments(o, words * 8);
        const order = fc.sample(fc.shuffledSubarray(frags.map((_, i) => i), { minLength: frags.length, maxLength: frags.length }), { numRuns: 1, seed })[0]!;
        const { c, d } = run(order.map((i) => packet(RAW, frags[i]!)));
        expect(c.segs).toHaveLength(1);
        expect(c.segs[0]!.ipVersion).toBe(6);
        expect(c.segs[0]!.payload).toEqual(Array.from(payloadOf(n, 7)));
        expect(d.stats.reassembledDatagrams).toBe(frags.length > 1 ? 1 : 0); // one piece = atomic fragment
      }),
      { numRuns: 100 },
    );
  });

  it('overlap is reported', () => {
    const o = { nh: 6, payload: tcp({ payload: payloadOf(100) }) };
    const frags = ipv6Fragments(o, 64);
    const { c } = run([frags[0]!, frags[0]!, frags[1]!].map((f) => packet(RAW, f)));
    expect(c.segs).toHaveLength(1);
    expect(c.codes()).toEqual(['ip_fragment_overlap']);
  });

  it('datagrams with different ids do not mix', () => {
    const a = ipv6Fragments({ nh: 17, payload: udp({ payload: payloadOf(100, 1) }) }, 64, 1);
    const b = ipv6Fragments({ nh: 17, payload: udp({ payload: payloadOf(100, 2) }) }, 64, 2);
    const { c } = run([a[0]!, b[1]!, b[0]!, a[1]!].map((f) => packet(RAW, f)));
    expect(c.segs.map((s) => s.payload)).toEqual([Array.from(payloadOf(100, 2)), Array.from(payloadOf(100, 1))]);
  });

  it('unfragmented IPv6 sanity', () => {
    expect(run([packet(RAW, ipv6({ nh: 17, payload: udp() }))]).d.stats.fragments).toBe(0);
  });
});
