import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { handshakeLayout, type FieldRange } from '../../src/tls/layout.js';
import { decodeClientHello } from '../../src/tls/client_hello.js';
import {
  HRR_RANDOM_BYTES, alpn, cat, clientHello, ext, groups, handshake, keyShareCH, keyShareSH, serverHello, sni, u16, u24, u8, vec, versionsCH,
} from './build.js';

function flat(list: FieldRange[], out: FieldRange[] = []): FieldRange[] {
  for (const r of list) {
    out.push(r);
    flat(r.children, out);
  }
  return out;
}
const byPath = (list: FieldRange[], p: string): FieldRange | undefined => flat(list).find((r) => r.path === p);
function get(list: FieldRange[], p: string): FieldRange {
  const r = byPath(list, p);
  if (!r) throw new Error(`no range ${p}: ${flat(list).map((x) => x.path).join(' ')}`);
  return r;
}

/** Every range inside the buffer, children inside their parent, paths unique. */
function wellFormed(list: FieldRange[], len: number): void {
  const seen = new Set<string>();
  const walk = (rs: FieldRange[], lo: number, hi: number): void => {
    for (const r of rs) {
      expect(r.start).toBeGreaterThanOrEqual(lo);
      expect(r.end).toBeLessThanOrEqual(hi);
      expect(r.start).toBeLessThanOrEqual(r.end);
      expect(Number.isInteger(r.start) && Number.isInteger(r.end)).toBe(true);
      expect(seen.has(r.path)).toBe(false);
      seen.add(r.path);
      walk(r.children, r.start, r.end);
    }
  };
  walk(list, 0, len);
}

const CH = clientHello({
  sessionId: new Uint8Array(32).fill(0x33),
  cipherSuites: [0x0a0a, 0x1301, 0x1302, 0xc02f],
  extensions: [
    ext(0x1a1a),
    ext(0, sni('example.com')),
    ext(10, groups([0x001d, 0x0017])),
    ext(16, alpn(['h2', 'http/1.1'])),
    ext(43, versionsCH([0x0304, 0x0303])),
    ext(51, keyShareCH([{ group: 0x001d, len: 32 }])),
  ],
});

describe('handshakeLayout: ClientHello (RFC 8446 4.1.2)', () => {
  const l = handshakeLayout(1, CH);
  it('header, version, random, session id at their offsets', () => {
    expect(get(l, 'msg_type')).toMatchObject({ start: 0, end: 1 });
    expect(get(l, 'length')).toMatchObject({ start: 1, end: 4 });
    expect(get(l, 'legacy_version')).toMatchObject({ start: 4, end: 6 });
    expect(get(l, 'random')).toMatchObject({ start: 6, end: 38 });
    // length byte + 32 bytes
    expect(get(l, 'session_id')).toMatchObject({ start: 38, end: 71 });
  });
  it('cipher suites: the list and each suite', () => {
    const cs = get(l, 'cipher_suites');
    expect(cs.start).toBe(71);
    expect(cs.end).toBe(71 + 2 + 8);
    expect(cs.children.map((c) => c.path)).toEqual(['cipher_suites/0', 'cipher_suites/1', 'cipher_suites/2', 'cipher_suites/3']);
    const s3 = get(l, 'cipher_suites/3');
    expect([CH[s3.start], CH[s3.start + 1]]).toEqual([0xc0, 0x2f]);
    expect(s3.end - s3.start).toBe(2);
  });
  it('each extension range starts with its type, in wire order, with type/length/data children', () => {
    const decoded = decodeClientHello(CH.subarray(4)).value;
    const exts = get(l, 'extensions');
    expect(exts.children).toHaveLength(decoded.extensions.length);
    exts.children.forEach((e, i) => {
      expect(e.path).toBe(`extensions/${i}`);
      expect((CH[e.start]! << 8) | CH[e.start + 1]!).toBe(decoded.extensions[i]);
      const data = get(l, `extensions/${i}/data`);
      expect(data.end - data.start).toBe(decoded.extension_details[i]!.length);
      expect(data.end).toBe(e.end);
      expect(get(l, `extensions/${i}/type`)).toMatchObject({ start: e.start, end: e.start + 2 });
      expect(get(l, `extensions/${i}/length`)).toMatchObject({ start: e.start + 2, end: e.start + 4 });
    });
    expect(exts.end).toBe(CH.length);
    expect(exts.children[1]!.label).toContain('server_name');
  });
  it('is well formed, with no truncated or trailing range', () => {
    wellFormed(l, CH.length);
    expect(byPath(l, 'truncated')).toBeUndefined();
    expect(byPath(l, 'trailing')).toBeUndefined();
  });
  it('a hello without an extensions block has none', () => {
    const b = clientHello({ cipherSuites: [0x002f] });
    const x = handshakeLayout(1, b);
    expect(byPath(x, 'extensions')).toBeUndefined();
    expect(get(x, 'compression_methods').end).toBe(b.length);
  });
});

