/**
 * Decoded parts shared between sessions (performance caches): cipher-suite
 * lists and repeating extensions are decoded once per distinct bytes and
 * frozen, so nothing downstream can change them for the other sessions.
 */
import { describe, expect, it } from 'vitest';
import { decodeClientHello } from '../../src/tls/client_hello.js';
import { decodeServerHello } from '../../src/tls/server_hello.js';
import { sameForm } from '../../src/tls/extensions.js';
import { RFC8448_CH, RFC8448_SH } from './hello.test.js';
import { cat, clientHelloBody, ext, u16, u32, vec } from './build.js';

describe('shared ClientHello parts', () => {
  const body = () => RFC8448_CH.slice(4); // a fresh copy each time
  it('gives the same frozen cipher-suite lists for the same bytes, equal to a fresh decoding', () => {
    const a = decodeClientHello(body()).value;
    const b = decodeClientHello(body()).value;
    expect(b.cipher_suites).toBe(a.cipher_suites);
    expect(b.cipher_suite_names).toBe(a.cipher_suite_names);
    expect(Object.isFrozen(a.cipher_suites) && Object.isFrozen(a.cipher_suite_names)).toBe(true);
    expect(a.cipher_suites).toEqual([0x1301, 0x1303, 0x1302]);
    expect(a.cipher_suite_names).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384']);
    expect(() => (a.cipher_suites as number[]).push(1)).toThrow(TypeError);
    expect(() => { (a.cipher_suite_names as string[])[0] = 'x'; }).toThrow(TypeError);
  });

  it('does not share lists between different bytes', () => {
    const other = body();
    // cipher_suites start after version(2) random(32) session_id(1+0) length(2): change the last suite
    const at = 2 + 32 + 1 + other[34]! + 2 + 5;
    other[at] = 0x01; // 0x1302 -> 0x1301
    const a = decodeClientHello(body()).value;
    const b = decodeClientHello(other).value;
    expect(b.cipher_suites).not.toBe(a.cipher_suites);
    expect(b.cipher_suites).toEqual([0x1301, 0x1303, 0x1301]);
    expect(a.cipher_suites).toEqual([0x1301, 0x1303, 0x1302]);
  });

  it('shares repeating extensions (frozen, values included) but not per-connection ones', () => {
    const a = decodeClientHello(body()).value;
    const b = decodeClientHello(body()).value;
    const byType = (h: typeof a, t: number) => h.extension_details.find((e) => e.type === t)!;
    for (const t of [10, 13, 43, 45]) {
      expect(byType(b, t)).toBe(byType(a, t));
      expect(Object.isFrozen(byType(a, t))).toBe(true);
      expect(Object.isFrozen(byType(a, t).value)).toBe(true);
    }
    expect(b.supported_groups).toBe(a.supported_groups);
    expect(() => a.supported_groups.push(1)).toThrow(TypeError);
    // a server's name repeats from connection to connection too
    expect(byType(b, 0)).toBe(byType(a, 0));
    expect(b.server_name).toBe('server');
  });

  /** Offset of the x25519 key in the key_share extension (00 33, length, client_shares length, 00 1d, 00 20). */
  const keyAt = (h: Uint8Array): number => {
    for (let i = 0; i + 10 < h.length; i++) if (h[i] === 0x00 && h[i + 1] === 0x33 && h[i + 6] === 0x00 && h[i + 7] === 0x1d) return i + 10;
    throw new Error('no key_share');
  };

  it('shares a key_share by its groups and key lengths, whatever the keys', () => {
    const a = decodeClientHello(body()).value;
    const other = body();
    const k = keyAt(other);
    for (let i = 0; i < 32; i++) other[k + i] = (other[k + i]! + 1) & 0xff; // new keys: every connection has its own
    const b = decodeClientHello(other).value;
    const ks = (h: typeof a) => h.extension_details.find((e) => e.type === 51)!;
    expect(ks(b)).toBe(ks(a));
    expect(b.key_shares).toBe(a.key_shares);
    expect(a.key_shares).toEqual([{ group: 0x1d, group_name: 'x25519', key_length: 32 }]);
    expect(Object.isFrozen(ks(a)) && Object.isFrozen(a.key_shares[0])).toBe(true);
    // another group is another key_share
    const p256 = body();
    p256[keyAt(p256) - 3] = 0x17; // group 0x001d -> 0x0017
    const c = decodeClientHello(p256).value;
    expect(ks(c)).not.toBe(ks(a));
    expect(c.key_shares).toEqual([{ group: 0x17, group_name: 'secp256r1', key_length: 32 }]);
    expect(a.key_shares[0]!.group).toBe(0x1d);
    // the ServerHello's share (one object, not a list) is kept apart from the ClientHello's
    const sh = decodeServerHello(RFC8448_SH.slice(4)).value;
    const shKs = sh.extension_details.find((e) => e.type === 51)!;
    expect(shKs).not.toBe(ks(a));
    expect(shKs.value).toEqual({ group: 0x1d, group_name: 'x25519', key_length: 32 });
    expect(decodeServerHello(RFC8448_SH.slice(4)).value.extension_details.find((e) => e.type === 51)).toBe(shKs);
  });

  it('keeps ServerHello and ClientHello decodings of one extension apart', () => {
    const sh = decodeServerHello(RFC8448_SH.slice(4)).value;
    const ch = decodeClientHello(body()).value;
    expect(sh.selected_version).toBe(0x0304);
    expect(sh.extension_details.find((e) => e.type === 43)!.value).toBe(0x0304);
    expect(ch.extension_details.find((e) => e.type === 43)!.value).toEqual([0x0304]);
  });

  it('still reports duplicate extensions', () => {
    // supported_versions (00 2b 00 03 02 03 04) twice: append a second copy to the extensions block
    const b = body();
    const extLenAt = b.length - 0x91 - 2;
    const dupe = Uint8Array.from([0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04]);
    const out = new Uint8Array(b.length + dupe.length);
    out.set(b);
    out.set(dupe, b.length);
    const len = ((b[extLenAt]! << 8) | b[extLenAt + 1]!) + dupe.length;
    out[extLenAt] = len >> 8;
    out[extLenAt + 1] = len & 0xff;
    const d = decodeClientHello(out);
    expect(d.problems.map((p) => p.code)).toContain('duplicate_extension');
    expect(d.value.supported_versions).toEqual([0x0304]);
  });
});

