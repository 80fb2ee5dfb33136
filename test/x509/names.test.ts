/**
 * The direct DER walk for Names (fast path of derNameToRfc4514) gives exactly
 * what the ASN.1 library gives, or steps aside.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { derNameToRfc4514, derNameToRfc4514Slow } from '../../src/x509/names.js';
import { children, readTlv } from '../../src/x509/der.js';

/** Issuer and subject Name DER of a certificate (RFC 5280 4.1). */
function names(der: Uint8Array): Uint8Array[] {
  const tbs = children(der, readTlv(der, 0)!)[0]!;
  const kids = children(der, tbs);
  const i = kids[0]?.tag === 0xa0 ? 1 : 0;
  return [kids[i + 2]!, kids[i + 4]!].map((k) => der.subarray(k.headerStart, k.end));
}

function tlv(tag: number, content: readonly number[]): number[] {
  return [tag, content.length, ...content];
}

describe('derNameToRfc4514', () => {
  it('equals the ASN.1 library on every Mozilla root (issuer and subject)', () => {
    let n = 0;
    for (const pem of rootCertificates) {
      for (const nm of names(new X509Certificate(pem).raw)) {
        expect(derNameToRfc4514(nm)).toBe(derNameToRfc4514Slow(nm));
        n++;
      }
    }
    expect(n).toBeGreaterThan(200);
  });

  it('equals the ASN.1 library on generated Names: string types, escapes, multi-valued RDNs, unknown OIDs, junk', () => {
    const oid = fc.constantFrom([0x55, 0x04, 0x03], [0x55, 0x04, 0x0a], [0x55, 0x04, 0x06], [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01], [0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x01], [0x88, 0x37], [0x80, 0x01]);
    const text = fc.array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constantFrom(0x2c, 0x2b, 0x22, 0x5c, 0x3c, 0x3e, 0x3b, 0x3d, 0x23, 0x20, 0x00, 0xc3, 0xa9)), { minLength: 0, maxLength: 12 });
    const atv = fc.tuple(oid, fc.constantFrom(0x0c, 0x13, 0x16, 0x14, 0x1e, 0x04), text).map(([o, t, v]) => tlv(0x30, [...tlv(0x06, o), ...tlv(t, v)]));
    const rdn = fc.array(atv, { minLength: 1, maxLength: 3 }).map((a) => tlv(0x31, a.flat()));
    const name = fc.array(rdn, { minLength: 0, maxLength: 4 }).map((r) => Uint8Array.from(tlv(0x30, r.flat())));
    fc.assert(fc.property(name, (nm) => derNameToRfc4514(nm) === derNameToRfc4514Slow(nm)), { numRuns: 2000 });
    // and truncations of them
    fc.assert(fc.property(name, fc.nat(), (nm, k) => {
      const cut = nm.subarray(0, k % (nm.length + 1));
      return derNameToRfc4514(cut) === derNameToRfc4514Slow(cut);
    }), { numRuns: 500 });
  });
});
