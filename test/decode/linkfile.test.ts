/**
 * End to end through the new link types: a fixture's real TLS handshake
 * (Ethernet) rewritten as Linux NFLOG (both TLV byte orders, each in a file of
 * that byte order) and as radiotap + 802.11 QoS data must give the same
 * sessions from analyze() as the original.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { writePcap, writePcapng, type WritePacket } from '../../src/capture/writer.js';
import { analyze } from '../../src/analyze.js';
import type { Session } from '../../src/core/model.js';
import { concat, nflog, radiotap, snapLlc, wlan } from './build.js';

const FIXTURE = resolve(import.meta.dirname, '../../fixtures/tls12-ecdhe.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'tlsscope-links-'));

async function readEthernet(file: string): Promise<WritePacket[]> {
  const out: WritePacket[] = [];
  await (await openCapture(file)).run((p) => {
    if (p.linkType !== 1) throw new Error(`expected Ethernet, got ${p.linkType}`);
    out.push({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.data.slice() });
  });
  return out;
}

/** The IPv4 packet of an untagged Ethernet frame, without the padding. */
function ipOf(frame: Uint8Array): { ip: Uint8Array; fromClient: boolean } {
  const total = (frame[16]! << 8) | frame[17]!;
  const ip = frame.subarray(14, 14 + total);
  return { ip, fromClient: ip[12] === 192 && ip[13] === 0 && ip[14] === 2 && ip[15] === 10 };
}

const summary = (sessions: Session[]) =>
  sessions.map((s) => ({
    client: s.client,
    server: s.server,
    sni: s.server_name,
    version: s.version,
    cipher: s.cipher_suite,
    established: s.established,
    ja3: s.client_hello?.ja3,
    ja4: s.client_hello?.ja4,
    ja3s: s.server_hello?.ja3s,
    certs: s.certificates.map((c) => c.sha256),
    findings: s.findings.map((f) => f.code).sort(),
  }));

describe('a real TLS handshake through NFLOG and radiotap captures', () => {
  it('analyze() finds the same session as in the Ethernet original', async () => {
    const eth = await readEthernet(FIXTURE);
    const base = await analyze(FIXTURE);
    expect(base.sessions).toHaveLength(1);
    const want = summary(base.sessions);
    expect(want[0]!.sni).toBe('tlsscope.test');

    const files: Record<string, Buffer> = {
      'nflog-le.pcap': writePcap(eth.map((p) => ({ ...p, data: nflog(2, ipOf(p.data).ip) })), { linkType: 239 }),
      'nflog-be.pcap': writePcap(eth.map((p) => ({ ...p, data: nflog(2, ipOf(p.data).ip, { le: false }) })), { linkType: 239, bigEndian: true }),
      'radiotap.pcapng': writePcapng([{
        interfaces: [{ linkType: 127 }],
        packets: eth.map((p) => {
          const { ip, fromClient } = ipOf(p.data);
          // client -> AP: To DS; AP -> client: From DS; FCS kept (radiotap Flags 0x10), header padded (0x20)
          const f = wlan(snapLlc(0x0800, ip), { toDs: fromClient, fromDs: !fromClient, dataPad: true });
          return { ...p, interfaceId: 0, data: radiotap(concat(f, Uint8Array.of(0xde, 0xad, 0xbe, 0xef)), { flags: 0x30, tsft: true }) };
        }),
      }]),
    };
    for (const [name, bytes] of Object.entries(files)) {
      const path = join(tmp, name);
      writeFileSync(path, bytes);
      const r = await analyze(path);
      expect(r.anomalies, name).toEqual(base.anomalies);
      expect(r.packets, name).toBe(base.packets);
      expect(summary(r.sessions), name).toEqual(want);
    }
  });
});
