import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  classifyPrefix, isClientHelloStart, isRecordHeader, isServerTlsStart, isSslv2ClientHello, scan,
} from '../../src/session/detect.js';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const hex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

// Record + handshake header of a TLS 1.2 ClientHello (made by hand: 16 0301 len | 01 len24 | 0303 ...)
const CH_START = hex('16 0301 0200 01 0001fc 0303') ;
// SSLv2-compatible ClientHello (RFC 5246 appendix E.2 layout, built by hand):
// len 0x8025 (37 bytes: 9 header + 12 cipher specs + 0 session id + 16 challenge), type 1, version 0x0301
const SSL2_CH = hex('8025 01 0301 000c 0000 0010' + '000033 000039 00002f 010080' + '00112233445566778899aabbccddeeff');

describe('ClientHello start detection', () => {
  it('accepts a TLS record carrying a ClientHello', () => {
    expect(isClientHelloStart(CH_START, 0)).toBe(true);
  });
  it('rejects other handshake types and non-handshake records', () => {
    const sh = CH_START.slice();
    sh[5] = 2;
    expect(isClientHelloStart(sh, 0)).toBe(false);
    const app = CH_START.slice();
    app[0] = 23;
    expect(isClientHelloStart(app, 0)).toBe(false);
  });
  it('rejects an impossible record length', () => {
    const big = CH_START.slice();
    big[3] = 0xff;
    big[4] = 0xff;
    expect(isClientHelloStart(big, 0)).toBe(false);
  });
  it('recognises an SSLv2-compatible ClientHello and checks its inner lengths', () => {
    expect(isSslv2ClientHello(SSL2_CH, 0)).toBe(true);
    expect(isClientHelloStart(SSL2_CH, 0)).toBe(true);
    const lying = SSL2_CH.slice();
    lying[6] = 0x0f; // cipher spec length not a multiple of 3
    expect(isSslv2ClientHello(lying, 0)).toBe(false);
  });
  it('finds a ClientHello after a STARTTLS plaintext prefix', () => {
    const prefix = enc('EHLO client.example\r\nSTARTTLS\r\n');
    const buf = new Uint8Array(prefix.length + CH_START.length);
    buf.set(prefix);
    buf.set(CH_START, prefix.length);
    expect(scan(buf, 0, isClientHelloStart)).toBe(prefix.length);
  });
  it('never throws on random input and only reports offsets inside the buffer', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const o = scan(b, 0, isClientHelloStart);
      expect(o).toBeGreaterThanOrEqual(-1);
      expect(o).toBeLessThan(b.length);
      isServerTlsStart(b, 0);
      isRecordHeader(b, 0, true);
    }));
  });
});

describe('server start and mid-stream record detection', () => {
  it('accepts a ServerHello record and a 2-byte fatal alert', () => {
    expect(isServerTlsStart(hex('16 0303 0051 02 00004d 0303'), 0)).toBe(true);
    expect(isServerTlsStart(hex('15 0303 0002 02 28'), 0)).toBe(true);
  });
  it('rejects HTTP text', () => {
    expect(isServerTlsStart(enc('HTTP/1.1 400 Bad Request\r\n'), 0)).toBe(false);
  });
  it('strict mode needs the record to end at the buffer end or a second valid header', () => {
    const one = hex('17 0303 0003 aabbcc');
    expect(isRecordHeader(one, 0, true)).toBe(true);
    const two = hex('17 0303 0001 aa 17 0303 0001 bb');
    expect(isRecordHeader(two, 0, true)).toBe(true);
    const junk = hex('17 0303 0001 aa 99 9999 9999');
    expect(isRecordHeader(junk, 0, true)).toBe(false);
  });
});

describe('plaintext prefix classification', () => {
  const cases: [string, string, string, number, Partial<ReturnType<typeof classifyPrefix>>][] = [
    ['smtp', 'EHLO me\r\nSTARTTLS\r\n', '220 mx.example ESMTP ready\r\n250 STARTTLS\r\n220 go ahead\r\n', 25, { starttls: 'smtp' }],
    ['imap', 'a001 CAPABILITY\r\na002 STARTTLS\r\n', '* OK IMAP4rev1 ready\r\n', 143, { starttls: 'imap' }],
    ['pop3', 'STLS\r\n', '+OK POP3 ready\r\n', 110, { starttls: 'pop3' }],
    ['ftp', 'AUTH TLS\r\n', '220 FTP ready\r\n234 AUTH TLS ok\r\n', 21, { starttls: 'ftp' }],
    ['xmpp', "<?xml version='1.0'?><stream:stream to='x' xmlns='jabber:client'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", '', 5222, { starttls: 'xmpp' }],
    ['irc', 'CAP LS\r\nSTARTTLS\r\n', ':irc.example NOTICE * :hello\r\n', 6667, { starttls: 'irc' }],
    ['http connect', 'CONNECT www.example.com:443 HTTP/1.1\r\nHost: www.example.com:443\r\n\r\n', 'HTTP/1.1 200 Connection established\r\n\r\n', 8080, { proxy: 'http_connect', proxyTarget: 'www.example.com:443' }],
  ];
  for (const [name, c, s, port, want] of cases) {
    it(`recognises ${name}`, () => {
      expect(classifyPrefix(enc(c), enc(s), port)).toMatchObject(want);
    });
  }
  it('recognises a PostgreSQL SSLRequest', () => {
    expect(classifyPrefix(hex('00000008 04d2162f'), enc('S'), 5432)).toMatchObject({ starttls: 'postgres' });
  });
  it('recognises SOCKS5 with a domain name target', () => {
    // greeting 05 01 00, request 05 01 00 03 len "example.org" port 443
    const name = 'example.org';
    const req = [5, 1, 0, 5, 1, 0, 3, name.length, ...Buffer.from(name), 0x01, 0xbb];
    expect(classifyPrefix(new Uint8Array(req), hex('0500 05000001 00000000 0000'), 1080)).toMatchObject({ proxy: 'socks5', proxyTarget: 'example.org:443' });
  });
  it('recognises SOCKS4 with an IPv4 target', () => {
    const req = new Uint8Array([4, 1, 0x01, 0xbb, 93, 184, 216, 34, 0]);
    expect(classifyPrefix(req, hex('005a000000000000'), 1080)).toMatchObject({ proxy: 'socks4', proxyTarget: '93.184.216.34:443' });
  });
});
