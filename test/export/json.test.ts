import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { sessionJson } from '../../src/export/json.js';
import { FIXTURES, fixtureFiles } from '../e2e/helpers.js';

describe('sessionJson (certificate JSON spliced from a cache)', () => {
  it('is byte-identical to JSON.stringify on every fixture session, twice (cache hit)', async () => {
    let n = 0;
    for (const f of fixtureFiles()) {
      for (const s of (await analyze(join(FIXTURES, f))).sessions) {
        expect(sessionJson(s)).toBe(JSON.stringify(s));
        expect(sessionJson(s)).toBe(JSON.stringify(s));
        n++;
      }
    }
    expect(n).toBeGreaterThan(50);
  });

  it('is not fooled by a wire string that spells the marker', async () => {
    const s = (await analyze(join(FIXTURES, 'tls12-ecdhe.pcap'))).sessions[0]!;
    const copy = structuredClone(s);
    copy.server_name = '"certificates":[]';
    copy.certificates = s.certificates;
    expect(sessionJson(copy)).toBe(JSON.stringify(copy));
    expect(copy.certificates.length).toBeGreaterThan(0);
  });
});
