import { describe, expect, it } from 'vitest';
import type { TlsEvent } from '../../src/tls/types.js';
import {
  HRR_RANDOM_BYTES, cat, clientHello, ext, handshake, keyShareSH, record, run, serverHello, sslv2ClientHello, strip, kinds,
  u16, u32, vec, versionsCH, sni,
} from './build.js';
import { RFC8448_CH, RFC8448_SH } from './hello.test.js';

const hsOf = (events: TlsEvent[]) => events.filter((e): e is Extract<TlsEvent, { kind: 'handshake' }> => e.kind === 'handshake');
const codes = (events: TlsEvent[]) => events.flatMap((e) => (e.kind === 'anomaly' ? [e.anomaly.code] : []));

// constructed TLS 1.2 server flight: ServerHello, Certificate (2 certs), ServerKeyExchange (ECDHE x25519),
// ServerHelloDone in one record, then CCS and an encrypted Finished, then application data and a close alert.
const cert1 = new Uint8Array(300).fill(0x30);
const cert2 = new Uint8Array(200).fill(0x31);
const tls12ServerFlight = cat(
  record(22, 0x0303, cat(
    serverHello({ cipherSuite: 0xc02f, extensions: [ext(0xff01, Uint8Array.of(0)), ext(11, Uint8Array.of(1, 0))] }),
    handshake(11, vec(3, cat(vec(3, cert1), vec(3, cert2)))),
    handshake(12, cat([3], u16(29), vec(1, new Uint8Array(32)), u16(0x0804), vec(2, new Uint8Array(256)))),
    handshake(14, new Uint8Array(0)),
  )),
  record(20, 0x0303, Uint8Array.of(1)),
  record(22, 0x0303, new Uint8Array(40).fill(0x99)),
  record(23, 0x0303, new Uint8Array(1000).fill(0x77)),
  record(21, 0x0303, new Uint8Array(26).fill(0x55)),
);

