/**
 * DTLS dissection. The handshakes here are built byte by byte in this file
 * (records, 12-byte handshake fragment headers, ClientHello with cookie,
 * HelloVerifyRequest, ServerHello, Certificate), not taken from a capture.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Dir } from '../../src/core/types.js';
import { parseRecords, parseHandshakeFragments, looksLikeDtlsStart } from '../../src/dtls/record.js';
import { HandshakeReassembler } from '../../src/dtls/reassembly.js';
import { decodeDtlsClientHello } from '../../src/dtls/dissector.js';
import { runDatagrams } from '../quic/helpers.js';
import { capture, HAVE_CAPTURES, udpSessions } from '../quic/pipeline.js';

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

function record(type: number, epoch: number, seq: number, body: number[] | Uint8Array, version = 0xfefd): number[] {
  return [type, ...u16(version), ...u16(epoch), 0, 0, 0, 0, ...u16(seq), ...u16(body.length), ...body];
}

function fragment(msgType: number, msgSeq: number, body: number[], off: number, len: number): number[] {
  return [msgType, ...u24(body.length), ...u16(msgSeq), ...u24(off), ...u24(len), ...body.slice(off, off + len)];
}

function ext(type: number, data: number[]): number[] {
  return [...u16(type), ...u16(data.length), ...data];
}

const host = [...Buffer.from('dtls.example')];
const sni = ext(0, [...u16(host.length + 3), 0, ...u16(host.length), ...host]);
const groups = ext(10, [0, 4, 0, 0x1d, 0, 0x17]);

function clientHello(cookie: number[], randomByte = 0x11): number[] {
  const exts = [...sni, ...groups];
  return [0xfe, 0xfd, ...new Array(32).fill(randomByte), 0, cookie.length, ...cookie, 0, 4, 0xc0, 0x2b, 0xc0, 0x2f, 1, 0, ...u16(exts.length), ...exts];
}

const serverHello = [0xfe, 0xfd, ...new Array(32).fill(0x22), 0, 0xc0, 0x2b, 0, 0, 0];
const hvr = [0xfe, 0xff, 4, 1, 2, 3, 4];
const cert = [0x30, 0x03, 0x02, 0x01, 0x05]; // not a real certificate: the DER bytes are kept as sent
const certMsg = [...u24(cert.length + 3), ...u24(cert.length), ...cert];

/** A DTLS 1.2 handshake with a cookie exchange, a ClientHello in 3 fragments (out of order, one retransmitted), then epoch 1. */
function handshake(): Array<[Dir, Uint8Array]> {
  const ch1 = clientHello([]);
  const ch2 = clientHello([1, 2, 3, 4]);
  const d = (dir: Dir, ...recs: number[][]): [Dir, Uint8Array] => [dir, Uint8Array.from(recs.flat())];
  return [
    d(0, record(22, 0, 0, fragment(1, 0, ch1, 0, ch1.length), 0xfeff)),
    d(1, record(22, 0, 0, fragment(3, 0, hvr, 0, hvr.length), 0xfeff)),
    // the second ClientHello, message_seq 1, in three fragments: last one first, then a retransmission
    d(0, record(22, 0, 1, fragment(1, 1, ch2, 60, ch2.length - 60))),
    d(0, record(22, 0, 1, fragment(1, 1, ch2, 60, ch2.length - 60))),
    d(0, record(22, 0, 2, fragment(1, 1, ch2, 0, 30)), record(22, 0, 3, fragment(1, 1, ch2, 25, 40))),
    d(1, record(22, 0, 1, fragment(2, 1, serverHello, 0, serverHello.length)), record(22, 0, 2, fragment(11, 2, certMsg, 0, certMsg.length)),
      record(22, 0, 3, fragment(14, 3, [], 0, 0))),
    d(0, record(22, 0, 4, fragment(16, 2, [0, 1, 2, 3], 0, 4)), record(20, 0, 5, [1]), record(22, 1, 0, new Array(40).fill(7))),
    d(1, record(20, 0, 4, [1]), record(22, 1, 0, new Array(40).fill(8))),
    d(0, record(23, 1, 1, new Array(30).fill(9))),
    d(1, record(23, 1, 1, new Array(50).fill(9))),
    d(0, record(21, 1, 2, new Array(26).fill(1))),
  ];
}

