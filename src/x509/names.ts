/** OID -> name tables and RFC 4514 distinguished-name strings. */
import { asn1 } from './asn1.js';
import { readTlv } from './der.js';

/** Attribute type short names (RFC 4514 section 3 plus the usual OpenSSL ones). */
const ATTR_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '2.5.4.5': 'serialNumber',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.12': 'title',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

export const CN_OID = '2.5.4.3';

export const SIG_ALG_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.3': 'md4WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.3.14.3.2.29': 'sha1WithRSA',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '2.16.840.1.101.3.4.3.1': 'dsa_with_SHA224',
  '2.16.840.1.101.3.4.3.2': 'dsa_with_SHA256',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
  '2.16.840.1.101.3.4.3.17': 'ML-DSA-44',
  '2.16.840.1.101.3.4.3.18': 'ML-DSA-65',
  '2.16.840.1.101.3.4.3.19': 'ML-DSA-87',
  '1.2.156.10197.1.501': 'SM2-with-SM3',
};

/** SubjectPublicKeyInfo algorithm OID -> public_key.type */
export const KEY_TYPES: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa-pss',
  '1.2.840.10045.2.1': 'ec',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
  '1.3.101.110': 'x25519',
  '1.3.101.111': 'x448',
  '1.2.840.10040.4.1': 'dsa',
  '1.2.840.10046.2.1': 'dh',
  '2.16.840.1.101.3.4.3.17': 'ml-dsa-44',
  '2.16.840.1.101.3.4.3.18': 'ml-dsa-65',
  '2.16.840.1.101.3.4.3.19': 'ml-dsa-87',
};

/** Named curve OID -> [name, bits] */
export const CURVES_BY_OID: Record<string, [string, number]> = {
  '1.2.840.10045.3.1.7': ['P-256', 256],
  '1.3.132.0.34': ['P-384', 384],
  '1.3.132.0.35': ['P-521', 521],
  '1.3.132.0.33': ['P-224', 224],
  '1.2.840.10045.3.1.1': ['P-192', 192],
  '1.3.132.0.10': ['secp256k1', 256],
  '1.3.36.3.3.2.8.1.1.7': ['brainpoolP256r1', 256],
  '1.3.36.3.3.2.8.1.1.11': ['brainpoolP384r1', 384],
  '1.3.36.3.3.2.8.1.1.13': ['brainpoolP512r1', 512],
  '1.2.156.10197.1.301': ['SM2', 256],
};

/** node's namedCurve (OpenSSL short names) -> [name, bits] */
export const CURVES_BY_NODE_NAME: Record<string, [string, number]> = {
  prime256v1: ['P-256', 256],
  secp384r1: ['P-384', 384],
  secp521r1: ['P-521', 521],
  secp224r1: ['P-224', 224],
  prime192v1: ['P-192', 192],
  secp256k1: ['secp256k1', 256],
  brainpoolP256r1: ['brainpoolP256r1', 256],
  brainpoolP384r1: ['brainpoolP384r1', 384],
  brainpoolP512r1: ['brainpoolP512r1', 512],
  SM2: ['SM2', 256],
};

export const EKU_NAMES: Record<string, string> = {
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.5': 'ipsecEndSystem',
  '1.3.6.1.5.5.7.3.6': 'ipsecTunnel',
  '1.3.6.1.5.5.7.3.7': 'ipsecUser',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '1.3.6.1.5.5.7.3.17': 'ipsecIKE',
  '1.3.6.1.4.1.311.10.3.3': 'msSGC',
  '2.16.840.1.113730.4.1': 'nsSGC',
  '1.3.6.1.4.1.311.10.3.4': 'msEFS',
  '1.3.6.1.4.1.311.20.2.2': 'msSmartcardLogin',
};

/** KeyUsage bit i (RFC 5280 4.2.1.3) -> name */
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** RFC 4514 section 2.4 escaping of an attribute value string. */
export function escapeRdnValue(v: string): string {
  let out = '';
  for (const ch of v) {
    if (ch === '\\' || ch === '"' || ch === '+' || ch === ',' || ch === ';' || ch === '<' || ch === '>') {
      out += '\\' + ch;
    } else if (ch === '\u0000') {
      out += '\\00';
    } else {
      out += ch;
    }
  }
  if (out.startsWith(' ') || out.startsWith('#')) out = '\\' + out;
  if (out.length > 1 && out.endsWith(' ') && !out.endsWith('\\ ')) out = out.slice(0, -1) + '\\ ';
  return out;
}

type Atv = { type: string; value: { anyValue?: ArrayBuffer | undefined; toString(): string } };

function atvValue(atv: Atv): string {
  const av = atv.value;
  if (av.anyValue) return '#' + Buffer.from(av.anyValue).toString('hex');
  return escapeRdnValue(av.toString());
}

/** Raw (unescaped) string value of an attribute, null when not a string type. */
export function atvString(atv: Atv): string | null {
  if (atv.value.anyValue) return null;
  try {
    return atv.value.toString();
  } catch {
    return null;
  }
}

