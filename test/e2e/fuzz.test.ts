/**
 * Whole-pipeline robustness: mutated real captures (byte flips, cuts,
 * duplicated ranges) go through capture -> decode -> reassembly -> TLS ->
 * x509 -> findings without throwing anything but a CaptureError for a file
 * that is no longer a capture, and without hanging.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { analyze } from '../../src/analyze.js';
import { CaptureError } from '../../src/core/types.js';
import { FIXTURES } from './helpers.js';

const seeds = ['demo.pcapng', 'diagnose.pcapng', 'tls12-ecdhe.pcap', 'alpn-sni-clientcert.pcapng'].map((f) => readFileSync(join(FIXTURES, f)));

async function run(bytes: Uint8Array): Promise<void> {
  try {
    const r = await analyze(Readable.from([Buffer.from(bytes)]), { now: new Date('2026-11-24T00:00:00Z') });
    for (const s of r.sessions) {
      // whatever came out is well-formed enough to serialise
      expect(typeof JSON.stringify(s)).toBe('string');
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
  }
}

describe('mutated captures never crash the pipeline', () => {
  it('random byte flips (past the file header)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 40 }),
      async (si, flips) => {
        const b = Uint8Array.from(seeds[si]!);
        for (const [pos, val] of flips) b[64 + (pos % (b.length - 64))] = val;
        await run(b);
      },
    ), { numRuns: 150 });
  }, 120_000);

  it('cuts and duplicated ranges', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: seeds.length - 1 }), fc.nat(), fc.nat(), fc.nat(),
      async (si, a, b, c) => {
        const s = seeds[si]!;
        const from = a % s.length;
        const len = b % 4000;
        const at = c % s.length;
        const mutated = Buffer.concat([s.subarray(0, at), s.subarray(from, from + len), s.subarray(at)]);
        await run(mutated.subarray(0, Math.max(32, mutated.length - (c % 997))));
      },
    ), { numRuns: 150 });
  }, 120_000);
});