describe('record layer', () => {
  it('TLS 1.2 server flight: messages, CCS, encryption', () => {
    const { events } = run(tls12ServerFlight);
    expect(kinds(events)).toEqual([
      'record', 'handshake', 'handshake', 'handshake', 'handshake',
      'record', 'change_cipher_spec',
      'record', 'encrypted_handshake',
      'record', 'application_data',
      'record', 'alert',
    ]);
    const hs = hsOf(events);
    expect(hs.map((h) => h.body.type)).toEqual(['server_hello', 'certificate', 'server_key_exchange', 'server_hello_done']);
    const certs = hs[1]!.body as { certs: Uint8Array[] };
    expect(certs.certs.map((c) => c.length)).toEqual([300, 200]);
    expect(hs[2]!.body).toEqual({ type: 'server_key_exchange', group: 29, length: 1 + 2 + 33 + 2 + 258 });
    expect(events.at(-1)).toMatchObject({ kind: 'alert', encrypted: true, level: null, description: null });
    expect(codes(events)).toEqual([]);
  });

  it('gives the same events whatever the chunking (every byte boundary)', () => {
    const whole = strip(run(tls12ServerFlight).events);
    for (const size of [1, 2, 3, 5, 7, 100, 333]) {
      expect(strip(run(tls12ServerFlight, size).events), `chunk ${size}`).toEqual(whole);
    }
    // split in two at every position
    for (let cut = 1; cut < tls12ServerFlight.length; cut += 1) {
      const r = runSplit(tls12ServerFlight, cut);
      expect(r, `cut ${cut}`).toEqual(whole);
    }
  });

  it('reassembles a handshake message split across records (RFC 8448 ClientHello in 3 records)', () => {
    const a = RFC8448_CH.subarray(0, 3);
    const b = RFC8448_CH.subarray(3, 100);
    const c = RFC8448_CH.subarray(100);
    const { events } = run(cat(record(22, 0x0301, a), record(22, 0x0301, b), record(22, 0x0303, c)));
    const hs = hsOf(events);
    expect(hs).toHaveLength(1);
    expect(hs[0]!.recordVersion).toBe(0x0301);
    expect(hs[0]!.body.type === 'client_hello' && hs[0]!.body.hello.server_name).toBe('server');
    expect(codes(events)).toEqual([]);
  });

  it('TLS 1.3 server: encrypted after its own ServerHello; compat CCS ignored', () => {
    const { events } = run(cat(
      record(22, 0x0303, RFC8448_SH),
      record(20, 0x0303, Uint8Array.of(1)),
      record(23, 0x0303, new Uint8Array(50)),
      record(21, 0x0303, new Uint8Array(24)),
    ));
    expect(kinds(events)).toEqual(['record', 'handshake', 'record', 'change_cipher_spec', 'record', 'application_data', 'record', 'alert']);
    expect(events.at(-1)).toMatchObject({ kind: 'alert', encrypted: true });
  });

  it('a 2-byte alert stays plaintext after the switch to encryption (no protection is 2 bytes long)', () => {
    // NSS (tls13draft16-ff52.a01.pcap, frame 8) and OpenSSL TLS 1.3 clients send unknown_ca in the clear
    const { events } = run(cat(record(22, 0x0303, RFC8448_SH), record(21, 0x0303, Uint8Array.of(2, 48))));
    expect(events.at(-1)).toMatchObject({ kind: 'alert', level: 2, description: 48, encrypted: false });
  });

  it('TLS 1.3: data after the ServerHello in the same record is an anomaly', () => {
    const { events } = run(record(22, 0x0303, cat(RFC8448_SH, handshake(8, new Uint8Array(2)))));
    expect(hsOf(events)).toHaveLength(1);
    expect(codes(events)).toEqual(['handshake_incomplete_at_key_change']);
  });

  it('HelloRetryRequest, compat CCS, then a plaintext ServerHello', () => {
    const hrr = serverHello({ random: HRR_RANDOM_BYTES, cipherSuite: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, u16(23))] });
    const sh = serverHello({ cipherSuite: 0x1301, extensions: [ext(43, u16(0x0304)), ext(51, keyShareSH(23, 65))] });
    const { events } = run(cat(record(22, 0x0303, hrr), record(20, 0x0303, Uint8Array.of(1)), record(22, 0x0303, sh), record(23, 0x0303, new Uint8Array(30))));
    const hs = hsOf(events);
    expect(hs.map((h) => h.body.type === 'server_hello' && h.body.hello.hello_retry_request)).toEqual([true, false]);
    expect(kinds(events).at(-1)).toBe('application_data');
  });

  it('TLS 1.3 client: CCS then second ClientHello stays plaintext; then encrypted', () => {
    const ch = clientHello({ cipherSuites: [0x1301], extensions: [ext(43, versionsCH([0x0304])), ext(0, sni('x.test'))] });
    const { events } = run(cat(record(22, 0x0301, ch), record(20, 0x0303, Uint8Array.of(1)), record(22, 0x0303, ch), record(23, 0x0303, new Uint8Array(60))));
    expect(hsOf(events)).toHaveLength(2);
    const { events: e2 } = run(cat(record(22, 0x0301, ch), record(20, 0x0303, Uint8Array.of(1)), record(22, 0x0303, new Uint8Array(53).fill(0xee))));
    expect(kinds(e2).at(-1)).toBe('encrypted_handshake');
  });

  it('setEncrypted() makes later records encrypted', () => {
    const r = run(record(22, 0x0303, RFC8448_CH));
    r.parser.setEncrypted();
    r.parser.push(record(21, 0x0303, new Uint8Array(26)), { ts: { sec: 0, nsec: 0 }, packetIndex: 9 });
    r.parser.push(record(22, 0x0303, new Uint8Array(40)), { ts: { sec: 0, nsec: 0 }, packetIndex: 9 });
    expect(kinds(r.events).slice(-4)).toEqual(['record', 'alert', 'record', 'encrypted_handshake']);
    expect(r.events.find((e) => e.kind === 'alert')).toMatchObject({ encrypted: true });
  });

  it('plaintext alerts', () => {
    const { events } = run(record(21, 0x0303, Uint8Array.of(2, 40)));
    expect(events[1]).toMatchObject({ kind: 'alert', level: 2, description: 40, encrypted: false });
  });

  it('heartbeat: plaintext, heartbleed mismatch, encrypted', () => {
    const ok = run(record(24, 0x0302, cat([1], u16(3), [1, 2, 3], new Uint8Array(16))));
    expect(ok.events[1]).toMatchObject({ kind: 'heartbeat', messageType: 1, payloadLength: 3, encrypted: false });
    expect(codes(ok.events)).toEqual([]);
    // Heartbleed: claims 16384 bytes in a 3-byte record (constructed like the CVE-2014-0160 probes)
    const bleed = run(record(24, 0x0302, cat([1], u16(0x4000))));
    expect(codes(bleed.events)).toEqual(['heartbeat_length_mismatch']);
    expect(bleed.events[1]).toMatchObject({ kind: 'heartbeat', payloadLength: 0x4000 });
    const enc = run(cat(record(20, 0x0302, Uint8Array.of(1)), record(24, 0x0302, new Uint8Array(40))));
    expect(enc.events.at(-1)).toMatchObject({ kind: 'heartbeat', encrypted: true, payloadLength: null });
  });

  it('violations stop the direction', () => {
    for (const [bytes, code] of [
      [Uint8Array.of(0x47, 0x45, 0x54, 0x20, 0x2f, 0x20), 'invalid_content_type'],
      [Uint8Array.of(22, 0x05, 0x01, 0, 4, 1, 2, 3, 4), 'invalid_record_version'],
      [Uint8Array.of(23, 3, 3, 0x48, 0x01), 'record_too_long'],
    ] as const) {
      const { events, parser } = run(cat(bytes, record(21, 0x0303, Uint8Array.of(2, 40))));
      expect(codes(events)).toEqual([code]);
      expect(events.at(-1)).toMatchObject({ kind: 'stopped', reason: code });
      expect(parser.stopped).toBe(true);
    }
  });

  it('accepts the largest TLS 1.2 ciphertext record (2^14 + 2048)', () => {
    const { events } = run(cat(record(20, 0x0303, Uint8Array.of(1)), record(23, 0x0303, new Uint8Array(18432))), 1000);
    expect(codes(events)).toEqual([]);
    expect(events.at(-1)).toMatchObject({ kind: 'application_data', length: 18432 });
  });

  it('gap() stops', () => {
    const { events, parser } = run(record(21, 0x0303, Uint8Array.of(1, 0)));
    parser.gap(100, { ts: { sec: 2, nsec: 0 }, packetIndex: 5 });
    parser.push(record(21, 0x0303, Uint8Array.of(1, 0)), { ts: { sec: 2, nsec: 0 }, packetIndex: 6 });
    expect(kinds(events)).toEqual(['record', 'alert', 'anomaly', 'stopped']);
  });

  it('countOnly() only walks record headers, and still reports alert records (as encrypted)', () => {
    const { events, parser } = run(new Uint8Array(0));
    parser.countOnly();
    parser.push(tls12ServerFlight, { ts: { sec: 0, nsec: 0 }, packetIndex: 0 });
    expect(kinds(events)).toEqual(['record', 'record', 'record', 'record', 'record', 'alert']);
    expect(events[5]).toMatchObject({ kind: 'alert', level: null, description: null, encrypted: true });
  });

  describe('NULL bulk cipher (RFC 5246 6.2.3.1): alerts after ChangeCipherSpec are plaintext + MAC', () => {
    // TLS_RSA_WITH_NULL_SHA256 (0x003b): a 32-byte HMAC-SHA256 follows the 2 alert bytes
    const closeNotify = record(21, 0x0303, cat(Uint8Array.of(1, 0), new Uint8Array(32).fill(0xab)));
    const at = { ts: { sec: 0, nsec: 0 }, packetIndex: 0 };
    for (const countOnly of [false, true]) {
      it(`the alert is read${countOnly ? ' in count-only mode' : ''}`, () => {
        const { events, parser } = run(record(20, 0x0303, Uint8Array.of(1)));
        parser.setPlaintextMac(32);
        if (countOnly) parser.countOnly();
        parser.push(closeNotify, at);
        const alerts = events.filter((e) => (e as { kind: string }).kind === 'alert');
        expect(alerts).toEqual([expect.objectContaining({ level: 1, description: 0, encrypted: false })]);
      });
    }
    it('without setPlaintextMac, or when the length does not fit the MAC, the alert stays encrypted', () => {
      for (const mac of [0, 20]) {
        const { events, parser } = run(record(20, 0x0303, Uint8Array.of(1)));
        parser.setPlaintextMac(mac);
        parser.push(closeNotify, at);
        const alerts = events.filter((e) => (e as { kind: string }).kind === 'alert');
        expect(alerts).toEqual([expect.objectContaining({ level: null, description: null, encrypted: true })]);
      }
    });
  });

  it('a handshake message bigger than the limit is skipped with an anomaly', () => {
    const big = handshake(11, new Uint8Array(3000));
    const { events } = run(cat(record(22, 0x0303, big.subarray(0, 1000)), record(22, 0x0303, big.subarray(1000)), record(22, 0x0303, handshake(14, new Uint8Array(0)))), 7, { maxHandshakeMessage: 1024 });
    expect(codes(events)).toEqual(['handshake_message_too_long']);
    expect(hsOf(events).map((h) => h.body.type)).toEqual(['server_hello_done']);
  });

  it('a malformed message is reported and parsing continues', () => {
    const { events } = run(record(22, 0x0303, cat(handshake(1, new Uint8Array(10)), handshake(14, new Uint8Array(0)))));
    expect(codes(events)).toEqual(['malformed_client_hello']);
    expect(hsOf(events).map((h) => h.body.type)).toEqual(['client_hello', 'server_hello_done']);
  });

  it('other messages: DHE ServerKeyExchange, CertificateStatus, NewSessionTicket, CKE, CertificateRequest', () => {
    const p = new Uint8Array(256).fill(0xff);
    p[0] = 0x00;
    p[1] = 0x80;
    const { events } = run(cat(
      record(22, 0x0303, serverHello({ cipherSuite: 0x009e })),
      record(22, 0x0303, cat(
        handshake(22, cat([1], vec(3, new Uint8Array(500).fill(0x30)))),
        handshake(12, cat(vec(2, p), vec(2, Uint8Array.of(2)), vec(2, new Uint8Array(256)), u16(0x0401), vec(2, new Uint8Array(256)))),
        handshake(13, new Uint8Array(20)),
        handshake(4, cat(u32(7200), vec(2, new Uint8Array(100)))),
        handshake(16, new Uint8Array(130)),
        handshake(15, new Uint8Array(70)),
        handshake(67, new Uint8Array(3)),
      )),
    ));
    const b = hsOf(events).map((h) => h.body);
    expect(b[1]).toMatchObject({ type: 'certificate_status', statusType: 1 });
    expect((b[1] as { ocsp: Uint8Array }).ocsp.length).toBe(500);
    expect(b[2]).toMatchObject({ type: 'server_key_exchange', dhBits: 2040 });
    expect(b[3]).toEqual({ type: 'certificate_request', length: 20 });
    expect(b[4]).toEqual({ type: 'new_session_ticket', lifetimeHint: 7200, length: 106 });
    expect(b[5]).toEqual({ type: 'client_key_exchange', length: 130 });
    expect(b[6]).toEqual({ type: 'certificate_verify', length: 70 });
    expect(b[7]).toEqual({ type: 'other', msgType: 67, length: 3 });
    expect(codes(events)).toEqual([]);
  });

  it('SSLv2 ClientHello record, then TLS records', () => {
    const v2 = sslv2ClientHello(0x0301, [0x000039, 0x00002f, 0x0700c0], new Uint8Array(32).fill(9));
    const { events } = run(cat(v2, record(20, 0x0301, Uint8Array.of(1))), 1);
    const hs = hsOf(events);
    expect(hs).toHaveLength(1);
    const h = hs[0]!.body.type === 'client_hello' ? hs[0]!.body.hello : undefined;
    expect(h).toMatchObject({ sslv2: true, version: 0x0301, cipher_suites: [0x39, 0x2f, 0x0700c0] });
    expect(events[0]).toMatchObject({ kind: 'record', contentType: 128, version: 2 });
    expect(codes(events)).toEqual(['sslv2_record']);
    expect(kinds(events).at(-1)).toBe('change_cipher_spec');
  });

  it('SSLv2 ServerHello gives an sslv2 event', () => {
    const msg = cat([4, 0, 1], u16(2), u16(0), u16(0), u16(16), new Uint8Array(16));
    const { events } = run(cat(Uint8Array.of(0x80, msg.length), msg, Uint8Array.of(0x80, 5, 1, 2, 3, 4, 5)));
    expect(events.filter((e) => e.kind === 'sslv2')).toMatchObject([{ msgType: 4, length: msg.length }]);
    expect(events.filter((e) => e.kind === 'record')).toHaveLength(2);
  });

  it('empty handshake record and a bad CCS are anomalies, not stops', () => {
    const { events, parser } = run(cat(record(22, 0x0303, new Uint8Array(0)), record(20, 0x0303, Uint8Array.of(2))));
    expect(codes(events)).toEqual(['empty_record', 'malformed_change_cipher_spec']);
    expect(parser.stopped).toBe(false);
  });

  it('24-bit lengths: a handshake header split across three records', () => {
    const msg = handshake(14, new Uint8Array(0));
    const { events } = run(cat(record(22, 0x0303, msg.subarray(0, 1)), record(22, 0x0303, msg.subarray(1, 3)), record(22, 0x0303, msg.subarray(3))));
    expect(hsOf(events).map((h) => h.body.type)).toEqual(['server_hello_done']);
  });
});

