/**
 * Decoded parts shared between sessions (performance caches): cipher-suite
 * lists and repeating extensions are decoded once per distinct bytes and
 * frozen, so nothing downstream can change them for the other sessions.
 */
import { describe, expect, it } from 'vitest';
import { decodeClientHello } from '../../src/tls/client_hello.js';
import { decodeServerHello } from '../../src/tls/server_hello.js';
import { RFC8448_CH, RFC8448_SH } from './hello.test.js';

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
