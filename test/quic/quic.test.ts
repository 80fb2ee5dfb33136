import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hkdfExpandLabel, hkdfExtract, initialSecrets, QUIC_DRAFT29, QUIC_V1, QUIC_V2 } from '../../src/quic/crypto.js';
import { openLongPacket, parseFrames, parseLongHeader, readVarint } from '../../src/quic/packet.js';
import { CryptoStream } from '../../src/quic/crypto_stream.js';
import { decodeClientHello } from '../../src/tls/client_hello.js';
import type { Dir } from '../../src/core/types.js';
import { A_DCID, A2_CRYPTO_FRAME, A2_PROTECTED, A3_PAYLOAD, A3_PROTECTED, hex } from './vectors.js';
import { cryptoFrame, runDatagrams, sealInitial } from './helpers.js';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('RFC 9001 Appendix A', () => {
  it('A.1: initial secrets and keys from the DCID', () => {
    const dcid = hex(A_DCID);
    const initial = hkdfExtract(hex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'), dcid);
    expect(toHex(initial)).toBe('7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44');
    const s = initialSecrets(QUIC_V1, dcid)!;
    expect(toHex(s.client.key)).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(toHex(s.client.iv)).toBe('fa044b2f42a3fd3b46fb255c');
    expect(toHex(s.client.hp)).toBe('9f50449e04a0e810283a1e9933adedd2');
    expect(toHex(s.server.key)).toBe('cf3a5331653c364c88f0f379b6067e37');
    expect(toHex(s.server.iv)).toBe('0ac1493ca1905853b0bba03e');
    expect(toHex(s.server.hp)).toBe('c206b8d9b9f0f37644430b490eeaa314');
    expect(hkdfExpandLabel(initial, 'client in', 32).equals(s.clientSecret)).toBe(true);
  });

  it('A.2: removes header protection and decrypts the client Initial', () => {
    const pkt = hex(A2_PROTECTED);
    expect(pkt.length).toBe(1200);
    const h = parseLongHeader(pkt, 0)!;
    expect(h.type).toBe('initial');
    expect(h.version).toBe(QUIC_V1);
    expect(toHex(h.dcid)).toBe(A_DCID);
    expect(h.pnOffset).toBe(18);
    expect(h.end).toBe(1200);
    const opened = openLongPacket(pkt, h, initialSecrets(QUIC_V1, h.dcid)!.client, -1)!;
    expect(opened.pn).toBe(2);
    expect(opened.payload.length).toBe(1162);
    expect(toHex(opened.payload.subarray(0, A2_CRYPTO_FRAME.length / 2))).toBe(A2_CRYPTO_FRAME);
    const { frames } = parseFrames(opened.payload);
    expect(frames[0]).toMatchObject({ type: 'crypto', offset: 0 });
    expect(frames[1]).toEqual({ type: 'padding', length: 917 });
    const crypto = frames[0]!.type === 'crypto' ? frames[0]!.data : new Uint8Array(0);
    const ch = decodeClientHello(crypto.subarray(4)).value;
    expect(ch.server_name).toBe('example.com');
    expect(ch.cipher_suites).toEqual([0x1301, 0x1302]);
    expect(ch.extensions).toContain(57); // quic_transport_parameters
  });

  it('A.2: a flipped bit fails authentication', () => {
    const pkt = hex(A2_PROTECTED);
    pkt[100] = pkt[100]! ^ 1;
    const h = parseLongHeader(pkt, 0)!;
    expect(openLongPacket(pkt, h, initialSecrets(QUIC_V1, h.dcid)!.client, -1)).toBeUndefined();
  });

  it('A.3: decrypts the server Initial with keys from the client DCID', () => {
    const pkt = hex(A3_PROTECTED);
    const h = parseLongHeader(pkt, 0)!;
    expect(toHex(h.scid)).toBe('f067a5502a4262b5');
    const opened = openLongPacket(pkt, h, initialSecrets(QUIC_V1, hex(A_DCID))!.server, -1)!;
    expect(opened.pn).toBe(1);
    expect(toHex(opened.payload)).toBe(A3_PAYLOAD);
  });

  it('A.2 + A.3 through UdpTlsConsumer: one quic session', () => {
    const { sessions, flow } = runDatagrams([[1, hex(A2_PROTECTED)], [0, hex(A3_PROTECTED)]]);
    expect(flow.clientIsA).toBe(false);
    expect(sessions).toHaveLength(1);
    const s = sessions[0]!;
    expect(s.protocol).toBe('quic');
    expect(s.transport).toBe('udp');
    expect(s.client.port).toBe(443); // B sent the ClientHello here
    expect(s.server_name).toBe('example.com');
    expect(s.version).toBe(0x0304);
    expect(s.cipher_suite).toBe(0x1301);
    expect(s.client_hello?.ja4?.startsWith('q13d0211')).toBe(true);
    expect(s.client_hello?.record_version).toBeUndefined();
    expect(s.history).toBe('Cs');
    expect(s.established).toBe(false);
  });
});

describe('QUIC dissection from built packets', () => {
  const odcid = hex('0011223344556677');
  const chMsg = hex(A2_CRYPTO_FRAME).subarray(4); // the ClientHello handshake message (type, length, body)
  const shMsg = hex(A3_PAYLOAD).subarray(9);

  for (const version of [QUIC_V1, QUIC_V2, QUIC_DRAFT29]) {
    it(`ClientHello split over two Initial packets, out of order (version 0x${version.toString(16)})`, () => {
      const a = chMsg.subarray(0, 100);
      const b = chMsg.subarray(100);
      const p2 = sealInitial({ version, odcid, pn: 1, payload: cryptoFrame(100, b), padTo: 1200 });
      const p1 = sealInitial({ version, odcid, pn: 0, payload: Uint8Array.from([0x01, ...cryptoFrame(0, a)]), padTo: 1200 });
      const sh = sealInitial({ version, odcid, server: true, dcid: new Uint8Array(0), scid: hex('aabbccdd'), pn: 0, payload: Uint8Array.from([0x02, 0, 0, 0, 0, ...cryptoFrame(0, shMsg)]) });
      const { sessions } = runDatagrams([[0, p2], [0, p2], [0, p1], [1, sh]]);
      expect(sessions).toHaveLength(1);
      const s = sessions[0]!;
      expect(s.protocol).toBe('quic');
      expect(s.server_name).toBe('example.com');
      expect(s.client_hellos).toBe(1);
      expect(s.client_hello_segments).toBe(3);
      expect(s.server_hello?.cipher_suite).toBe(0x1301);
    });
  }

  it('coalesced Initial + Handshake packets, then 1-RTT: established', () => {
    const ch = sealInitial({ version: QUIC_V1, odcid, pn: 0, payload: cryptoFrame(0, chMsg), padTo: 1200 });
    const sh = sealInitial({ version: QUIC_V1, odcid, server: true, dcid: new Uint8Array(0), scid: hex('aabbccdd'), pn: 0, payload: cryptoFrame(0, shMsg) });
    // a Handshake packet (type 2): header with a length; the payload is opaque here
    const hsPkt = (dcid: Uint8Array): Uint8Array => Uint8Array.from([0xe0, 0, 0, 0, 1, dcid.length, ...dcid, 0, 0x40, 60, ...new Uint8Array(60).fill(0x5a)]);
    const shortPkt = Uint8Array.from([0x40, ...new Uint8Array(40).fill(0x33)]);
    const { sessions } = runDatagrams([
      [0, ch],
      [1, Uint8Array.from([...sh, ...hsPkt(new Uint8Array(0))])],
      [0, hsPkt(hex('aabbccdd'))],
      [0, shortPkt],
      [1, shortPkt],
    ]);
    const s = sessions[0]!;
    expect(s.established).toBe(true);
    expect(s.history).toBe('CseFDd');
    expect(s.counts.server.application_data_records).toBe(1);
  });

  it('a transport CONNECTION_CLOSE carrying a TLS alert is reported as that alert', () => {
    const ch = sealInitial({ version: QUIC_V1, odcid, pn: 0, payload: cryptoFrame(0, chMsg), padTo: 1200 });
    // CONNECTION_CLOSE 0x1c, error 0x0128 (handshake_failure), frame type 6, empty reason
    const close = sealInitial({ version: QUIC_V1, odcid, server: true, dcid: new Uint8Array(0), pn: 0, payload: Uint8Array.from([0x1c, 0x41, 0x28, 0x06, 0x00, ...new Uint8Array(20)]) });
    const { sessions } = runDatagrams([[0, ch], [1, close]]);
    expect(sessions[0]!.alerts.map((a) => a.description)).toEqual([40]);
  });

  it('a new client connection (new DCID) after a ServerHello is a second session', () => {
    const ch = sealInitial({ version: QUIC_V1, odcid, pn: 0, payload: cryptoFrame(0, chMsg), padTo: 1200 });
    const sh = sealInitial({ version: QUIC_V1, odcid, server: true, dcid: new Uint8Array(0), pn: 0, payload: cryptoFrame(0, shMsg) });
    const odcid2 = hex('8877665544332211');
    const ch2 = sealInitial({ version: QUIC_V1, odcid: odcid2, pn: 0, payload: cryptoFrame(0, chMsg), padTo: 1200 });
    const { sessions } = runDatagrams([[0, ch], [1, sh], [0, ch2]]);
    expect(sessions.map((s) => s.id)).toEqual(['7', '7.1']);
  });

  it('non-QUIC UDP gives no session', () => {
    const dns = hex('abcd01000001000000000000076578616d706c6503636f6d0000010001');
    const { sessions } = runDatagrams([[0, dns], [1, dns]]);
    expect(sessions).toEqual([]);
  });

  it('CryptoStream: overlapping frames, cap respected', () => {
    const s = new CryptoStream(64);
    expect(s.add(2, Uint8Array.from([0, 3, 9, 9, 9]))).toBe(true);
    expect(s.takeMessages()).toEqual([]);
    s.add(0, Uint8Array.from([1, 0, 0]));
    expect(s.takeMessages().map((m) => [m.type, [...m.body]])).toEqual([[1, [9, 9, 9]]]);
    s.add(7, new Uint8Array(100));
    expect(s.dropped).toBeGreaterThan(0);
  });

  it('varints (RFC 9000 A.1 examples)', () => {
    expect(readVarint(hex('c2197c5eff14e88c'), 0)?.value).toBe(151288809941952652);
    expect(readVarint(hex('9d7f3e7d'), 0)?.value).toBe(494878333);
    expect(readVarint(hex('7bbd'), 0)?.value).toBe(15293);
    expect(readVarint(hex('25'), 0)?.value).toBe(37);
    expect(readVarint(hex('7b'), 0)).toBeUndefined();
  });
});

describe('hostile input', () => {
  it('random datagrams never throw', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom<Dir>(0, 1), fc.uint8Array({ maxLength: 1400 })), { maxLength: 12 }), (dgrams) => {
      runDatagrams(dgrams);
    }), { numRuns: 300 });
  });

  it('mutated real Initial packets never throw', () => {
    const base = hex(A2_PROTECTED);
    const srv = hex(A3_PROTECTED);
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(1199), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(1200), (muts, cut) => {
      const a = base.slice(0, Math.max(cut, 7));
      for (const [i, v] of muts) if (i < a.length && i !== 0) a[i] = v;
      runDatagrams([[0, base], [0, a], [1, srv.slice(0, cut % srv.length)], [1, a]]);
    }), { numRuns: 200 });
  });
});
