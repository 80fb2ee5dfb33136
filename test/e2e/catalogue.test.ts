import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { catalogueMarkdown } from '../../tools/docs/catalogue.js';
import { isKnownAnomaly } from '../../src/core/anomalies.js';
import { FINDING_CODES } from '../../src/session/findings.js';
import { analyze } from '../../src/analyze.js';
import { FIXTURES, HAVE_SHARED, ROOT, SHARED, fixtureFiles } from './helpers.js';

describe('code catalogue', () => {
  it('docs/CATALOGUE.md is up to date (npm run docs)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'CATALOGUE.md'), 'utf8')).toBe(catalogueMarkdown() + '\n');
  });

  it('every anomaly reported on the fixtures and real captures is in the catalogue', async () => {
    const files = fixtureFiles().map((f) => join(FIXTURES, f));
    if (HAVE_SHARED) for (const set of ['zeek', 'ja4']) for (const f of readdirSync(join(SHARED, set))) files.push(join(SHARED, set, f));
    const seen = new Set<string>();
    for (const f of files) {
      const r = await analyze(f);
      for (const a of r.anomalies) seen.add(a.code);
      for (const w of r.warnings) seen.add(w.code);
      for (const s of r.sessions) for (const a of s.anomalies) seen.add(a.code);
    }
    const unknown = [...seen].filter((c) => !isKnownAnomaly(c));
    expect(unknown).toEqual([]);
    expect(seen.size).toBeGreaterThan(3);
  }, 120_000);

  it('the required finding codes exist in the catalogue and each is produced by a fixture', async () => {
    const required = ['handshake_failed', 'protocol_version_mismatch', 'no_shared_cipher', 'no_shared_group', 'cert_expired', 'cert_not_yet_valid',
      'cert_hostname_mismatch', 'cert_self_signed', 'cert_untrusted', 'cert_chain_incomplete', 'client_cert_missing', 'alpn_mismatch',
      'reset_during_handshake', 'no_server_response', 'not_tls_response', 'clock_skew_suspected', 'weak_protocol', 'weak_cipher',
      'no_forward_secrecy', 'weak_signature', 'weak_key', 'cert_expiring_soon', 'hello_retry_request', 'resumed', 'ech_offered',
      'post_quantum_key_exchange', 'large_client_hello_dropped', 'tls13_client_rejected_cert'];
    for (const c of required) expect(Object.keys(FINDING_CODES)).toContain(c);
    const produced = new Set<string>();
    for (const f of fixtureFiles()) for (const s of (await analyze(join(FIXTURES, f))).sessions) for (const x of s.findings) produced.add(x.code);
    expect(required.filter((c) => !produced.has(c))).toEqual([]);
  }, 120_000);
});
