/** TLS 1.3 record decryption (RFC 8446 5.2, 7.1, 7.3) against RFC 8448 section 3, and key log parsing. */
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hkdfExpandLabel, RecordOpener, trafficKeys } from '../../src/tls/decrypt.js';
import { DSB_TLS_KEYLOG_TYPE, KeyLog } from '../../src/tls/keylog.js';
import { createTlsDirectionParser } from '../../src/tls/parser.js';
import type { TlsEvent } from '../../src/tls/types.js';

const hx = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// RFC 8448 section 3 (Simple 1-RTT Handshake, TLS_AES_128_GCM_SHA256)
const SERVER_HS_SECRET = 'b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38';
const CLIENT_HS_SECRET = 'b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21';
const HANDSHAKE_SECRET = '1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac';
const HELLO_HASH = '860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8';
/** {client} Finished, protected with the client handshake keys (sequence 0). */
const CLIENT_FINISHED_RECORD = '170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546';
const CLIENT_FINISHED = '14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61';

/** Seal a TLSInnerPlaintext as a record (test helper, the reverse of RecordOpener). */
function seal(aead: string, key: Uint8Array, iv: Uint8Array, seq: number, type: number, content: Uint8Array, pad = 0): Uint8Array {
  const inner = Buffer.concat([Buffer.from(content), Buffer.from([type]), Buffer.alloc(pad)]);
  const len = inner.length + 16;
  const header = Buffer.from([23, 3, 3, len >> 8, len & 0xff]);
  const nonce = Buffer.from(iv);
  const sb = Buffer.alloc(8);
  sb.writeBigUInt64BE(BigInt(seq));
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= sb[i]!;
  const c = createCipheriv(aead as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  c.setAAD(header, { plaintextLength: inner.length });
  const body = Buffer.concat([c.update(inner), c.final(), c.getAuthTag()]);
  return new Uint8Array(Buffer.concat([header, body]));
}

describe('HKDF-Expand-Label (RFC 8446 7.1) with RFC 8448 section 3 values', () => {
  it('derives the server and client handshake write keys and IVs', () => {
    const s = trafficKeys(0x1301, hx(SERVER_HS_SECRET))!;
    expect(toHex(s.key)).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(toHex(s.iv)).toBe('5d313eb2671276ee13000b30');
    const c = trafficKeys(0x1301, hx(CLIENT_HS_SECRET))!;
    expect(toHex(c.key)).toBe('dbfaa693d1762c5b666af5d950258d01');
    expect(toHex(c.iv)).toBe('5bd3c71b836e0b76bb73265f');
  });

  it('derives the handshake traffic secrets with a transcript-hash context', () => {
    expect(toHex(hkdfExpandLabel('sha256', hx(HANDSHAKE_SECRET), 's hs traffic', hx(HELLO_HASH), 32))).toBe(SERVER_HS_SECRET);
    expect(toHex(hkdfExpandLabel('sha256', hx(HANDSHAKE_SECRET), 'c hs traffic', hx(HELLO_HASH), 32))).toBe(CLIENT_HS_SECRET);
  });

  it('knows which suites it can open (SHA-384 for 0x1302, 32-byte keys)', () => {
    expect(trafficKeys(0x1302, new Uint8Array(48))?.key.length).toBe(32);
    expect(trafficKeys(0x1303, new Uint8Array(32))?.aead).toBe('chacha20-poly1305');
    expect(trafficKeys(0xc02f, new Uint8Array(32))).toBeUndefined();
  });
});

describe('RecordOpener (RFC 8446 5.2, 5.3)', () => {
  it('opens the RFC 8448 client Finished record', () => {
    const rec = hx(CLIENT_FINISHED_RECORD);
    const o = new RecordOpener(trafficKeys(0x1301, hx(CLIENT_HS_SECRET))!);
    const r = o.open(rec.subarray(0, 5), rec.subarray(5));
    expect(r?.contentType).toBe(22);
    expect(toHex(r!.content)).toBe(CLIENT_FINISHED);
    expect(o.seq).toBe(1);
  });

  it('fails on a wrong key or a damaged record, without advancing the sequence number', () => {
    const rec = hx(CLIENT_FINISHED_RECORD);
    const wrong = new RecordOpener(trafficKeys(0x1301, hx(SERVER_HS_SECRET))!);
    expect(wrong.open(rec.subarray(0, 5), rec.subarray(5))).toBeUndefined();
    expect(wrong.seq).toBe(0);
    const bad = rec.slice();
    bad[20]! ^= 1;
    expect(new RecordOpener(trafficKeys(0x1301, hx(CLIENT_HS_SECRET))!).open(bad.subarray(0, 5), bad.subarray(5))).toBeUndefined();
  });

  for (const suite of [0x1301, 0x1302, 0x1303]) {
    it(`opens consecutive records with padding, suite 0x${suite.toString(16)}`, () => {
      const secret = new Uint8Array(suite === 0x1302 ? 48 : 32).fill(7);
      const k = trafficKeys(suite, secret)!;
      const o = new RecordOpener(k);
      for (let seq = 0; seq < 3; seq++) {
        const rec = seal(k.aead, k.key, k.iv, seq, seq === 2 ? 21 : 22, new Uint8Array([seq, 1, 2, 3]), seq * 5);
        const r = o.open(rec.subarray(0, 5), rec.subarray(5));
        expect(r?.contentType).toBe(seq === 2 ? 21 : 22);
        expect([...r!.content]).toEqual([seq, 1, 2, 3]);
      }
    });
  }
});

describe('parser decryption hook', () => {
  it('parses decrypted handshake messages and alerts, and stops at Finished', () => {
    const k = trafficKeys(0x1301, new Uint8Array(32).fill(9))!;
    const ee = hx('08 00000b 0009 0010 0005 0003 026832');
    const fin = hx('14000020' + '11'.repeat(32));
    const events: TlsEvent[] = [];
    const p = createTlsDirectionParser((e) => events.push(e));
    const o = new RecordOpener(k);
    p.setDecryptor({ open: (h, b) => o.open(h, b) });
    const at = { ts: { sec: 1, nsec: 0 }, packetIndex: 0 };
    // EncryptedExtensions split over two records, then Finished, then an app-key record (not opened)
    p.push(seal(k.aead, k.key, k.iv, 0, 22, ee.subarray(0, 6)), at);
    p.push(seal(k.aead, k.key, k.iv, 1, 22, new Uint8Array([...ee.subarray(6), ...fin])), at);
    p.push(seal(k.aead, k.key, k.iv, 0, 23, new Uint8Array(10)), at);
    const hs = events.filter((e) => e.kind === 'handshake');
    expect(hs.map((e) => e.kind === 'handshake' && e.body.type)).toEqual(['encrypted_extensions', 'finished']);
    const eeBody = hs[0]!.kind === 'handshake' ? hs[0]!.body : undefined;
    expect(eeBody?.type === 'encrypted_extensions' && eeBody.alpn).toBe('h2');
    expect(events.filter((e) => e.kind === 'decrypted')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'application_data')).toHaveLength(1);
    expect(events.some((e) => e.kind === 'anomaly')).toBe(false);
  });

  it('reports tls_decrypt_failed once and falls back to length-only records', () => {
    const k = trafficKeys(0x1301, new Uint8Array(32).fill(9))!;
    const other = new RecordOpener(trafficKeys(0x1301, new Uint8Array(32).fill(8))!);
    const events: TlsEvent[] = [];
    const p = createTlsDirectionParser((e) => events.push(e));
    p.setDecryptor({ open: (h, b) => other.open(h, b) });
    const at = { ts: { sec: 1, nsec: 0 }, packetIndex: 0 };
    p.push(seal(k.aead, k.key, k.iv, 0, 22, new Uint8Array(40)), at);
    p.push(seal(k.aead, k.key, k.iv, 1, 22, new Uint8Array(40)), at);
    expect(events.filter((e) => e.kind === 'anomaly').map((e) => e.kind === 'anomaly' && e.anomaly.code)).toEqual(['tls_decrypt_failed']);
    expect(events.filter((e) => e.kind === 'application_data')).toHaveLength(2);
  });
});

