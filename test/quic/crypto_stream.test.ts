/**
 * CRYPTO stream reassembly against hostile frames (fuzz findings: quadratic
 * work on many one-byte frames with gaps, and a buffer grown to whatever
 * offset a frame claims). No wall-clock assertions: the bounds are checked on
 * the structure (bytes held, the range cap and its anomaly).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { QUIC_V1 } from '../../src/quic/crypto.js';
import { CRYPTO_CAP, CryptoStream } from '../../src/quic/crypto_stream.js';
import { MAX_RANGES } from '../../src/core/range-buffer.js';
import { A2_CRYPTO_FRAME, A3_PAYLOAD, hex } from './vectors.js';
import { cryptoFrame, runDatagrams, sealInitial } from './helpers.js';

function handshakeMessage(type: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff, ...body]);
}

describe('CryptoStream on hostile frames', () => {
  it('one-byte frames with gaps: abandoned at the range cap, later frames ignored', () => {
    // the fuzz case: 20000 one-byte frames at even offsets, descending
    const s = new CryptoStream();
    const N = 20000;
    let stored = 0;
    for (let k = N - 1; k >= 0; k--) {
      const wasFragmented = s.tooFragmented;
      if (s.add(2 * k + 2, Uint8Array.of(0x41))) stored++;
      if (!wasFragmented && s.tooFragmented) expect(N - 1 - k).toBe(MAX_RANGES);
    }
    expect(stored).toBe(MAX_RANGES);
    expect(s.tooFragmented).toBe(true);
    expect(s.bufferedBytes).toBe(0);
    expect(s.add(0, Uint8Array.from([1, 0, 0, 0]))).toBe(false);
    expect(s.takeMessages()).toEqual([]);
  });

  it('a frame at a high offset allocates only the bytes present', () => {
    const s = new CryptoStream();
    expect(s.add(65000, Uint8Array.of(0x41))).toBe(true);
    expect(s.bufferedBytes).toBe(1);
    expect(s.add(CRYPTO_CAP + 1000, new Uint8Array(100))).toBe(false); // beyond the cap: dropped
    expect(s.dropped).toBe(100);
    expect(s.bufferedBytes).toBe(1);
    // a header claiming a 60000-byte message, 10 bytes of it present
    expect(s.add(0, Uint8Array.from([1, 0, 0xea, 0x60, 1, 2, 3, 4, 5, 6]))).toBe(true);
    expect(s.takeMessages()).toEqual([]);
    expect(s.bufferedBytes).toBe(11);
    expect(s.hasHole).toBe(true);
    expect(s.contiguous).toBe(10);
  });

  it('any permutation, duplication and overlap of the frames gives the messages, in order, once', () => {
    const arb = fc.record({
      bodies: fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 3 }),
      cuts: fc.array(fc.nat(), { maxLength: 30 }),
      extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
      keys: fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
    });
    fc.assert(fc.property(arb, ({ bodies, cuts, extra, keys }) => {
      const msgs = bodies.map((b, i) => handshakeMessage(i + 1, b));
      const stream = Uint8Array.from(msgs.flatMap((m) => [...m]));
      const L = stream.length;
      const points = [...new Set([0, L, ...cuts.map((c) => c % (L + 1))])].sort((a, b) => a - b);
      const pieces: Array<[number, number]> = [];
      for (let i = 0; i + 1 < points.length; i++) pieces.push([points[i]!, points[i + 1]!]);
      for (const [a, b] of extra) {
        const st = a % L;
        pieces.push([st, st + 1 + (b % (L - st))]);
      }
      const order = pieces.map((p, i) => ({ p, k: keys[i % keys.length]! + i / 1000 })).sort((x, y) => x.k - y.k).map((x) => x.p);
      const s = new CryptoStream();
      const got: Array<[number, number[]]> = [];
      for (const [a, b] of order) {
        s.add(a, stream.subarray(a, b));
        for (const m of s.takeMessages()) got.push([m.type, [...m.body]]);
        expect(s.bufferedBytes).toBeLessThanOrEqual(2 * L);
      }
      expect(got).toEqual(bodies.map((b, i) => [i + 1, [...b]]));
      expect(s.hasHole).toBe(false);
      expect(s.contiguous).toBe(L);
    }), { numRuns: 500 });
  });

  it('release() frees the storage and later frames are not kept', () => {
    const s = new CryptoStream();
    s.add(0, new Uint8Array(3000));
    expect(s.bufferedBytes).toBe(3000);
    s.release();
    expect(s.bufferedBytes).toBe(0);
    expect(s.add(3000, new Uint8Array(100))).toBe(true);
    expect(s.bufferedBytes).toBe(0);
    expect(s.takeMessages()).toEqual([]);
  });
});

describe('QUIC dissector on hostile CRYPTO frames', () => {
  it('a server CRYPTO stream in too many pieces: one anomaly, the session stays', () => {
    const odcid = hex('0011223344556677');
    const chMsg = hex(A2_CRYPTO_FRAME).subarray(4);
    const shMsg = hex(A3_PAYLOAD).subarray(9);
    const ch = sealInitial({ version: QUIC_V1, odcid, pn: 0, payload: cryptoFrame(0, chMsg), padTo: 1200 });
    const frames: number[] = [];
    for (let k = 0; k < 2 * MAX_RANGES; k++) frames.push(...cryptoFrame(shMsg.length + 2 * k + 1, Uint8Array.of(0x41)));
    const pieces = sealInitial({ version: QUIC_V1, odcid, server: true, dcid: new Uint8Array(0), scid: hex('aabbccdd'), pn: 0, payload: Uint8Array.from(frames) });
    const sh = sealInitial({ version: QUIC_V1, odcid, server: true, dcid: new Uint8Array(0), scid: hex('aabbccdd'), pn: 1, payload: cryptoFrame(0, shMsg) });
    const { sessions } = runDatagrams([[0, ch], [1, pieces], [1, pieces], [1, sh]]);
    expect(sessions).toHaveLength(1);
    const s = sessions[0]!;
    expect(s.server_name).toBe('example.com');
    expect(s.anomalies.map((a) => a.code).filter((c) => c === 'quic_crypto_too_fragmented')).toHaveLength(1);
    expect(s.server_hello).toBeFalsy(); // the stream was abandoned
  });
});