describe('DTLS records and fragments', () => {
  it('splits a datagram into records and a record into fragments', () => {
    const dg = Uint8Array.from([...record(22, 0, 0, fragment(2, 0, [1, 2, 3], 0, 3)), ...record(20, 0, 1, [1])]);
    const { records, trailing } = parseRecords(dg);
    expect(trailing).toBe(0);
    expect(records.map((r) => [r.contentType, r.epoch, r.fragment.length])).toEqual([[22, 0, 15], [20, 0, 1]]);
    expect(parseHandshakeFragments(records[0]!.fragment).fragments[0]).toMatchObject({ msgType: 2, length: 3, messageSeq: 0, offset: 0 });
    expect(looksLikeDtlsStart(dg)).toBe(true);
  });

  it('DTLS 1.3 unified header (RFC 9147 4): C=0, S=1, L=1', () => {
    const dg = Uint8Array.from([0x2e, 0x00, 0x05, ...u16(3), 1, 2, 3]);
    const { records } = parseRecords(dg);
    expect(records[0]).toMatchObject({ unified: true, epoch: 2, seq: 5, headerLength: 5 });
    expect(records[0]!.fragment.length).toBe(3);
  });

  it('reassembles overlapping out-of-order fragments once', () => {
    const body = Array.from({ length: 50 }, (_, i) => i);
    const r = new HandshakeReassembler();
    const frag = (off: number, len: number) => parseHandshakeFragments(Uint8Array.from(fragment(11, 3, body, off, len))).fragments[0]!;
    expect(r.add(frag(40, 10)).kind).toBe('partial');
    expect(r.add(frag(0, 20)).kind).toBe('partial');
    const done = r.add(frag(15, 30));
    expect(done.kind).toBe('complete');
    if (done.kind === 'complete') expect([...done.body]).toEqual(body);
    expect(r.add(frag(0, 20)).kind).toBe('duplicate');
  });

  it('strips the cookie from a DTLS ClientHello', () => {
    const d = decodeDtlsClientHello(Uint8Array.from(clientHello([9, 9, 9])), 0xfefd);
    expect(d.cookieLength).toBe(3);
    expect(d.value.version).toBe(0xfefd);
    expect(d.value.cipher_suites).toEqual([0xc02b, 0xc02f]);
    expect(d.value.server_name).toBe('dtls.example');
    expect(d.problems).toEqual([]);
  });
});

describe('DTLS session', () => {
  it('cookie exchange, fragmented ClientHello, certificate, CCS, epoch 1', () => {
    const { sessions, flow } = runDatagrams(handshake());
    expect(flow.clientIsA).toBe(true);
    expect(sessions).toHaveLength(1);
    const s = sessions[0]!;
    expect(s.protocol).toBe('dtls');
    expect(s.transport).toBe('udp');
    expect(s.client_hellos).toBe(2);
    expect(s.client_hello?.record_version).toBe(0xfeff); // the first ClientHello is kept
    expect(s.server_name).toBe('dtls.example');
    expect(s.version).toBe(0xfefd);
    expect(s.cipher_suite).toBe(0xc02b);
    expect(s.certificates).toHaveLength(1);
    expect(s.established).toBe(true);
    expect(s.history).toBe('CvCsxnGIFifDdQ');
    expect(s.client_hello?.ja4?.startsWith('dd2d0202')).toBe(true);
    expect(s.alerts).toHaveLength(1);
    expect(s.alerts[0]!.encrypted).toBe(true);
  });

  it('a plaintext alert in epoch 0', () => {
    const ch = clientHello([]);
    const { sessions } = runDatagrams([
      [0, Uint8Array.from(record(22, 0, 0, fragment(1, 0, ch, 0, ch.length)))],
      [1, Uint8Array.from(record(21, 0, 0, [2, 40]))],
    ]);
    expect(sessions[0]!.alerts.map((a) => a.description)).toEqual([40]);
  });

  it('hostile input never throws', () => {
    const base = handshake();
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(400), fc.integer({ min: 0, max: 255 })), { maxLength: 10 }), (muts) => {
      const dg = base.map(([d, b]) => [d, b.slice()] as [Dir, Uint8Array]);
      for (const [i, at, v] of muts) {
        const b = dg[i]![1];
        if (at < b.length) b[at] = v;
        else dg[i]![1] = b.subarray(0, at % (b.length + 1));
      }
      runDatagrams(dg);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom<Dir>(0, 1), fc.uint8Array({ maxLength: 300 })), { maxLength: 10 }), (dgrams) => {
      runDatagrams(dgrams.map(([d, b]) => [d, b.length > 0 ? Uint8Array.from([22, 0xfe, 0xfd, ...b]) : b]));
    }), { numRuns: 300 });
  });
});

describe.skipIf(!HAVE_CAPTURES)('DTLS captures', () => {
  it('zeek dtls1_0.pcap: DTLS 1.0 with a cookie exchange', async () => {
    const ss = await udpSessions(capture('zeek', 'dtls1_0.pcap'));
    expect(ss).toHaveLength(1);
    const s = ss[0]!;
    expect(s.protocol).toBe('dtls');
    expect(s.version).toBe(0xfeff);
    expect(s.client_hellos).toBe(2);
    expect(s.established).toBe(true);
    expect(s.certificates.length).toBe(1);
  });

  it('zeek dtls13-cid.pcap: DTLS 1.3 with connection ids', async () => {
    const ss = await udpSessions(capture('zeek', 'dtls13-cid.pcap'));
    expect(ss.length).toBeGreaterThan(1);
    expect(ss.every((s) => s.protocol === 'dtls')).toBe(true);
    const done = ss.filter((s) => s.version === 0xfefc);
    expect(done.length).toBeGreaterThan(0);
    expect(done.every((s) => s.established && s.certificates_encrypted)).toBe(true);
  });

  it('ja4 dtls-udp.notest.cap', async () => {
    const ss = await udpSessions(capture('ja4', 'dtls-udp.notest.cap'));
    expect(ss).toHaveLength(1);
    expect(ss[0]!.client_hello?.ja4?.startsWith('dd1')).toBe(true);
    expect(ss[0]!.established).toBe(true);
  });
});
