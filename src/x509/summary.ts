/**
 * One certificate -> CertificateJson. Never throws: a certificate that does
 * not parse yields sha256/der/length, `parse_error` and whatever could be read.
 *
 * The ASN.1 library (@peculiar/asn1-x509) reads the structure (names, serial,
 * validity, extensions, algorithms); node:crypto's X509Certificate gives key
 * details and signature verification. Either may fail on its own (node 20
 * does not know ML-DSA keys; the ASN.1 schema is stricter on some oddities),
 * and the other then fills what it can.
 */
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Certificate, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { asn1 } from './asn1.js';
import type { CertificateJson } from '../core/model.js';
import { ChainCache, mixSampled } from '../core/chain-cache.js';
import { children, isoNoMillis, readTlv, toHex } from './der.js';
import {
  CURVES_BY_NODE_NAME,
  CURVES_BY_OID,
  EKU_NAMES,
  KEY_TYPES,
  KEY_USAGE_NAMES,
  SIG_ALG_NAMES,
  lastCn,
  nameKey,
  nameToRfc4514,
} from './names.js';

const OID_SAN = '2.5.29.17';
const OID_BC = '2.5.29.19';
const OID_KU = '2.5.29.15';
const OID_EKU = '2.5.29.37';
const OID_SCT = '1.3.6.1.4.1.11129.2.4.2';
const OID_TLS_FEATURE = '1.3.6.1.5.5.7.1.24';

const CACHE_MAX = 10_000;
const cache = new Map<string, CertificateJson>();

/** Parsed node X509Certificate per SHA-256 (bounded), shared with chain.ts. */
const x509Cache = new Map<string, X509Certificate | null>();

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= CACHE_MAX) {
    const first = map.keys().next();
    if (!first.done) map.delete(first.value);
  }
  map.set(key, value);
}