describe('handshakeLayout: ServerHello (RFC 8446 4.1.3, RFC 5246 7.4.1.3)', () => {
  it('fields and extensions', () => {
    const b = serverHello({ cipherSuite: 0x1301, sessionId: new Uint8Array(32).fill(1), extensions: [ext(43, u16(0x0304)), ext(51, keyShareSH(0x001d, 32))] });
    const l = handshakeLayout(2, b);
    expect(get(l, 'random')).toMatchObject({ start: 6, end: 38 });
    expect(get(l, 'session_id')).toMatchObject({ start: 38, end: 71 });
    expect(get(l, 'cipher_suite')).toMatchObject({ start: 71, end: 73 });
    expect([b[71], b[72]]).toEqual([0x13, 0x01]);
    expect(get(l, 'compression_method')).toMatchObject({ start: 73, end: 74 });
    expect(get(l, 'extensions/0')).toMatchObject({ start: 76, end: 76 + 4 + 2 });
    expect(get(l, 'extensions/1').end).toBe(b.length);
    wellFormed(l, b.length);
  });
  it('a HelloRetryRequest has the same layout', () => {
    const b = serverHello({ cipherSuite: 0x1302, random: HRR_RANDOM_BYTES, extensions: [ext(51, u16(0x0017))] });
    const l = handshakeLayout(2, b);
    expect(get(l, 'extensions/0/data').end - get(l, 'extensions/0/data').start).toBe(2);
  });
  it('TLS 1.3 draft < 22: no session id, no compression method', () => {
    const b = handshake(2, cat(u16(0x7f12), new Uint8Array(32), u16(0x1301), vec(2, new Uint8Array(0))));
    const l = handshakeLayout(2, b);
    expect(byPath(l, 'session_id')).toBeUndefined();
    expect(byPath(l, 'compression_method')).toBeUndefined();
    expect(get(l, 'cipher_suite')).toMatchObject({ start: 38, end: 40 });
    expect(get(l, 'extensions')).toMatchObject({ start: 40, end: 42 });
  });
});

describe('handshakeLayout: Certificate and others', () => {
  const der1 = new Uint8Array(100).fill(0x30);
  const der2 = new Uint8Array(50).fill(0x31);
  it('TLS 1.2 (RFC 5246 7.4.2): certificates/i cover each length + DER', () => {
    const b = handshake(11, vec(3, cat(vec(3, der1), vec(3, der2))));
    const l = handshakeLayout(11, b);
    expect(get(l, 'certificates')).toMatchObject({ start: 4, end: b.length });
    expect(get(l, 'certificates/0')).toMatchObject({ start: 7, end: 7 + 3 + 100 });
    expect(get(l, 'certificates/1')).toMatchObject({ start: 110, end: 110 + 3 + 50 });
    expect(byPath(l, 'certificate_request_context')).toBeUndefined();
    wellFormed(l, b.length);
  });
  it('TLS 1.3 (RFC 8446 4.4.2): context, then entries with extensions', () => {
    const b = handshake(11, cat(vec(1, new Uint8Array(0)), vec(3, cat(vec(3, der1), vec(2, new Uint8Array(0)), vec(3, der2), vec(2, u16(5))))));
    const l = handshakeLayout(11, b);
    expect(get(l, 'certificate_request_context')).toMatchObject({ start: 4, end: 5 });
    expect(get(l, 'certificates/0')).toMatchObject({ start: 8, end: 8 + 3 + 100 + 2 });
    expect(get(l, 'certificates/1/extensions').end).toBe(b.length);
    wellFormed(l, b.length);
  });
  it('other types: header and body', () => {
    const b = handshake(14, new Uint8Array(0));
    expect(handshakeLayout(14, b).map((r) => r.path)).toEqual(['msg_type', 'length']);
    const f = handshake(20, new Uint8Array(12).fill(7));
    expect(get(handshakeLayout(20, f), 'body')).toMatchObject({ start: 4, end: 16 });
  });
  it('SSLv2 CLIENT-HELLO (RFC 5246 E.2): 3-byte cipher specs, session id, challenge', () => {
    const specs = [0x010080, 0x00002f];
    const cs = cat(...specs.map((v) => Uint8Array.of(v >> 16, (v >> 8) & 0xff, v & 0xff)));
    const msg = cat(u8(1), u16(0x0301), u16(cs.length), u16(0), u16(16), cs, new Uint8Array(16).fill(9));
    const l = handshakeLayout(-1, msg);
    expect(get(l, 'legacy_version')).toMatchObject({ start: 1, end: 3 });
    expect(get(l, 'cipher_suites/0')).toMatchObject({ start: 9, end: 12 });
    expect(get(l, 'cipher_suites/1')).toMatchObject({ start: 12, end: 15 });
    expect(get(l, 'challenge')).toMatchObject({ start: 15, end: 31 });
    wellFormed(l, msg.length);
  });
});

