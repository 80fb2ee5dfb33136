import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ipv4ToString, ipv6ToString, Ipv4TextCache } from '../../src/decode/addr.js';
import { ip6Bytes } from './build.js';

const f6 = (s: string) => ipv6ToString(Uint8Array.from(ip6Bytes(s)), 0);

describe('address text', () => {
  it('IPv4 dotted quad', () => {
    expect(ipv4ToString(Uint8Array.from([0, 10, 0, 255, 1, 99]), 1)).toBe('10.0.255.1');
    const c = new Ipv4TextCache(2);
    const b = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9]);
    expect([c.get(b, 0), c.get(b, 4), c.get(b, 8), c.get(b, 0)]).toEqual(['1.2.3.4', '5.6.7.8', '9.9.9.9', '1.2.3.4']);
  });

  it('RFC 5952 examples', () => {
    expect(f6('2001:0db8:0000:0000:0000:0000:0002:0001')).toBe('2001:db8::2:1');
    expect(f6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // single zero group not compressed
    expect(f6('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1'); // longest run
    expect(f6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // first of equal runs
    expect(f6('::')).toBe('::');
    expect(f6('::1')).toBe('::1');
    expect(f6('fe80::')).toBe('fe80::');
    expect(f6('ABCD:EF01::')).toBe('abcd:ef01::');
    expect(f6('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
  });

  it('agrees with the WHATWG URL serializer (same rules, no mapped form)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), (groups) => {
        const b = new Uint8Array(16);
        groups.forEach((g, i) => {
          b[2 * i] = g >> 8;
          b[2 * i + 1] = g & 255;
        });
        const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
        fc.pre(!mapped);
        const ref = new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);
        expect(ipv6ToString(b, 0)).toBe(ref);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Ipv6TextMemo', () => {
  it('returns the same text as the formatter, across evictions', async () => {
    const { Ipv6TextMemo } = await import('../../src/decode/addr.js');
    const m = new Ipv6TextMemo(3);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 50 }), (ids) => {
        for (const id of ids) {
          const b = new Uint8Array(20);
          b[4 + 15] = id;
          b[4] = id & 1 ? 0x20 : 0;
          expect(m.get(b, 4)).toBe(ipv6ToString(b, 4));
        }
      }),
    );
  });
});