export function sha256Hex(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** node's X509Certificate for a DER certificate, null when node cannot parse it (cached). */
export function nodeCertificate(der: Uint8Array, sha256?: string): X509Certificate | null {
  const key = sha256 ?? sha256Hex(der);
  const hit = x509Cache.get(key);
  if (hit !== undefined) return hit;
  let x: X509Certificate | null;
  try {
    x = new X509Certificate(der);
  } catch {
    x = null;
  }
  remember(x509Cache, key, x);
  return x;
}

/**
 * Summary of one DER certificate. Results are cached by SHA-256 (10,000
 * entries): the same object is returned for a repeated certificate, treat it
 * as read-only.
 */
export function summarizeCertificate(der: Uint8Array): CertificateJson {
  const quick = quickLookup(der);
  if (quick) return quick;
  let sha256: string;
  try {
    sha256 = sha256Hex(der);
  } catch {
    return { sha256: '', der: '', length: 0, parse_error: 'not a byte array' };
  }
  const hit = cache.get(sha256);
  if (hit) {
    quickRemember(der, hit);
    return hit;
  }
  let out: CertificateJson;
  try {
    out = summarizeUncached(der, sha256);
  } catch (e) {
    // should not happen: every step below catches; keep the promise anyway
    out = baseJson(der, sha256);
    out.parse_error = `internal: ${errText(e)}`;
  }
  remember(cache, sha256, out);
  quickRemember(der, out);
  return out;
}

/**
 * In front of the SHA-256-keyed cache: the same certificate arrives in many
 * sessions, and hashing its DER with node:crypto each time costs more than
 * the rest of the lookup. Entries are found by a cheap content key (length and
 * a sample of bytes, the tail being signature bytes) and confirmed by
 * comparing the whole DER with a private copy, so a hit is exactly a hit of
 * the SHA-256 cache. Bounded like it; cleared with it.
 */
interface QuickEntry {
  der: Buffer;
  summary: CertificateJson;
  next: QuickEntry | undefined;
}
const quick = new ChainCache<QuickEntry>(CACHE_MAX);

function quickKey(der: Uint8Array): number {
  return mixSampled(der.length | 0, der, 32, 32);
}

function asBuffer(der: Uint8Array): Buffer {
  return Buffer.isBuffer(der) ? der : Buffer.from(der.buffer, der.byteOffset, der.byteLength);
}

function quickLookup(der: Uint8Array): CertificateJson | undefined {
  if (!(der instanceof Uint8Array) || quick.size === 0) return undefined;
  const b = asBuffer(der);
  for (let e = quick.head(quickKey(der)); e; e = e.next) if (e.der.equals(b)) return e.summary;
  return undefined;
}

function quickRemember(der: Uint8Array, summary: CertificateJson): void {
  if (!(der instanceof Uint8Array)) return;
  const k = quickKey(der);
  const b = asBuffer(der);
  for (let e = quick.head(k); e; e = e.next) if (e.der.equals(b)) return;
  quick.add(k, { der: Buffer.from(b), summary, next: undefined });
}

/** Clears the summary caches (tests, long-running processes). */
export function clearCertificateCache(): void {
  cache.clear();
  quick.clear();
  x509Cache.clear();
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function baseJson(der: Uint8Array, sha256: string): CertificateJson {
  const buf = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  return {
    sha256,
    der: buf.toString('base64'),
    length: der.byteLength,
    sha1: createHash('sha1').update(der).digest('hex'),
  };
}

function summarizeUncached(der: Uint8Array, sha256: string): CertificateJson {
  const out = baseJson(der, sha256);
  const errors: string[] = [];

  const { AsnConvert, x509 } = asn1();
  let cert: Certificate | null = null;
  try {
    cert = AsnConvert.parse(der, x509.Certificate);
  } catch (e) {
    errors.push(`asn1: ${errText(e)}`);
  }
  const x = nodeCertificate(der, sha256);

  if (cert) {
    fillFromAsn1(out, cert, errors);
  } else if (x) {
    fillFromNode(out, x, errors);
  }

  // public key: node first (it knows sizes), else from the SPKI
  let key: KeyObject | null = null;
  if (x) {
    try {
      key = x.publicKey;
    } catch {
      key = null;
    }
  }
  if (!key && cert) {
    try {
      const spki = AsnConvert.serialize(cert.tbsCertificate.subjectPublicKeyInfo);
      key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
  }
  const pk = key ? keyInfoFromNode(key) : null;
  if (pk) out.public_key = pk;
  else if (cert) out.public_key = keyInfoFromSpki(cert.tbsCertificate.subjectPublicKeyInfo);

  // self-signed: names equal and the own key verifies; name equality when it cannot be verified
  if (out.subject !== undefined && out.issuer !== undefined) {
    const sameName = nameKey(out.subject) === nameKey(out.issuer);
    let verified: boolean | null = null;
    if (sameName && x) {
      try {
        verified = x.verify(x.publicKey);
      } catch {
        verified = null;
      }
    }
    out.self_signed = sameName && verified !== false;
  }

  // parse_error: nothing could read the certificate structure. Partial trouble
  // (one undecodable extension, or only node could read it) is not an error.
  if (!cert && !x) {
    errors.unshift('certificate does not parse');
    out.parse_error = errors.join('; ');
  }
  return out;
}

function fillFromAsn1(out: CertificateJson, cert: Certificate, errors: string[]): void {
  const { AsnConvert, x509 } = asn1();
  const tbs = cert.tbsCertificate;
  try {
    out.subject = nameToRfc4514(tbs.subject);
    out.subject_cn = lastCn(tbs.subject);
  } catch (e) {
    errors.push(`subject: ${errText(e)}`);
  }
  try {
    out.issuer = nameToRfc4514(tbs.issuer);
    out.issuer_cn = lastCn(tbs.issuer);
  } catch (e) {
    errors.push(`issuer: ${errText(e)}`);
  }
  try {
    out.serial = serialHex(new Uint8Array(tbs.serialNumber));
  } catch (e) {
    errors.push(`serial: ${errText(e)}`);
  }
  try {
    out.not_before = isoNoMillis(tbs.validity.notBefore.getTime());
    out.not_after = isoNoMillis(tbs.validity.notAfter.getTime());
  } catch (e) {
    errors.push(`validity: ${errText(e)}`);
  }
  const sigOid = cert.signatureAlgorithm.algorithm;
  out.signature_algorithm = SIG_ALG_NAMES[sigOid] ?? sigOid;

  out.san = { dns: [], ip: [], email: [], uri: [] };
  out.basic_constraints = null;
  for (const ext of tbs.extensions ?? []) {
    const value = new Uint8Array(ext.extnValue.buffer);
    try {
      switch (ext.extnID) {
        case OID_SAN: {
          const san = AsnConvert.parse(value, x509.SubjectAlternativeName);
          for (const gn of san) {
            if (gn.dNSName !== undefined) out.san.dns.push(gn.dNSName);
            else if (gn.iPAddress !== undefined) out.san.ip.push(gn.iPAddress);
            else if (gn.rfc822Name !== undefined) out.san.email.push(gn.rfc822Name);
            else if (gn.uniformResourceIdentifier !== undefined) out.san.uri.push(gn.uniformResourceIdentifier);
          }
          break;
        }
        case OID_BC: {
          const bc = AsnConvert.parse(value, x509.BasicConstraints);
          out.basic_constraints =
            bc.pathLenConstraint !== undefined ? { ca: !!bc.cA, path_length: bc.pathLenConstraint } : { ca: !!bc.cA };
          break;
        }
        case OID_KU:
          out.key_usage = keyUsageNames(value);
          break;
        case OID_EKU: {
          const eku = AsnConvert.parse(value, x509.ExtendedKeyUsage);
          out.extended_key_usage = eku.map((o) => EKU_NAMES[o] ?? o);
          break;
        }
        case OID_SCT:
          out.sct_count = sctCount(value);
          break;
        case OID_TLS_FEATURE:
          out.ocsp_must_staple = tlsFeatureHasStatusRequest(value);
          break;
      }
    } catch (e) {
      errors.push(`extension ${ext.extnID}: ${errText(e)}`);
    }
  }
  if (out.sct_count === undefined) out.sct_count = 0;
  if (out.ocsp_must_staple === undefined) out.ocsp_must_staple = false;
}

/** Fallback when the ASN.1 schema rejects the certificate but OpenSSL (node) reads it. */
function fillFromNode(out: CertificateJson, x: X509Certificate, errors: string[]): void {
  try {
    out.subject = nodeNameToRfc4514(x.subject);
    out.issuer = nodeNameToRfc4514(x.issuer);
    out.subject_cn = nodeLastCn(x.subject);
    out.issuer_cn = nodeLastCn(x.issuer);
    out.serial = x.serialNumber.toUpperCase();
    out.not_before = isoNoMillis(new Date(x.validFrom));
    out.not_after = isoNoMillis(new Date(x.validTo));
    const san = { dns: [] as string[], ip: [] as string[], email: [] as string[], uri: [] as string[] };
    for (const part of (x.subjectAltName ?? '').split(', ')) {
      const i = part.indexOf(':');
      if (i < 0) continue;
      const k = part.slice(0, i);
      const v = part.slice(i + 1);
      if (k === 'DNS') san.dns.push(v);
      else if (k === 'IP Address') san.ip.push(v);
      else if (k === 'email') san.email.push(v);
      else if (k === 'URI') san.uri.push(v);
    }
    out.san = san;
    out.basic_constraints = x.ca ? { ca: true } : null;
    if (x.keyUsage) out.extended_key_usage = x.keyUsage.map((o) => EKU_NAMES[o] ?? o);
  } catch (e) {
    errors.push(`node: ${errText(e)}`);
  }
}

function nodeNameToRfc4514(s: string): string {
  return s
    .split('\n')
    .filter((l) => l.length > 0)
    .reverse()
    .join(',');
}

function nodeLastCn(s: string): string | null {
  let cn: string | null = null;
  for (const l of s.split('\n')) if (l.startsWith('CN=')) cn = l.slice(3);
  return cn;
}

function serialHex(b: Uint8Array): string {
  let bytes = b;
  // drop the sign octet DER adds before a high-bit first byte (as openssl prints it)
  if (bytes.length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) !== 0) bytes = bytes.subarray(1);
  const h = toHex(bytes).toUpperCase();
  return h === '' ? '00' : h;
}

/** KeyUsage BIT STRING (extnValue) -> names, RFC 5280 4.2.1.3 bit order. */
function keyUsageNames(value: Uint8Array): string[] {
  const t = readTlv(value, 0);
  if (!t || t.tag !== 0x03 || t.end - t.start < 1) throw new Error('bad keyUsage');
  const names: string[] = [];
  for (let bit = 0; bit < KEY_USAGE_NAMES.length; bit++) {
    const byte = value[t.start + 1 + (bit >> 3)];
    if (byte === undefined) break;
    if (byte & (0x80 >> (bit & 7))) names.push(KEY_USAGE_NAMES[bit]!);
  }
  return names;
}

/**
 * SCT list extension (RFC 6962 3.3): extnValue is an OCTET STRING holding the
 * TLS-encoded SignedCertificateTimestampList (u16 length, then u16-prefixed SCTs).
 */
export function sctCount(value: Uint8Array): number {
  const t = readTlv(value, 0);
  if (!t || t.tag !== 0x04) throw new Error('bad SCT list');
  const b = value.subarray(t.start, t.end);
  if (b.length < 2) throw new Error('short SCT list');
  const total = (b[0]! << 8) | b[1]!;
  const end = Math.min(b.length, 2 + total);
  let p = 2;
  let n = 0;
  while (p + 2 <= end) {
    const len = (b[p]! << 8) | b[p + 1]!;
    p += 2 + len;
    if (p > end) break;
    n++;
  }
  return n;
}

/** TLS feature extension (RFC 7633): SEQUENCE OF INTEGER; must-staple when it holds status_request (5). */
function tlsFeatureHasStatusRequest(value: Uint8Array): boolean {
  const seq = readTlv(value, 0);
  if (!seq || seq.tag !== 0x30) throw new Error('bad TLS feature');
  for (const c of children(value, seq)) {
    if (c.tag !== 0x02) continue;
    let v = 0;
    for (let i = c.start; i < c.end; i++) v = v * 256 + value[i]!;
    if (v === 5) return true;
  }
  return false;
}

function keyInfoFromNode(key: KeyObject): CertificateJson['public_key'] | null {
  const type = key.asymmetricKeyType;
  if (!type) return null;
  const d = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
      return d.modulusLength !== undefined ? { type, bits: d.modulusLength } : { type };
    case 'ec': {
      const c = d.namedCurve ? CURVES_BY_NODE_NAME[d.namedCurve] : undefined;
      if (c) return { type, bits: c[1], curve: c[0] };
      return d.namedCurve ? { type, curve: d.namedCurve } : { type };
    }
    case 'ed25519':
    case 'x25519':
      return { type, bits: 256 };
    case 'ed448':
      return { type, bits: 456 };
    case 'x448':
      return { type, bits: 448 };
    default:
      return { type };
  }
}

function keyInfoFromSpki(spki: SubjectPublicKeyInfo): CertificateJson['public_key'] {
  const oid = spki.algorithm.algorithm;
  const type = KEY_TYPES[oid] ?? oid;
  const keyBits = new Uint8Array(spki.subjectPublicKey).byteLength * 8;
  if (type === 'ec') {
    let curveOid: string | null = null;
    const p = spki.algorithm.parameters;
    if (p) {
      const b = new Uint8Array(p);
      const t = readTlv(b, 0);
      if (t && t.tag === 0x06) curveOid = oidToString(b.subarray(t.start, t.end));
    }
    const c = curveOid ? CURVES_BY_OID[curveOid] : undefined;
    if (c) return { type, bits: c[1], curve: c[0] };
    return curveOid ? { type, curve: curveOid } : { type };
  }
  if (type === 'ed25519') return { type, bits: 256 };
  if (type === 'ed448') return { type, bits: 456 };
  if (type.startsWith('ml-dsa')) return { type, bits: keyBits };
  return { type };
}

export function oidToString(b: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}
