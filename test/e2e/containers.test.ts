/**
 * The same traffic rewritten into every container the readers support must
 * give identical conversations and sessions: pcap (us, ns, big-endian),
 * pcapng, pcapng merging Ethernet, SLL2 and raw IP interfaces, gzip, stdin.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openCapture } from '../../src/capture/open.js';
import { writePcap, writePcapng, type WritePacket } from '../../src/capture/writer.js';
import { FIXTURES, HAVE_SHARED, SHARED, cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tlsscope-containers-'));

async function readEthernet(file: string): Promise<WritePacket[]> {
  const r = await openCapture(file);
  const out: WritePacket[] = [];
  await r.run((p) => {
    if (p.linkType !== 1) throw new Error(`${file}: expected Ethernet, got link type ${p.linkType}`);
    out.push({ tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.data.slice(), origLen: p.origLen });
  });
  return out;
}

/** Ethernet (no VLAN) -> raw IP (LINKTYPE_RAW 101) */
function toRaw(p: WritePacket): WritePacket {
  return { ...p, data: p.data.subarray(14), origLen: (p.origLen ?? p.data.length) - 14 };
}

/** Ethernet (no VLAN) -> Linux cooked v2 (LINKTYPE_LINUX_SLL2 276): 20-byte header. */
function toSll2(p: WritePacket): WritePacket {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(p.data[12]! << 8 | p.data[13]!, 0); // protocol type
  h.writeUInt32BE(2, 4); // interface index
  h.writeUInt16BE(1, 8); // ARPHRD_ETHER
  h[10] = 0; // packet type: to us
  h[11] = 6; // address length
  Buffer.from(p.data.subarray(6, 12)).copy(h, 12);
  return { ...p, data: Buffer.concat([h, p.data.subarray(14)]), origLen: (p.origLen ?? p.data.length) - 14 + 20 };
}

function variants(name: string, pk: WritePacket[]): Record<string, string> {
  const files: Record<string, string> = {};
  const put = (k: string, b: Buffer) => {
    const f = join(tmp, `${name}.${k}`);
    writeFileSync(f, b);
    files[k] = f;
  };
  put('us.pcap', writePcap(pk, { linkType: 1 }));
  put('ns-be.pcap', writePcap(pk, { linkType: 1, nanosecond: true, bigEndian: true }));
  put('pcapng', writePcapng([{ interfaces: [{ linkType: 1, tsresol: 9 }], packets: pk.map((p) => ({ ...p, interfaceId: 0 })) }]));
  // three interfaces with different link types in one file, packets spread over them round-robin
  put('mixed.pcapng', writePcapng([{
    bigEndian: true,
    interfaces: [{ linkType: 1 }, { linkType: 276, tsresol: 9 }, { linkType: 101, tsresol: 0x80 | 20 }],
    packets: pk.map((p, i) => i % 3 === 0 ? { ...p, interfaceId: 0 } : i % 3 === 1 ? { ...toSll2(p), interfaceId: 1 } : { ...toRaw(p), interfaceId: 2 }),
  }]));
  put('pcap.gz', gzipSync(writePcap(pk, { linkType: 1 })));
  return files;
}

type Conv = { transport: string; client: { ip: string; port: number }; server: { ip: string; port: number }; packets: number };
const convKey = (c: Conv) => `${c.transport} ${c.client.ip}:${c.client.port} ${c.server.ip}:${c.server.port} ${c.packets}`;

function flows(file: string, stdin?: Buffer): string[] {
  const r = cli(['flows', stdin ? '-' : file, '--format', 'json'], stdin);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Conv[]).map(convKey).sort();
}

function sessions(file: string): string[] {
  const r = cli(['export', file, '--format', 'ndjson']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => {
    const s = JSON.parse(l) as { client: { port: number }; client_hello?: { ja3?: string; ja4?: string }; server_hello?: { ja3s?: string }; established: boolean; certificates: { sha256: string }[] };
    return [s.client.port, s.client_hello?.ja4, s.client_hello?.ja3, s.server_hello?.ja3s, s.established, s.certificates.map((c) => c.sha256).join(',')].join(' ');
  }).sort();
}

const sources: [string, string][] = [['demo', join(FIXTURES, 'demo.pcapng')], ['diagnose', join(FIXTURES, 'diagnose.pcapng')]];
if (HAVE_SHARED) sources.push(['zeek-ech', join(SHARED, 'zeek', 'tls13-ech.pcap')]);

describe('the same traffic in every container', () => {
  for (const [name, src] of sources) {
    it(`${name}: conversations and sessions identical in pcap us/ns/BE, pcapng, mixed-link pcapng, gzip and stdin`, async () => {
      const pk = await readEthernet(src);
      expect(pk.length).toBeGreaterThan(10);
      const files = variants(name, pk);
      const ref = flows(files['us.pcap']!);
      expect(ref.length).toBeGreaterThan(0);
      const refSessions = sessions(files['us.pcap']!);
      expect(refSessions.length).toBeGreaterThan(0);
      for (const [k, f] of Object.entries(files)) {
        expect(flows(f), k).toEqual(ref);
        expect(sessions(f), k).toEqual(refSessions);
      }
      expect(flows('-', readFileSync(files['pcap.gz']!)), 'gzip on stdin').toEqual(ref);
    }, 120_000);
  }
});