describe('memory follows the bytes that arrived, not the lengths claimed (hostile input)', () => {
  // Found by fuzzing: buffers sized from the record / handshake headers let 20,000 one-packet flows
  // claiming 16 KB records or 200 KB messages pin gigabytes. Measured on ArrayBuffer memory (no timing).
  const at = { ts: { sec: 0, nsec: 0 }, packetIndex: 0 };
  const N = 1000;
  function held(feed: Uint8Array): number {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().arrayBuffers;
    const keep = [];
    for (let i = 0; i < N; i++) {
      const r = run(new Uint8Array(0));
      r.parser.push(feed, at);
      keep.push(r.parser);
    }
    const grew = process.memoryUsage().arrayBuffers - before;
    expect(keep).toHaveLength(N);
    return grew;
  }
  it('a record header claiming 16 KB followed by a few bytes', () => {
    const hdr = Uint8Array.of(22, 3, 3, 0x40, 0x00);
    expect(held(cat(hdr, new Uint8Array(10)))).toBeLessThan(N * 2048);
  });
  it('a handshake header claiming 200 KB in a complete small record', () => {
    const msg = cat(Uint8Array.of(11, 0x03, 0x0d, 0x40), new Uint8Array(6)); // certificate, 200,000 bytes claimed
    expect(held(record(22, 0x0303, msg))).toBeLessThan(N * 2048);
  });
  it('a message that does arrive in pieces is still reassembled exactly', () => {
    const body = new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff);
    const msg = handshake(11, vec(3, vec(3, body)));
    const r = run(new Uint8Array(0));
    for (let off = 0; off < msg.length; off += 1000) r.parser.push(record(22, 0x0303, msg.subarray(off, off + 1000)), at);
    const cert = hsOf(r.events).find((h) => h.body.type === 'certificate');
    expect(codes(r.events)).toEqual([]);
    const certs = (cert?.body as { certs: Uint8Array[] } | undefined)?.certs ?? [];
    expect(certs).toHaveLength(1);
    expect(Buffer.from(certs[0]!).equals(Buffer.from(body))).toBe(true);
  });
});

function runSplit(bytes: Uint8Array, cut: number): unknown[] {
  const r = run(new Uint8Array(0));
  r.parser.push(bytes.slice(0, cut), { ts: { sec: 0, nsec: 0 }, packetIndex: 0 });
  r.parser.push(bytes.slice(cut), { ts: { sec: 0, nsec: 0 }, packetIndex: 1 });
  return strip(r.events);
}
