/**
 * Real captures (only when ../shared/captures exists beside the repository): every UDP session
 * tshark 4.0 and the FoxIO ja4 tool report must be found with the same
 * ClientHello/ServerHello fields and JA4.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURES, HAVE_CAPTURES, udpSessions, type ExpectedTshark } from './pipeline.js';

const NAMES = ['quic-tls-handshake.pcapng', 'chrome-cloudflare-quic-with-secrets.pcapng', 'quic-with-several-tls-frames.pcapng', 'tls-handshake.pcapng', 'tls3.pcapng', 'ssh2.pcapng', 'https3-301-get.pcap'];
const CH_FIELDS = ['server_name', 'cipher_suites', 'extensions', 'supported_versions', 'alpn', 'supported_groups', 'signature_algorithms', 'version', 'ja3'];
const SH_FIELDS = ['cipher_suite', 'version', 'selected_version', 'alpn', 'extensions', 'ja3s'];

function load<T>(p: string): T[] {
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T[]) : [];
}

describe.skipIf(!HAVE_CAPTURES)('QUIC captures against tshark and ja4', () => {
  for (const name of NAMES) {
    it(name, async () => {
      const sessions = await udpSessions(join(CAPTURES, 'ja4', name));
      const key = (c: { ip: string; port: number }, s: { ip: string; port: number }) => `${c.ip}:${c.port}-${s.ip}:${s.port}`;
      const got = new Map(sessions.map((s) => [key(s.client, s.server), s]));
      const tshark = load<ExpectedTshark>(join(CAPTURES, 'expected', 'tshark', 'ja4', name + '.json')).filter((e) => e.transport === 'udp');
      for (const e of tshark) {
        const g = got.get(key(e.client, e.server));
        expect(g, key(e.client, e.server)).toBeDefined();
        if (!g) continue;
        expect(g.protocol).toBe('quic');
        for (const f of CH_FIELDS) {
          const ev = e.client_hello?.[f];
          if (ev === undefined || (Array.isArray(ev) && ev.length === 0)) continue;
          expect((g.client_hello as unknown as Record<string, unknown>)[f], `${f}`).toEqual(ev);
        }
        for (const f of SH_FIELDS) {
          const ev = e.server_hello?.[f];
          if (ev === undefined || (Array.isArray(ev) && ev.length === 0)) continue;
          expect((g.server_hello as unknown as Record<string, unknown> | undefined)?.[f], `${f}`).toEqual(ev);
        }
      }
      const ja4 = load<{ transport?: string; client: { ip: string; port: number }; server: { ip: string; port: number }; ja4?: string }>(join(CAPTURES, 'expected', 'ja4', name + '.json')).filter((e) => e.transport === 'udp');
      for (const e of ja4) {
        const g = got.get(key(e.client, e.server));
        expect(g?.client_hello?.ja4).toBe(e.ja4);
      }
    });
  }

  it('chrome-cloudflare: the handshake completes', async () => {
    const [s] = await udpSessions(join(CAPTURES, 'ja4', 'chrome-cloudflare-quic-with-secrets.pcapng'));
    expect(s?.established).toBe(true);
    expect(s?.history).toBe('CseFDd');
  });

  it('non-TLS UDP (DHCP, DHCPv6) yields no session', async () => {
    expect(await udpSessions(join(CAPTURES, 'ja4', 'dhcp.pcapng'))).toEqual([]);
    expect(await udpSessions(join(CAPTURES, 'ja4', 'dhcpv6.pcap'))).toEqual([]);
  });
});