describe('KeyLog (NSS key log format)', () => {
  const cr = 'AB'.repeat(32);
  it('keeps TLS 1.3 and TLS 1.2 labels, skips comments, counts bad lines', () => {
    const k = new KeyLog();
    const st = k.addText([
      '# SSL/TLS secrets log file, generated by NSS',
      '',
      `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${cr} ${'01'.repeat(32)}`,
      `SERVER_HANDSHAKE_TRAFFIC_SECRET ${cr} ${'02'.repeat(48)}\r`,
      `CLIENT_TRAFFIC_SECRET_0 ${cr} ${'03'.repeat(32)}`,
      `SERVER_TRAFFIC_SECRET_0 ${cr} ${'04'.repeat(32)}`,
      `CLIENT_RANDOM ${'cd'.repeat(32)} ${'05'.repeat(48)}`,
      `RSA ${'ef'.repeat(8)} ${'06'.repeat(48)}`,
      `UNKNOWN_LABEL ${cr} ${'07'.repeat(32)}`,
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET tooshort 0101',
      `SERVER_HANDSHAKE_TRAFFIC_SECRET ${cr} zz${'02'.repeat(31)}`,
      'just garbage',
    ].join('\n'));
    expect(st).toEqual({ secrets: 5, bad: 4, ignored: 1 });
    const e = k.get(cr.toLowerCase())!;
    expect(toHex(e.CLIENT_HANDSHAKE_TRAFFIC_SECRET!)).toBe('01'.repeat(32));
    expect(e.SERVER_HANDSHAKE_TRAFFIC_SECRET!.length).toBe(48);
    expect(e.CLIENT_TRAFFIC_SECRET_0).toBeDefined();
    expect(e.SERVER_TRAFFIC_SECRET_0).toBeDefined();
    expect(k.get('CD'.repeat(32))?.CLIENT_RANDOM?.length).toBe(48);
    expect(k.size).toBe(2);
  });

  it('reads Decryption Secrets Blocks of the TLS key log type only', () => {
    const k = new KeyLog();
    const text = new Uint8Array(Buffer.from(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${cr} ${'01'.repeat(32)}\n`));
    expect(k.addSecret({ type: 0x57474b4c, data: text })).toBeUndefined(); // WireGuard key log
    expect(k.addSecret({ type: DSB_TLS_KEYLOG_TYPE, data: text })?.secrets).toBe(1);
    expect(k.size).toBe(1);
  });

  it('is bounded: the oldest client randoms are dropped', () => {
    const k = new KeyLog(3);
    for (let i = 0; i < 5; i++) k.addText(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${i.toString(16).padStart(64, '0')} ${'01'.repeat(32)}`);
    expect(k.size).toBe(3);
    expect(k.get('0'.repeat(64))).toBeUndefined();
    expect(k.get('4'.padStart(64, '0'))).toBeDefined();
  });
});
