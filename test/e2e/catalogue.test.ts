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

  it('every anomaly code written in the sources is in the catalogue (also those no capture produces)', () => {
    // the shapes anomalies are reported in: x.anomaly('code', ...), warn('code', ...), { code: 'code', layer ... }
    const shape = /(?:anomaly|warn|fragAnomaly|problem)\(\s*'([a-z0-9_]+)'|anomaly: \{ code: '([a-z0-9_]+)'|\{ code: '([a-z0-9_]+)', layer/g;
    const codes = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.tsx?$/.test(e.name)) for (const m of readFileSync(p, 'utf8').matchAll(shape)) codes.add((m[1] ?? m[2] ?? m[3])!);
      }
    };
    walk(join(ROOT, 'src'));
    expect(codes.size).toBeGreaterThan(60);
    expect([...codes].filter((c) => !isKnownAnomaly(c))).toEqual([]);
  });

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
