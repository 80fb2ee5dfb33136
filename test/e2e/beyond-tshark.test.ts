/**
 * Where tlsscope knowingly differs from the tshark 4.0.17 reference in
 * ../shared/captures/expected, and why tlsscope is right. Skipped without
 * ../shared/captures.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { HAVE_SHARED, SHARED } from './helpers.js';

const expected = (set: string, name: string) =>
  JSON.parse(readFileSync(join(SHARED, 'expected', 'tshark', set, `${name}.json`), 'utf8')) as { client: { port: number } }[];

describe.skipIf(!HAVE_SHARED)('sessions tshark misses', () => {
  it('IRC STARTTLS on port 6667: tshark does not associate 6667 with TLS, tlsscope finds the ClientHello by content', async () => {
    const ref = expected('zeek', 'irc-starttls.pcap');
    const r = await analyze(join(SHARED, 'zeek', 'irc-starttls.pcap'));
    const s = r.sessions.find((x) => x.server.port === 6667);
    expect(ref.some((e) => e.client.port === s?.client.port)).toBe(false);
    expect(s?.starttls).toBe('irc');
    expect(s?.client_hello?.cipher_suites.length).toBeGreaterThan(0);
    expect(s?.established).toBe(true);
  });

  it('SSLv2-compatible ClientHello (ssl.v3.pcap): decoded into the same fields as a TLS hello, flagged sslv2', async () => {
    const r = await analyze(join(SHARED, 'zeek', 'ssl.v3.pcap'));
    const v2 = r.sessions.filter((s) => s.client_hello?.sslv2 === true);
    expect(v2.length).toBeGreaterThan(0);
    for (const s of v2) {
      expect(s.client_hello?.record_version).toBe(2);
      expect(s.client_hello?.cipher_suites.length).toBeGreaterThan(0);
      expect(s.client_hello?.ja3).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('SOCKS4 whose ClientHello was not captured: found from the ServerHello, proxy and target recorded', async () => {
    const r = await analyze(join(SHARED, 'ja4', 'socks4-https.pcap'));
    const s = r.sessions.find((x) => x.server.port === 9901);
    expect(s?.proxy).toBe('socks4');
    expect(s?.flags.client_hello_seen).toBe(false);
    expect(s?.certificates.length).toBe(3);
  });

  it('NSS TLS 1.3 draft client sends its unknown_ca alert in the clear after the ServerHello: tlsscope decodes it (tshark agrees), not "encrypted"', async () => {
    const r = await analyze(join(SHARED, 'zeek', 'tls13draft16-ff52.a01.pcap'));
    const s = r.sessions.find((x) => x.client.port === 36778);
    expect(s?.alerts.find((a) => a.from === 'client')).toMatchObject({ description: 48, encrypted: false, name: 'unknown_ca' });
  });

  it('non-ASCII ALPN (tls-non-ascii-alpn.pcapng): tshark shows U+FFFD, tlsscope keeps the bytes (as Latin-1) and JA4 equals the reference tool', async () => {
    const r = await analyze(join(SHARED, 'ja4', 'tls-non-ascii-alpn.pcapng'));
    const s = r.sessions.find((x) => x.client.port === 50112);
    const alpn = s?.client_hello?.alpn[0] ?? '';
    expect([...alpn].map((c) => c.charCodeAt(0))).toEqual([0xba, 0xad]);
    expect(s?.client_hello?.ja4?.startsWith('t13d151699_')).toBe(true);
  });
});
