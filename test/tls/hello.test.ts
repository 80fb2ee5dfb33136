import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeClientHello, decodeSslv2ClientHello } from '../../src/tls/client_hello.js';
import { HRR_RANDOM, decodeServerHello } from '../../src/tls/server_hello.js';
import {
  HRR_RANDOM_BYTES, alpn, cat, clientHelloBody, ext, groups, hex, keyShareCH, keyShareSH, pointFormats, pskModes,
  serverHelloBody, sigAlgs, sni, u16, u16s, vec, versionsCH,
} from './build.js';

// RFC 8448 section 3 "Simple 1-RTT Handshake": the ClientHello handshake message (196 octets).
const RFC8448_CH = hex(`
01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83
02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01
00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00
26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69
1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01
05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01`);
// RFC 8448 section 3: the ServerHello handshake message (90 octets).
export const RFC8448_SH = hex(`
02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e
d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1
56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04`);
export { RFC8448_CH };

describe('ClientHello (RFC 8448 section 3)', () => {
  const { value: h, problems } = decodeClientHello(RFC8448_CH.subarray(4), 0x0301);
  it('decodes the fixed fields', () => {
    expect(problems).toEqual([]);
    expect(h.version).toBe(0x0303);
    expect(h.version_name).toBe('TLS 1.2');
    expect(h.record_version).toBe(0x0301);
    expect(h.random).toBe('cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7');
    expect(h.session_id).toBe('');
    expect(h.cipher_suites).toEqual([0x1301, 0x1303, 0x1302]);
    expect(h.cipher_suite_names[1]).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(h.compression_methods).toEqual([0]);
    expect(h.length).toBe(0xc0);
  });
  it('decodes every extension in wire order', () => {
    expect(h.extensions).toEqual([0, 0xff01, 10, 35, 51, 43, 13, 45, 28]);
    expect(h.server_name).toBe('server');
    expect(h.supported_groups).toEqual([29, 23, 24, 25, 256, 257, 258, 259, 260]);
    expect(h.key_shares).toEqual([{ group: 29, group_name: 'x25519', key_length: 32 }]);
    expect(h.supported_versions).toEqual([0x0304]);
    expect(h.signature_algorithms).toHaveLength(15);
    expect(h.signature_algorithms[0]).toBe(0x0403);
    expect(h.psk_key_exchange_modes).toEqual([1]);
    expect(h.session_ticket_length).toBe(0);
    expect(h.alpn).toEqual([]);
    expect(h.ec_point_formats).toEqual([]);
    expect(h.early_data).toBe(false);
    const rsl = h.extension_details.find((e) => e.type === 28)!;
    expect(rsl).toMatchObject({ name: 'record_size_limit', length: 2, value: 0x4001 });
    expect(h.extension_details.find((e) => e.type === 0xff01)!.value).toEqual({ length: 0 });
  });
  it('reports truncation at every cut as malformed, never throws', () => {
    for (let n = 0; n < RFC8448_CH.length - 4; n++) {
      const d = decodeClientHello(RFC8448_CH.subarray(4, 4 + n));
      const codes = d.problems.map((p) => p.code);
      // a cut exactly after compression methods is a valid extension-less hello
      if (n === 2 + 32 + 1 + 2 + 6 + 2) expect(codes).toEqual([]);
      else expect(codes).toContain('malformed_client_hello');
    }
  });
  it('lying lengths: cipher suites length past the end', () => {
    const b = RFC8448_CH.slice(4);
    b[35] = 0xff; // cipher_suites length high byte
    const d = decodeClientHello(b);
    expect(d.problems.map((p) => p.code)).toContain('malformed_client_hello');
    expect(d.value.random).toHaveLength(64);
  });
  it('lying extension length: marks that extension malformed, keeps others', () => {
    const body = clientHelloBody({ cipherSuites: [0x1301], extensions: [ext(10, cat(u16(9), u16s([29, 23]))), ext(0, sni('a.example'))] });
    const d = decodeClientHello(body);
    expect(d.problems.map((p) => p.code)).toEqual(['malformed_extension']);
    expect(d.value.extension_details[0]!.malformed).toBe(true);
    expect(d.value.supported_groups).toEqual([]);
    expect(d.value.server_name).toBe('a.example');
  });
});

