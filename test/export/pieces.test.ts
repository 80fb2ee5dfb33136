import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { sessionJson, writeSessionJson } from '../../src/export/json.js';
import { FIXTURES, fixtureFiles } from '../e2e/helpers.js';

describe('writeSessionJson (pieces) and the shared cipher-suite text', () => {
  it('pieces concatenate to JSON.stringify on every fixture session', async () => {
    let n = 0;
    for (const f of fixtureFiles()) {
      for (const s of (await analyze(join(FIXTURES, f))).sessions) {
        const pieces: string[] = [];
        writeSessionJson(s, (p) => pieces.push(p));
        expect(pieces.join('')).toBe(JSON.stringify(s));
        expect(sessionJson(s)).toBe(JSON.stringify(s));
        n++;
      }
    }
    expect(n).toBeGreaterThan(50);
  });

  it('handles a retried ClientHello with empty lists, and wire strings spelling the marker', async () => {
    const s = (await analyze(join(FIXTURES, 'tls12-ecdhe.pcap'))).sessions[0]!;
    expect(Object.isFrozen(s.client_hello!.cipher_suite_names)).toBe(true);
    const retry = structuredClone(s.client_hello!);
    retry.cipher_suites = [];
    retry.cipher_suite_names = [];
    s.client_hello_retry = retry;
    s.server_name = '"cipher_suites":[],"cipher_suite_names":[]';
    expect(sessionJson(s)).toBe(JSON.stringify(s));
    s.client_hello_retry = s.client_hello;
    expect(sessionJson(s)).toBe(JSON.stringify(s));
    delete s.client_hello_retry;
    expect(sessionJson(s)).toBe(JSON.stringify(s));
  });
});
