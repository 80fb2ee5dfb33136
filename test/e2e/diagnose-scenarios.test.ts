/**
 * Every finding code is produced by a real (or documented crafted) handshake:
 * fixtures/diagnose.pcapng holds one session per cause, made by
 * tools/fixtures/scenarios (node:tls / openssl), labelled in labels.ts.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import type { Session } from '../../src/core/model.js';
import { SCENARIO_LABELS } from '../../tools/fixtures/scenarios/labels.js';
import { FIXTURES } from './helpers.js';

const sessions: Session[] = (await analyze(join(FIXTURES, 'diagnose.pcapng'))).sessions;
const byPort = new Map(sessions.map((s) => [s.client.port, s]));

describe('diagnosis of labelled failure scenarios (fixtures/diagnose.pcapng)', () => {
  it('finds one session per scenario', () => {
    expect(sessions.length).toBe(SCENARIO_LABELS.length);
  });
  for (const label of SCENARIO_LABELS) {
    it(`${label.name} (client port ${label.clientPort}): ${label.findings.join(', ') || 'no failure'}; established=${label.established}`, () => {
      const s = byPort.get(label.clientPort);
      expect(s, 'session present').toBeDefined();
      const codes = s!.findings.map((f) => f.code);
      for (const c of label.findings) expect(codes, `findings of ${label.name}`).toContain(c);
      expect(s!.established).toBe(label.established);
      if (label.resumed !== undefined) expect(s!.resumed).toBe(label.resumed);
      // no failure finding beyond the expected and tolerated ones
      // handshake_failed is the generic companion of every failure (alert, direction, step)
      const allowed = new Set([...label.findings, ...label.tolerated, ...(label.established ? [] : ['handshake_failed'])]);
      const unexpectedHigh = s!.findings.filter((f) => f.severity === 'high' && !allowed.has(f.code)).map((f) => f.code);
      expect(unexpectedHigh, `unexpected high findings for ${label.name}`).toEqual([]);
      for (const f of s!.findings) expect(f.message.length).toBeGreaterThan(20);
    });
  }
});

describe('messages carry the key facts', () => {
  const find = (port: number, code: string) => byPort.get(port)?.findings.find((f) => f.code === code);
  it('expired certificate: says when it expired', () => {
    expect(find(50007, 'cert_expired')?.message).toMatch(/2026-10-01/);
  });
  it('protocol version mismatch names the alert', () => {
    expect(find(50003, 'protocol_version_mismatch')?.message).toMatch(/protocol_version/);
  });
  it('hostname mismatch names the SNI', () => {
    expect(find(50010, 'cert_hostname_mismatch')?.message).toContain('api.example.com');
  });
  it('reset during handshake says who reset', () => {
    expect(find(50026, 'reset_during_handshake')?.message).toMatch(/server/);
  });
  it('not a TLS response shows what the server said', () => {
    expect(find(50028, 'not_tls_response')?.message).toMatch(/HTTP/);
  });
});