describe('ClientHello built from a structure (round trip at an offset)', () => {
  it('decodes what was encoded', () => {
    const body = clientHelloBody({
      version: 0x0303,
      random: new Uint8Array(32).map((_, i) => i),
      sessionId: new Uint8Array(32).fill(7),
      cipherSuites: [0x2a2a, 0x1301, 0xc02b, 0x00ff],
      compression: [1, 0],
      extensions: [
        ext(0x0a0a),
        ext(0, sni('www.example.com')),
        ext(23),
        ext(10, groups([0x3a3a, 0x11ec, 29, 23])),
        ext(11, pointFormats([0])),
        ext(16, alpn(['h2', 'http/1.1'])),
        ext(43, versionsCH([0x5a5a, 0x0304, 0x0303])),
        ext(51, keyShareCH([{ group: 0x3a3a, len: 1 }, { group: 0x11ec, len: 1216 }, { group: 29, len: 32 }])),
        ext(45, pskModes([1])),
        ext(13, sigAlgs([0x0403, 0x0804, 0x0401])),
        ext(42),
        ext(0xfe0d, cat([0], u16(1), u16(1), [0x2f], vec(2, new Uint8Array(32)), vec(2, new Uint8Array(144)))),
        ext(41, cat(vec(2, cat(vec(2, new Uint8Array(5)), new Uint8Array(4))), vec(2, vec(1, new Uint8Array(32))))),
      ],
    });
    const buf = new Uint8Array(body.length + 17);
    buf.set(body, 9);
    const { value: h, problems } = decodeClientHello(buf.subarray(9, 9 + body.length));
    expect(problems).toEqual([]);
    expect(h.random).toBe(Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0')).join(''));
    expect(h.session_id).toBe('07'.repeat(32));
    expect(h.cipher_suites).toEqual([0x2a2a, 0x1301, 0xc02b, 0x00ff]);
    expect(h.cipher_suite_names[0]).toBe('GREASE');
    expect(h.compression_methods).toEqual([1, 0]);
    expect(h.extensions).toEqual([0x0a0a, 0, 23, 10, 11, 16, 43, 51, 45, 13, 42, 0xfe0d, 41]);
    expect(h.extension_details[0]).toMatchObject({ grease: true, name: 'GREASE', length: 0 });
    expect(h.server_name).toBe('www.example.com');
    expect(h.supported_groups).toEqual([0x3a3a, 0x11ec, 29, 23]);
    expect(h.alpn).toEqual(['h2', 'http/1.1']);
    expect(h.supported_versions).toEqual([0x5a5a, 0x0304, 0x0303]);
    expect(h.key_shares.map((k) => [k.group, k.key_length])).toEqual([[0x3a3a, 1], [0x11ec, 1216], [29, 32]]);
    expect(h.key_shares[1]!.group_name).toBe('X25519MLKEM768');
    expect(h.early_data).toBe(true);
    expect(h.ech).toEqual({ type: 'outer', kdf: 1, aead: 1, config_id: 0x2f, enc_length: 32, payload_length: 144 });
    expect(h.pre_shared_key).toEqual({ identities: 1, binders: 1 });
    expect(h.session_ticket_length).toBeNull();
  });
  it('an SSL 3.0 hello without an extensions block', () => {
    const d = decodeClientHello(clientHelloBody({ version: 0x0300, cipherSuites: [0x000a, 0x0005] }));
    expect(d.problems).toEqual([]);
    expect(d.value.version_name).toBe('SSL 3.0');
    expect(d.value.extensions).toEqual([]);
    expect(d.value.server_name).toBeNull();
  });
  it('keeps unknown extensions as hex capped at 256 bytes', () => {
    const d = decodeClientHello(clientHelloBody({ cipherSuites: [1], extensions: [ext(0x1234, new Uint8Array(300).fill(0xab))] }));
    const e = d.value.extension_details[0]!;
    expect(e).toMatchObject({ type: 0x1234, name: 'unknown(0x1234)', length: 300 });
    expect(e.hex).toBe('ab'.repeat(256));
  });
});

describe('SSLv2-compatible ClientHello (RFC 5246 E.2)', () => {
  it('converts cipher specs and right-justifies the challenge', () => {
    // constructed: version 3.1, specs: TLS_RSA_WITH_AES_128_CBC_SHA, SSL2_RC4_128_WITH_MD5, 16-byte challenge
    const challenge = new Uint8Array(16).fill(0xcc);
    const msg = cat([1], u16(0x0301), u16(6), u16(0), u16(16), [0, 0, 0x2f, 1, 0, 0x80], challenge);
    const d = decodeSslv2ClientHello(msg);
    expect(d.problems).toEqual([]);
    expect(d.value.sslv2).toBe(true);
    expect(d.value.version).toBe(0x0301);
    expect(d.value.cipher_suites).toEqual([0x002f, 0x010080]);
    expect(d.value.cipher_suite_names).toEqual(['TLS_RSA_WITH_AES_128_CBC_SHA', 'SSL2_RC4_128_WITH_MD5']);
    expect(d.value.random).toBe('00'.repeat(16) + 'cc'.repeat(16));
  });
  it('truncated SSLv2 hello is malformed', () => {
    const d = decodeSslv2ClientHello(cat([1], u16(2), u16(30), u16(0), u16(16)));
    expect(d.problems.map((p) => p.code)).toContain('malformed_client_hello');
  });
});

describe('ServerHello', () => {
  it('RFC 8448 section 3 ServerHello', () => {
    const { value: h, problems } = decodeServerHello(RFC8448_SH.subarray(4));
    expect(problems).toEqual([]);
    expect(h).toMatchObject({
      version: 0x0303, cipher_suite: 0x1301, cipher_suite_name: 'TLS_AES_128_GCM_SHA256', compression_method: 0,
      extensions: [51, 43], selected_version: 0x0304, key_share_group: 29, hello_retry_request: false, length: 0x56,
    });
    expect(h.random).toBe('a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928');
    expect(h.extension_details[0]!.value).toEqual({ group: 29, group_name: 'x25519', key_length: 32 });
  });
  it('the HRR random is SHA-256("HelloRetryRequest")', () => {
    expect(createHash('sha256').update('HelloRetryRequest').digest('hex')).toBe(HRR_RANDOM);
  });
  it('recognises a HelloRetryRequest and its selected group', () => {
    // constructed
    const body = serverHelloBody({
      random: HRR_RANDOM_BYTES, sessionId: new Uint8Array(32).fill(1), cipherSuite: 0x1302,
      extensions: [ext(43, u16(0x0304)), ext(51, u16(23)), ext(44, vec(2, new Uint8Array(10)))],
    });
    const { value: h, problems } = decodeServerHello(body);
    expect(problems).toEqual([]);
    expect(h.hello_retry_request).toBe(true);
    expect(h.key_share_group).toBe(23);
    expect(h.selected_version).toBe(0x0304);
    expect(h.extension_details[2]!.value).toEqual({ length: 12 });
  });
  it('TLS 1.2 ServerHello without extensions; ALPN and PSK identity', () => {
    expect(decodeServerHello(serverHelloBody({ cipherSuite: 0xc02f })).value.extensions).toEqual([]);
    const h = decodeServerHello(serverHelloBody({ cipherSuite: 0x1301, extensions: [ext(16, alpn(['h2'])), ext(41, u16(0)), ext(51, keyShareSH(0x11ec, 1120))] })).value;
    expect(h.alpn).toBe('h2');
    expect(h.pre_shared_key_identity).toBe(0);
    expect(h.key_share_group).toBe(0x11ec);
  });
  it('pre-draft-22 TLS 1.3 layout (no session id, no compression)', () => {
    // constructed: version 0x7f10 (draft 16), random, cipher suite, extensions
    const body = cat(u16(0x7f10), new Uint8Array(32).fill(5), u16(0x1303), vec(2, cat(u16(40), vec(2, keyShareSH(29, 32)))));
    const { value: h, problems } = decodeServerHello(body);
    expect(problems).toEqual([]);
    expect(h.version_name).toBe('TLS 1.3 draft 16');
    expect(h.cipher_suite).toBe(0x1303);
    expect(h.key_share_group).toBe(29);
  });
  it('truncated ServerHello: malformed with the fields read so far', () => {
    const d = decodeServerHello(RFC8448_SH.subarray(4, 4 + 40));
    expect(d.problems.map((p) => p.code)).toEqual(['malformed_server_hello']);
    expect(d.value.random).toHaveLength(64);
  });
});
