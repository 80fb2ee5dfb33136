/**
 * IANA registry look-ups (names and cipher suite properties). The tables are
 * generated from data/*.csv by scripts/gen-registry.mjs. Unknown values keep
 * their number: `unknown(0x....)` (4 hex digits; 6 for SSLv2 24-bit cipher
 * specs). GREASE (RFC 8701) is a rule, not rows: values 0x?A?A with both bytes
 * equal print as 'GREASE' in every 16-bit registry.
 */
import { ALERT_LEVEL_NAMES } from './alert_levels.generated.js';
import { ALERT_NAMES } from './alerts.generated.js';
import { CERTIFICATE_COMPRESSION_NAMES } from './certificate_compression.generated.js';
import { CIPHER_SUITE_ROWS } from './cipher_suites.generated.js';
import { COMPRESSION_METHOD_NAMES } from './compression_methods.generated.js';
import { EC_POINT_FORMAT_NAMES } from './ec_point_formats.generated.js';
import { EXTENSION_NAMES } from './extensions.generated.js';
import { GROUP_NAMES } from './groups.generated.js';
import { HANDSHAKE_TYPE_NAMES } from './handshake_types.generated.js';
import { PSK_KEY_EXCHANGE_MODE_NAMES } from './psk_key_exchange_modes.generated.js';
import { SIGNATURE_SCHEME_NAMES } from './signature_schemes.generated.js';
import { VERSION_ROWS } from './versions.generated.js';

/** Properties of a cipher suite (from data/cipher_suites.csv). */
export interface CipherSuiteInfo {
  value: number;
  name: string;
  /** Key exchange: RSA, DH, DHE, ECDH, ECDHE, PSK, KRB5, SRP, ECCPWD, GOST, NULL, SCSV, or ANY (TLS 1.3: negotiated separately). */
  kx: string;
  /** Authentication: RSA, DSS, ECDSA, PSK, anon, KRB5, SRP, ... or ANY. */
  auth: string;
  /** Bulk encryption, e.g. AES_128_GCM, 3DES_EDE_CBC, RC4_128, NULL. */
  enc: string;
  /** MAC algorithm (MD5, SHA, SHA256, SHA384) or AEAD. */
  mac: string;
  forwardSecrecy: boolean;
  /** True when any weakness applies. */
  weak: boolean;
  /** Why: rc4, 3des, des, rc2, null, export, anon, md5. */
  weakReasons: string[];
  /** TLS_EMPTY_RENEGOTIATION_INFO_SCSV or TLS_FALLBACK_SCSV: a signal, not a suite. */
  scsv: boolean;
}

const CIPHER_SUITES = new Map<number, CipherSuiteInfo>();
for (const [value, name, kx, auth, enc, mac, fs, weak] of CIPHER_SUITE_ROWS) {
  const reasons = weak === '' ? [] : weak.split(';');
  CIPHER_SUITES.set(value, {
    value, name, kx, auth, enc, mac, forwardSecrecy: fs, weak: reasons.length > 0, weakReasons: reasons, scsv: kx === 'SCSV',
  });
}

const VERSION_NAMES = new Map<number, string>();
const TLS13_VERSIONS = new Set<number>();
for (const [v, name, is13] of VERSION_ROWS) {
  VERSION_NAMES.set(v, name);
  if (is13) TLS13_VERSIONS.add(v);
}

/** `unknown(0x....)`: 4 hex digits (6 above 0xffff). */
export function unknownName(n: number): string {
  const v = Number.isFinite(n) ? Math.max(0, Math.trunc(n)) : 0;
  return `unknown(0x${v.toString(16).padStart(v > 0xffff ? 6 : 4, '0')})`;
}

/** RFC 8701 GREASE: 0x0A0A, 0x1A1A, ... 0xFAFA (both bytes equal, low nibbles 0xA). */
export function isGrease(n: number): boolean {
  return (n & 0xffff) === n && (n & 0x0f0f) === 0x0a0a && n >> 8 === (n & 0xff);
}

function look(map: ReadonlyMap<number, string>, n: number, grease = true): string {
  const s = map.get(n);
  if (s !== undefined) return s;
  if (grease && isGrease(n)) return 'GREASE';
  return unknownName(n);
}

export function cipherSuiteName(n: number): string {
  const i = CIPHER_SUITES.get(n);
  if (i) return i.name;
  return isGrease(n) ? 'GREASE' : unknownName(n);
}
/** Properties of a cipher suite, or undefined when the value is not in the registry. */
export function cipherSuiteInfo(n: number): CipherSuiteInfo | undefined {
  return CIPHER_SUITES.get(n);
}

const MAC_LENGTHS: Readonly<Record<string, number>> = { MD5: 16, SHA: 20, SHA256: 32, SHA384: 48 };

/**
 * MAC length of a TLS <= 1.2 cipher suite whose bulk cipher is NULL (records
 * after ChangeCipherSpec are the plaintext followed by the MAC, RFC 5246
 * 6.2.3.1), else 0. TLS 1.3's integrity-only suites (RFC 9150) keep the
 * TLSInnerPlaintext framing and are not meant here.
 */
export function nullCipherMacLength(n: number): number {
  const i = CIPHER_SUITES.get(n);
  if (i === undefined || i.enc !== 'NULL' || i.scsv || i.kx === 'ANY') return 0;
  return MAC_LENGTHS[i.mac] ?? 0;
}
export const extensionName = (n: number): string => look(EXTENSION_NAMES, n);
export const groupName = (n: number): string => look(GROUP_NAMES, n);
export const signatureSchemeName = (n: number): string => look(SIGNATURE_SCHEME_NAMES, n);
export const alertName = (n: number): string => look(ALERT_NAMES, n, false);
export const alertLevelName = (n: number): string => look(ALERT_LEVEL_NAMES, n, false);
export const handshakeTypeName = (n: number): string => look(HANDSHAKE_TYPE_NAMES, n, false);
export const versionName = (n: number): string => look(VERSION_NAMES, n);
export const ecPointFormatName = (n: number): string => look(EC_POINT_FORMAT_NAMES, n, false);
export const compressionMethodName = (n: number): string => look(COMPRESSION_METHOD_NAMES, n, false);
export const pskKeyExchangeModeName = (n: number): string => look(PSK_KEY_EXCHANGE_MODE_NAMES, n);
export const certificateCompressionName = (n: number): string => look(CERTIFICATE_COMPRESSION_NAMES, n);

/** TLS 1.3 or one of its drafts / experiment values (0x7fxx, 0x7e01-0x7e03, 0xfb17, 0xfb1a), or DTLS 1.3. */
export function isTls13Version(n: number): boolean {
  return TLS13_VERSIONS.has(n) || (n >= 0x7f00 && n <= 0x7fff);
}