describe('handshakeLayout: hostile input', () => {
  it('a truncated hello keeps the ranges that fit and ends with truncated', () => {
    // cipher suites end at 81, compression at 83, the GREASE extension (empty) at 89: server_name is cut
    const cut = CH.subarray(0, 90);
    const l = handshakeLayout(1, cut);
    expect(get(l, 'random')).toMatchObject({ start: 6, end: 38 });
    expect(get(l, 'cipher_suites')).toMatchObject({ start: 71, end: 81 });
    expect(get(l, 'extensions/0')).toMatchObject({ start: 85, end: 89 });
    expect(byPath(l, 'extensions/1')).toBeUndefined();
    expect(l[l.length - 1]).toMatchObject({ path: 'truncated', start: 89, end: 90 });
    wellFormed(l, 90);
    // cut inside the cipher suites: the list is not there, truncated starts at its length prefix
    const l2 = handshakeLayout(1, CH.subarray(0, 80));
    expect(byPath(l2, 'cipher_suites')).toBeUndefined();
    expect(l2[l2.length - 1]).toMatchObject({ path: 'truncated', start: 71, end: 80 });
  });
  it('an extension whose length lies stops at that extension', () => {
    const b = CH.slice();
    const e = get(handshakeLayout(1, b), 'extensions/2');
    b[e.start + 2] = 0xff; // its length now passes the end
    const l = handshakeLayout(1, b);
    expect(byPath(l, 'extensions/1')).toBeDefined();
    expect(byPath(l, 'extensions/2')).toBeUndefined();
    const t = get(l, 'truncated');
    expect(t.start).toBe(e.start);
    wellFormed(l, b.length);
  });
  it('a header length shorter than the bytes leaves trailing data', () => {
    const b = cat(handshake(20, new Uint8Array(4)), new Uint8Array(3));
    expect(get(handshakeLayout(20, b), 'trailing')).toMatchObject({ start: 8, end: 11 });
  });
  it('an empty buffer', () => {
    expect(handshakeLayout(1, new Uint8Array(0))).toEqual([{ path: 'truncated', label: expect.any(String), start: 0, end: 0, children: [] }]);
  });
  it('property: every truncation of a real hello, any type, never throws and stays inside the buffer', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: CH.length }), fc.constantFrom(1, 2, 11, -1, 20), (n, t) => {
      const b = CH.subarray(0, n);
      const l = handshakeLayout(t, b);
      wellFormed(l, n);
      if (t === 1 && n < CH.length) expect(l[l.length - 1]!.path).toBe('truncated');
    }), { numRuns: 400 });
  });
  it('property: random bytes and corrupted hellos', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(1, 2, 11, -1, 13), (b, t) => {
      wellFormed(handshakeLayout(t, b), b.length);
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.integer({ min: 0, max: CH.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(1, 2, 11), (i, v, t) => {
      const b = CH.slice();
      b[i] = v;
      wellFormed(handshakeLayout(t, b), b.length);
    }), { numRuns: 1000 });
  });
  it('a Certificate whose lengths lie', () => {
    const b = handshake(11, cat(u24(1000), u24(900), new Uint8Array(10)));
    const l = handshakeLayout(11, b);
    wellFormed(l, b.length);
    expect(l[l.length - 1]!.path).toBe('truncated');
  });
});
