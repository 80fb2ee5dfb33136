/**
 * keepRawMessage: the copies of handshake messages the terminal UI's hex view
 * keeps (analyze's keepRaw), packed into shared slabs and shared between
 * sessions when equal.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { keepRawMessage } from '../../src/core/raw.js';

const header = (type: number, len: number): number[] => [type, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff];

describe('keepRawMessage', () => {
  it('is the handshake header then the body, or the body alone for type -1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 20_000 }), (type, body) => {
        expect([...keepRawMessage(type, body)]).toEqual([...header(type, body.length), ...body]);
        expect([...keepRawMessage(-1, body)]).toEqual([...body]);
      }),
      { numRuns: 200 },
    );
  });

  it('is a copy: the source memory can be reused at once', () => {
    const src = new Uint8Array(3000).map((_, i) => i * 7);
    const want = [...header(11, 3000), ...src];
    const kept = keepRawMessage(11, src);
    src.fill(0xee); // the capture reader reads the next chunk into this memory
    expect([...kept]).toEqual(want);
    expect(kept.buffer).not.toBe(src.buffer);
  });

  it('shares one copy between equal messages and none between different ones', () => {
    const a = new Uint8Array(2500).map((_, i) => (i * 31) & 0xff);
    const first = keepRawMessage(11, a);
    expect(keepRawMessage(11, a.slice())).toBe(first);
    // same bytes under another type, or with the header's length differing, or one byte apart (not a sampled one)
    expect(keepRawMessage(22, a)).not.toBe(first);
    expect(keepRawMessage(11, a.subarray(0, 2499))).not.toBe(first);
    const b = a.slice();
    b[1001] = (b[1001]! + 1) & 0xff;
    const other = keepRawMessage(11, b);
    expect(other).not.toBe(first);
    expect(other[4 + 1001]).toBe(b[1001]);
    expect(first[4 + 1001]).toBe(a[1001]);
  });

  it('packs small messages into shared slabs without overlap, large ones on their own', () => {
    const small = Array.from({ length: 50 }, (_, i) => new Uint8Array(300 + i).fill(i + 1));
    const kept = small.map((m) => keepRawMessage(1, m));
    expect(new Set(kept.map((k) => k.buffer)).size).toBeLessThan(5);
    kept.forEach((k, i) => expect(k.every((v, j) => (j < 4 ? true : v === i + 1))).toBe(true));
    const big = keepRawMessage(11, new Uint8Array(100_000).fill(9));
    expect(big.byteLength).toBe(100_004);
    expect(big.buffer.byteLength).toBe(100_004);
    // too large to be remembered: an equal one is another copy (the cache pins only small messages)
    expect(keepRawMessage(11, new Uint8Array(100_000).fill(9))).not.toBe(big);
  });
});