/**
 * RFC 4514 string of a parsed Name: RDNs last-to-first (most specific first),
 * multi-valued RDNs joined with '+'; unknown attribute types as dotted OIDs.
 */
export function nameToRfc4514(name: ArrayLike<ArrayLike<Atv>>): string {
  const rdns: string[] = [];
  for (let i = name.length - 1; i >= 0; i--) {
    const rdn = name[i]!;
    const parts: string[] = [];
    for (let j = 0; j < rdn.length; j++) {
      const atv = rdn[j]!;
      const t = ATTR_NAMES[atv.type] ?? atv.type;
      let v: string;
      try {
        v = atvValue(atv);
      } catch {
        v = '#';
      }
      // RFC 4514: values of types without a short name are given as #hex of the BER
      parts.push(`${t}=${v}`);
    }
    rdns.push(parts.join('+'));
  }
  return rdns.join(',');
}

/** The last CN in DER order (as the FoxIO ja4 tool reports), null when none. */
export function lastCn(name: ArrayLike<ArrayLike<Atv>>): string | null {
  let cn: string | null = null;
  for (let i = 0; i < name.length; i++) {
    const rdn = name[i]!;
    for (let j = 0; j < rdn.length; j++) {
      const atv = rdn[j]!;
      if (atv.type === CN_OID) {
        const s = atvString(atv);
        if (s !== null) cn = s;
      }
    }
  }
  return cn;
}

/**
 * OID content octets as a dotted string (X.690 8.19), or null when malformed
 * or beyond what a double holds exactly.
 */
function oidString(b: Uint8Array, start: number, end: number): string | null {
  if (end <= start) return null;
  const arcs: number[] = [];
  let v = 0;
  for (let i = start; i < end; i++) {
    const x = b[i] as number;
    if (v === 0 && x === 0x80) return null; // non-minimal encoding
    v = v * 128 + (x & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) return null;
    if ((x & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(v < 40 ? 0 : v < 80 ? 1 : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    } else if (i === end - 1) return null;
  }
  return arcs.join('.');
}

/** String types whose printable-ASCII content is the text itself: UTF8String, PrintableString, IA5String. */
const ASCII_TEXT_TAGS = new Set([0x0c, 0x13, 0x16]);

/**
 * RFC 4514 string of a DER Name by a direct walk (RFC 5280 4.1.2.4:
 * RDNSequence of SETs of AttributeTypeAndValue), for the common case where
 * every value is non-empty printable ASCII in UTF8String, PrintableString or
 * IA5String: the same text the ASN.1 library gives, about 50 times faster
 * (the ~150 Mozilla roots are indexed on every run). Undefined for anything
 * else, which then goes through the library.
 */
function fastNameToRfc4514(der: Uint8Array): string | undefined {
  const name = readTlv(der, 0);
  if (!name || name.tag !== 0x30 || name.end !== der.length) return undefined;
  const rdns: string[] = [];
  for (let p = name.start; p < name.end; ) {
    const set = readTlv(der, p, name.end);
    if (!set || set.tag !== 0x31 || set.end === set.start) return undefined;
    const parts: string[] = [];
    for (let q = set.start; q < set.end; ) {
      const atv = readTlv(der, q, set.end);
      if (!atv || atv.tag !== 0x30) return undefined;
      const oid = readTlv(der, atv.start, atv.end);
      if (!oid || oid.tag !== 0x06) return undefined;
      const val = readTlv(der, oid.end, atv.end);
      if (!val || val.end !== atv.end || !ASCII_TEXT_TAGS.has(val.tag) || val.end === val.start) return undefined;
      for (let i = val.start; i < val.end; i++) {
        const c = der[i] as number;
        if (c < 0x20 || c > 0x7e) return undefined;
      }
      const text = Buffer.from(der.buffer, der.byteOffset + val.start, val.end - val.start).toString('latin1');
      const type = oidString(der, oid.start, oid.end);
      if (type === null) return undefined;
      parts.push(`${ATTR_NAMES[type] ?? type}=${escapeRdnValue(text)}`);
      q = atv.end;
    }
    rdns.push(parts.join('+'));
    p = set.end;
  }
  // most specific first (RFC 4514 2.1)
  return rdns.reverse().join(',');
}

/** The ASN.1 library's reading of a DER Name as an RFC 4514 string (the reference for the fast path). */
export function derNameToRfc4514Slow(der: Uint8Array): string | null {
  try {
    const { AsnConvert, x509 } = asn1();
    const n = AsnConvert.parse(der, x509.Name);
    return nameToRfc4514(n);
  } catch {
    return null;
  }
}

/** Parses a DER Name and returns its RFC 4514 string, or null. */
export function derNameToRfc4514(der: Uint8Array): string | null {
  const fast = fastNameToRfc4514(der);
  return fast !== undefined ? fast : derNameToRfc4514Slow(der);
}

/** Loose comparison key for names (RFC 5280 7.1 is case-insensitive with space folding). */
export function nameKey(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ');
}