describe('extensions shared by their decoded form, and whole extension lists', () => {
  /** A ClientHello with a session ticket, a PSK and a GREASE extension (and its own random). */
  const ch = (o: { ticket: number; identities: number; grease?: number; random?: number }) =>
    decodeClientHello(clientHelloBody({
      random: new Uint8Array(32).fill(o.random ?? 1),
      cipherSuites: [0x1301],
      extensions: [
        ext(o.grease ?? 0x0a0a),
        ext(35, new Uint8Array(o.ticket).fill(o.random ?? 1)),
        ext(41, cat(
          vec(2, cat(...Array.from({ length: o.identities }, (_, i) => cat(vec(2, Uint8Array.of(i, o.random ?? 1)), u32(o.random ?? 1))))),
          vec(2, cat(...Array.from({ length: o.identities }, () => vec(1, new Uint8Array(32).fill(o.random ?? 1)))))),
        ),
      ],
    })).value;
  const byType = (h: ReturnType<typeof ch>, t: number) => h.extension_details.find((e) => e.type === t)!;

  it('shares a session ticket by its length and a PSK by its counts, whatever their bytes', () => {
    const a = ch({ ticket: 40, identities: 1, random: 1 });
    const b = ch({ ticket: 40, identities: 1, random: 2 });
    expect(byType(b, 35)).toBe(byType(a, 35));
    expect(byType(a, 35).value).toEqual({ length: 40 });
    expect(byType(b, 41)).toBe(byType(a, 41));
    expect(byType(a, 41).value).toEqual({ identities: 1, binders: 1 });
    expect(Object.isFrozen(byType(a, 41)) && Object.isFrozen(byType(a, 41).value)).toBe(true);
    const c = ch({ ticket: 41, identities: 2, random: 1 });
    expect(byType(c, 35)).not.toBe(byType(a, 35));
    expect(byType(c, 35).value).toEqual({ length: 41 });
    expect(byType(c, 41)).not.toBe(byType(a, 41));
    expect(byType(c, 41).value).toEqual({ identities: 2, binders: 2 });
    expect(a.session_ticket_length).toBe(40);
    expect(c.session_ticket_length).toBe(41);
  });

  it('shares GREASE extensions by their bytes', () => {
    const a = ch({ ticket: 0, identities: 1, grease: 0x1a1a });
    const b = ch({ ticket: 0, identities: 1, grease: 0x1a1a, random: 3 });
    const c = ch({ ticket: 0, identities: 1, grease: 0x2a2a });
    expect(byType(b, 0x1a1a)).toBe(byType(a, 0x1a1a));
    expect(byType(a, 0x1a1a)).toMatchObject({ type: 0x1a1a, name: 'GREASE', grease: true, length: 0 });
    expect(c.extension_details[0]).toMatchObject({ type: 0x2a2a, grease: true });
  });

  it('shares the list of extensions from its second hello on when every one of them is shared, and only then', () => {
    const a = ch({ ticket: 16, identities: 1, random: 1 });
    const b = ch({ ticket: 16, identities: 1, random: 2 });
    const b2 = ch({ ticket: 16, identities: 1, random: 3 });
    // the first hello keeps its own list (a randomised extension order makes a new one each time)
    expect(Object.isFrozen(a.extension_details)).toBe(false);
    expect(b.extension_details).not.toBe(a.extension_details);
    expect(b.extension_details).toEqual(a.extension_details);
    expect(b2.extension_details).toBe(b.extension_details);
    expect(b.extensions).toBe(a.extensions);
    expect(Object.isFrozen(b.extension_details)).toBe(true);
    expect(b.extension_details.map((e) => e.type)).toEqual([0x0a0a, 35, 41]);
    // the same types with another ticket length: another list
    ch({ ticket: 17, identities: 1 });
    const c = ch({ ticket: 17, identities: 1 });
    expect(c.extensions).toBe(a.extensions);
    expect(Object.isFrozen(c.extension_details)).toBe(true);
    expect(c.extension_details).not.toBe(b.extension_details);
    expect(c.extension_details[1]!.value).toEqual({ length: 17 });
    // an extension that is not shared (undecodable bytes kept as hex) keeps its hello's list its own
    const odd = (n: number) => decodeClientHello(clientHelloBody({ cipherSuites: [0x1301], extensions: [ext(0x7777, Uint8Array.of(n))] })).value;
    const x = odd(1);
    const y = odd(1);
    expect(x.extension_details[0]!.hex).toBe('01');
    expect(y.extension_details).not.toBe(x.extension_details);
    expect(Object.isFrozen(x.extension_details)).toBe(false);
    expect(Object.isFrozen(odd(1).extension_details)).toBe(false);
  });

  it('gives absent extensions one frozen empty list', () => {
    const h = decodeClientHello(clientHelloBody({ cipherSuites: [0x1301, 0x1302] })).value;
    for (const l of [h.alpn, h.supported_versions, h.supported_groups, h.ec_point_formats, h.signature_algorithms, h.signature_algorithms_cert, h.key_shares, h.psk_key_exchange_modes, h.extensions, h.extension_details]) {
      expect(l).toEqual([]);
      expect(Object.isFrozen(l)).toBe(true);
    }
    expect(h.alpn).toBe(h.key_shares);
    expect(h.cipher_suites).toEqual([0x1301, 0x1302]);
    // the ServerHello's lists too
    const sh = decodeServerHello(cat(u16(0x0303), new Uint8Array(32), Uint8Array.of(0), u16(0x1301), Uint8Array.of(0))).value;
    expect(sh.extensions).toEqual([]);
    expect(Object.isFrozen(sh.extension_details)).toBe(true);
  });

  it('compares decoded forms in depth (the hash leaves strings out: equality must not)', () => {
    const share = (name: string, len: number) => ({ type: 51, name: 'key_share', length: 38, value: [{ group: 29, group_name: name, key_length: len }] });
    expect(sameForm(share('x25519', 32), share('x25519', 32))).toBe(true);
    expect(sameForm(share('x25519', 32), share('X25519', 32))).toBe(false);
    expect(sameForm(share('x25519', 32), share('x25519', 33))).toBe(false);
    expect(sameForm({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameForm({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(sameForm([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameForm([1, [2]], [1, [2]])).toBe(true);
    expect(sameForm([1, [2]], [1, [3]])).toBe(false);
    expect(sameForm(true, 1)).toBe(false);
  });
});
