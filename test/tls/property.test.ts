// Property tests (fast-check): the parser and the decoders never throw and always terminate, on
// random bytes and on mutations of a valid constructed handshake stream (build.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientHello, decodeSslv2ClientHello } from '../../src/tls/client_hello.js';
import { decodeCertificate, decodeServerKeyExchange } from '../../src/tls/messages.js';
import { decodeServerHello } from '../../src/tls/server_hello.js';
import { createTlsDirectionParser } from '../../src/tls/parser.js';
import type { TlsEvent } from '../../src/tls/types.js';
import { alpn, cat, clientHello, ext, groups, handshake, keyShareCH, record, serverHello, sni, strip, u16, vec, versionsCH } from './build.js';

const stream = cat(
  record(22, 0x0301, clientHello({
    cipherSuites: [0x1301, 0xc02f], extensions: [ext(0, sni('a.b')), ext(10, groups([29])), ext(16, alpn(['h2'])), ext(43, versionsCH([0x0304, 0x0303])), ext(51, keyShareCH([{ group: 29, len: 32 }]))],
  })),
  record(22, 0x0303, cat(serverHello({ cipherSuite: 0xc02f, extensions: [ext(23)] }), handshake(11, vec(3, vec(3, new Uint8Array(40)))), handshake(12, cat([3], u16(23), vec(1, new Uint8Array(65)))), handshake(14, new Uint8Array(0)))),
  record(21, 0x0303, Uint8Array.of(1, 0)),
  record(24, 0x0303, Uint8Array.of(1, 0, 5)),
  record(20, 0x0303, Uint8Array.of(1)),
  record(23, 0x0303, new Uint8Array(30)),
);

function feed(bytes: Uint8Array, cuts: number[], maxHandshakeMessage?: number): TlsEvent[] {
  const events: TlsEvent[] = [];
  const p = createTlsDirectionParser((e) => events.push(e), maxHandshakeMessage ? { maxHandshakeMessage } : undefined);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  for (const c of [...points, bytes.length]) {
    p.push(bytes.slice(prev, c), { ts: { sec: 0, nsec: 0 }, packetIndex: 0 });
    prev = c;
  }
  return events;
}

describe('never throws, always terminates', () => {
  it('random bytes into the parser', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 8 }), (b, cuts) => {
      const ev = feed(b, cuts);
      expect(ev.filter((e) => e.kind === 'stopped').length).toBeLessThanOrEqual(1);
    }), { numRuns: 400 });
  });
  it('random record-shaped input (valid headers, random bodies)', () => {
    const rec = fc.tuple(fc.integer({ min: 20, max: 24 }), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 400 }))
      .map(([t, minor, body]) => record(t, 0x0300 | minor, body));
    fc.assert(fc.property(fc.array(rec, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }), (recs, cuts) => {
      feed(cat(...recs), cuts, 512);
    }), { numRuns: 400 });
  });
  it('mutations of a valid handshake stream; chunking does not change events', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (muts, cuts) => {
        const b = stream.slice();
        for (const [i, v] of muts) b[i % b.length] = v;
        const whole = strip(feed(b, []));
        expect(strip(feed(b, cuts))).toEqual(whole);
      }), { numRuns: 500 });
  });
  it('truncations of the valid stream', () => {
    for (let n = 0; n <= stream.length; n++) feed(stream.subarray(0, n), [n >> 1]);
  });
  it('decoders on random bodies', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      decodeClientHello(b);
      decodeServerHello(b);
      decodeSslv2ClientHello(b);
      decodeCertificate(b);
      decodeServerKeyExchange(b, undefined);
      decodeServerKeyExchange(b, 0xc030);
    }), { numRuns: 1000 });
  });
});
