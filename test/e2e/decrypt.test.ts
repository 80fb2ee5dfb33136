/** End-to-end: TLS 1.3 handshake decryption with secrets from a pcapng DSB or from --keylog. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FIXTURES, cli } from './helpers.js';

interface S {
  alpn: string | null;
  decrypted?: boolean;
  certificates_encrypted: boolean;
  certificates: { subject_cn?: string }[];
  chain?: { incomplete: boolean; hostname_matches: boolean };
  encrypted_extensions?: { alpn: string | null; extensions: number[] };
  history: string;
  established: boolean;
  steps: { step: string; from: string }[];
  anomalies: { code: string }[];
}

function exportOf(args: string[]): S[] {
  const r = cli(['export', ...args]);
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as S[];
}

function expectDecrypted(s: S): void {
  expect(s.decrypted).toBe(true);
  expect(s.alpn).toBe('h2');
  expect(s.encrypted_extensions?.alpn).toBe('h2');
  expect(s.encrypted_extensions?.extensions).toContain(16);
  expect(s.certificates_encrypted).toBe(false);
  expect(s.certificates.map((c) => c.subject_cn)).toEqual(['tlsscope.test', 'tlsscope Test Intermediate CA']);
  expect(s.chain?.hostname_matches).toBe(true);
  expect(s.established).toBe(true);
  // server: encrypted_extensions, certificate, certificate_verify, finished; client: finished
  expect(s.history).toContain('oxyf');
  expect(s.steps.filter((x) => x.step === 'finished').map((x) => x.from)).toEqual(['server', 'client']);
  expect(s.anomalies.map((a) => a.code)).not.toContain('tls_decrypt_failed');
}

describe('TLS 1.3 decryption', () => {
  it('uses the Decryption Secrets Block of a pcapng', () => {
    const [s, ...rest] = exportOf([join(FIXTURES, 'tls13-keylog.pcapng')]);
    expect(rest).toHaveLength(0);
    expectDecrypted(s!);
  });

  it('uses --keylog on a capture without secrets, with the same result', () => {
    const plain = exportOf([join(FIXTURES, 'tls13-keylog.pcap')])[0]!;
    expect(plain.decrypted).toBeUndefined();
    expect(plain.certificates_encrypted).toBe(true);
    expect(plain.alpn).toBeNull();
    const s = exportOf([join(FIXTURES, 'tls13-keylog.pcap'), '--keylog', join(FIXTURES, 'tls13-keylog.keys')])[0]!;
    expectDecrypted(s);
    const fromDsb = exportOf([join(FIXTURES, 'tls13-keylog.pcapng')])[0]!;
    expect(s.history).toBe(fromDsb.history);
    expect(s.certificates).toEqual(fromDsb.certificates);
  });

  it('list shows the ALPN from the decrypted EncryptedExtensions', () => {
    const r = cli(['list', '--no-header', join(FIXTURES, 'tls13-keylog.pcap'), '--keylog', join(FIXTURES, 'tls13-keylog.keys')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/TLS1\.3\s+TLS_AES_128_GCM_SHA256\s+h2\s/);
  });

  it('a missing key log file is a one-line error (exit 1)', () => {
    const r = cli(['list', join(FIXTURES, 'tls13-keylog.pcap'), '--keylog', join(FIXTURES, 'no-such.keys')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tlsscope: .*cannot read key log/);
  });
});
