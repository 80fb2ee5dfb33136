import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkChain } from '../../src/x509/chain.js';
import { summarizeOcsp } from '../../src/x509/ocsp.js';
import { readCaBundle } from '../../src/x509/pem.js';
import { summarizeCertificate } from '../../src/x509/summary.js';
import { der } from './helpers.js';

const seeds = ['leaf-valid', 'leaf-muststaple', 'leaf-sct', 'leaf-ed25519', 'ml-dsa-44.der'].map(der);
const AT = new Date('2025-06-01T00:00:00Z');

/** A seed certificate with a few bytes overwritten, or cut short. */
const mutated = fc
  .tuple(
    fc.integer({ min: 0, max: seeds.length - 1 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([i, edits, cut]) => {
    const b = new Uint8Array(seeds[i]!);
    for (const [pos, v] of edits) b[pos % b.length] = v;
    return cut === undefined ? b : b.subarray(0, cut % b.length);
  });

describe('never throws on hostile input', () => {
  it('summarizeCertificate: random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        const s = summarizeCertificate(b);
        expect(s.length).toBe(b.length);
        expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 300 },
    );
  });
  it('summarizeCertificate + checkChain: mutated and truncated certificates', () => {
    fc.assert(
      fc.property(mutated, (b) => {
        const s = summarizeCertificate(b);
        expect(typeof s.der).toBe('string');
        const r = checkChain([b, seeds[0]!], { serverName: 'tlsscope.test', at: AT });
        expect(r.validity.length).toBe(2);
      }),
      { numRuns: 400 },
    );
  });
  it('summarizeCertificate: every truncation of a certificate', () => {
    const d = der('leaf-muststaple');
    for (let n = 0; n < d.length; n++) {
      const s = summarizeCertificate(d.subarray(0, n));
      expect(s.length).toBe(n);
      expect(s.parse_error, `length ${n}`).toBeTruthy();
    }
  });
  it('summarizeOcsp and readCaBundle: random input', () => {
    const ocsp = der('ocsp-good.der');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (b, cut) => {
        summarizeOcsp(b);
        const m = new Uint8Array(ocsp);
        if (b.length > 0) m[cut % m.length] = b[0]!;
        summarizeOcsp(m);
        readCaBundle(Buffer.from(b).toString('latin1'));
      }),
      { numRuns: 300 },
    );
  });
});
