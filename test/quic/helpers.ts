/**
 * Test helpers: a fake UDP FlowInfo, a consumer that collects finalized
 * sessions, and a QUIC Initial packet sealer (written here from RFC 9001 5.3
 * and 5.4 with node:crypto, to build packets the RFC does not give).
 */
import { createCipheriv } from 'node:crypto';
import type { Session } from '../../src/core/model.js';
import type { Dir } from '../../src/core/types.js';
import type { FlowInfo } from '../../src/reassembly/types.js';
import { finalizeSession } from '../../src/session/finalize.js';
import { UdpTlsConsumer } from '../../src/session/udp.js';
import { initialSecrets, nonceFor, QUIC_V2 } from '../../src/quic/crypto.js';

function dirStats() {
  return { packets: 0, bytes: 0, reassembled: 0, gaps: 0, gapBytes: 0, retransmissions: 0, outOfOrder: 0, synSeen: false, finSeen: false, rstSeen: false };
}

export function fakeFlow(): FlowInfo {
  const f: FlowInfo = {
    id: 7, transport: 'udp',
    a: { ip: '192.0.2.1', port: 50000 }, b: { ip: '198.51.100.2', port: 443 },
    clientIsA: undefined, roleSource: undefined,
    firstTs: { sec: 1700000000, nsec: 0 }, lastTs: { sec: 1700000001, nsec: 0 },
    firstPacket: 0, stats: [dirStats(), dirStats()], midstream: false, truncated: false, tunnel: undefined, anomalies: [],
    setClient(dir: Dir) { f.clientIsA = dir === 0; f.roleSource = 'consumer'; },
  };
  return f;
}

/** Feed datagrams [dir, bytes] to a UdpTlsConsumer; returns the finalized sessions. */
export function runDatagrams(dgrams: Array<[Dir, Uint8Array]>): { sessions: Session[]; flow: FlowInfo } {
  const flow = fakeFlow();
  const sessions: Session[] = [];
  const c = new UdpTlsConsumer(flow, (s, raw) => sessions.push(finalizeSession(s, raw, { now: new Date('2025-01-01T00:00:00Z') }).session));
  dgrams.forEach(([dir, d], i) => c.datagram(dir, d, { sec: 1700000000, nsec: i * 1000 }, i));
  c.end('eof', { sec: 1700000001, nsec: 0 });
  return { sessions, flow };
}

function varint(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 0xff];
  return [0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** A CRYPTO frame (RFC 9000 19.6). */
export function cryptoFrame(offset: number, data: Uint8Array): Uint8Array {
  return Uint8Array.from([0x06, ...varint(offset), ...varint(data.length), ...data]);
}

/**
 * Seal an Initial packet (client or server keys derived from `odcid`) with a
 * 4-byte packet number. `version` 1 or 0x6b3343cf (v2 type bits and labels).
 */
export function sealInitial(opts: { version: number; odcid: Uint8Array; dcid?: Uint8Array; scid?: Uint8Array; server?: boolean; pn: number; payload: Uint8Array; padTo?: number }): Uint8Array {
  const sec = initialSecrets(opts.version, opts.odcid)!;
  const keys = opts.server ? sec.server : sec.client;
  const dcid = opts.dcid ?? opts.odcid;
  const scid = opts.scid ?? new Uint8Array(0);
  let payload = opts.payload;
  const typeBits = opts.version === QUIC_V2 ? 1 : 0;
  const headerWithoutLen = [0xc0 | (typeBits << 4) | 0x03, (opts.version >>> 24) & 0xff, (opts.version >> 16) & 0xff, (opts.version >> 8) & 0xff, opts.version & 0xff,
    dcid.length, ...dcid, scid.length, ...scid, 0 /* token length */];
  if (opts.padTo) {
    const need = opts.padTo - (headerWithoutLen.length + 2 + 4 + payload.length + 16);
    if (need > 0) payload = Uint8Array.from([...payload, ...new Uint8Array(need)]);
  }
  const length = 4 + payload.length + 16;
  const header = Uint8Array.from([...headerWithoutLen, 0x40 | (length >> 8), length & 0xff, (opts.pn >>> 24) & 0xff, (opts.pn >> 16) & 0xff, (opts.pn >> 8) & 0xff, opts.pn & 0xff]);
  const c = createCipheriv('aes-128-gcm', keys.key, nonceFor(keys.iv, opts.pn));
  c.setAAD(header);
  const ct = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
  const pkt = Uint8Array.from([...header, ...ct]);
  const pnOffset = header.length - 4;
  const e = createCipheriv('aes-128-ecb', keys.hp, null);
  e.setAutoPadding(false);
  const mask = e.update(pkt.subarray(pnOffset + 4, pnOffset + 20));
  pkt[0] = pkt[0]! ^ (mask[0]! & 0x0f);
  for (let i = 0; i < 4; i++) pkt[pnOffset + i] = pkt[pnOffset + i]! ^ mask[1 + i]!;
  return pkt;
}
