/**
 * JA4 TLS client fingerprint (FoxIO-LLC/ja4, technical_details/JA4.md; JA4 is
 * BSD-3-Clause. JA4S/JA4X/JA4T... are under another licence and are NOT
 * implemented here).
 *
 *   ja4    = a_b_c  with b = sha256(sorted ciphers)[:12], c = sha256(sorted exts minus SNI/ALPN + "_" + sigalgs)[:12]
 *   ja4_r  = the same with the lists written out instead of hashed
 *   ja4_o  = original (wire) order, SNI and ALPN kept in the extension list
 *   ja4_ro = raw form of ja4_o
 *
 * Part a: protocol ('t' TCP, 'q' QUIC, 'd' DTLS), version, 'd'/'i' (SNI present
 * or not), cipher count and extension count (2 digits, capped at 99, GREASE
 * excluded, SNI and ALPN counted), first/last character of the first ALPN value
 * ('00' when there is none).
 *
 * Edge cases, as the reference tool does them:
 * - version: the highest non-GREASE supported_versions value when that list is
 *   non-empty, else the legacy version. Mapping 0x0304 '13', 0x0303 '12',
 *   0x0302 '11', 0x0301 '10', 0x0300 's3', 0x0002 's2', 0xfeff 'd1', 0xfefd 'd2',
 *   0xfefc 'd3', anything else '00' (TLS 1.3 drafts 0x7fXX and experimental
 *   0x7eXX included: the reference tool prints '00' for them). DTLS version
 *   numbers run backwards (0xfefc is newer than 0xfefd), so the "highest"
 *   DTLS value is the numerically lowest.
 * - GREASE is dropped from ciphers, extensions, supported_versions and
 *   signature algorithms.
 * - no signature algorithms: part c is the extension list alone (no '_').
 * - an empty list hashes to '000000000000'.
 * - ALPN: when the first and last bytes of the first ALPN value are ASCII
 *   alphanumeric they are used as is; otherwise (spec rule) the first and last
 *   characters of the hex form of the whole value (0xba 0xad -> 'bd'). The
 *   reference tool v0.18 instead replaces each non-ASCII character with '9'
 *   (it gives '99' for 0xba 0xad): pass `{ alpnRule: 'ja4-0.18' }` to get that
 *   for values holding non-ASCII bytes (tlsscope's default, so its JA4 equals
 *   the tool's, which fingerprint databases are built with).
 *   ALPN strings are turned back into bytes as Latin-1 when every code unit is
 *   <= 0xff, else as UTF-8, so a decoder that keeps bytes as Latin-1 gets exact
 *   results.
 * - transport 'udp' (not known to be QUIC or DTLS): 'q' when the hello carries
 *   quic_transport_parameters (0x39 or draft 0xffa5), else 'd'.
 */
import { createHash } from 'node:crypto';
import type { ClientHelloJson } from '../core/model.js';
import { isGrease } from './ja3.js';

export type Ja4Transport = 'tcp' | 'udp' | 'quic' | 'dtls';

export interface Ja4Options {
  /** 'spec' (default): hex first/last rule for non-alphanumeric ALPN; 'ja4-0.18': non-ASCII -> '9' like the reference tool. */
  alpnRule?: 'spec' | 'ja4-0.18';
}

export interface Ja4Result {
  ja4: string;
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
}

const EXT_SNI = 0x0000;
const EXT_ALPN = 0x0010;
const EXT_QUIC_TP = 0x0039;
const EXT_QUIC_TP_DRAFT = 0xffa5;

const VERSION_CODES: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

function isDtlsVersion(v: number): boolean {
  return v >= 0xfe00 && v <= 0xfeff;
}

/** The version JA4 uses, as a number (before mapping). */
export function ja4VersionNumber(ch: ClientHelloJson): number {
  const sv = ch.supported_versions.filter((v) => !isGrease(v));
  if (sv.length === 0) return ch.version;
  let best = sv[0] as number;
  for (const v of sv) {
    if (isDtlsVersion(v) && isDtlsVersion(best)) {
      if (v < best) best = v;
    } else if (v > best) {
      best = v;
    }
  }
  return best;
}

export function ja4VersionCode(v: number): string {
  return VERSION_CODES.get(v) ?? '00';
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

/** sha256 hex truncated to 12; '000000000000' for an empty input. */
export function hash12(s: string): string {
  if (s === '') return '000000000000';
  return createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 12);
}

function alpnBytes(s: string): Uint8Array {
  let latin1 = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      latin1 = false;
      break;
    }
  }
  return latin1 ? Uint8Array.from(s, (c) => c.charCodeAt(0)) : new TextEncoder().encode(s);
}

function isAlnumByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** The two ALPN characters of part a. */
export function ja4Alpn(first: string | undefined, rule: 'spec' | 'ja4-0.18' = 'spec'): string {
  if (first === undefined || first === '') return '00';
  // the reference tool differs from the spec only for non-ASCII values; ASCII follows the spec
  // eslint-disable-next-line no-control-regex
  if (rule === 'ja4-0.18' && /[^\x00-\x7f]/.test(first)) {
    const chars = Array.from(first);
    const f = chars[0] as string;
    const l = chars[chars.length - 1] as string;
    const m = (c: string) => ((c.codePointAt(0) as number) < 0x80 ? c : '9');
    return chars.length === 1 ? `${m(f)}0` : m(f) + m(l);
  }
  const bytes = alpnBytes(first);
  const b0 = bytes[0] as number;
  const bl = bytes[bytes.length - 1] as number;
  if (isAlnumByte(b0) && isAlnumByte(bl)) return String.fromCharCode(b0) + String.fromCharCode(bl);
  const hex = Buffer.from(bytes).toString('hex');
  return (hex[0] as string) + (hex[hex.length - 1] as string);
}

function protocolChar(ch: ClientHelloJson, transport: Ja4Transport): string {
  switch (transport) {
    case 'tcp':
      return 't';
    case 'quic':
      return 'q';
    case 'dtls':
      return 'd';
    case 'udp':
      return ch.extensions.includes(EXT_QUIC_TP) || ch.extensions.includes(EXT_QUIC_TP_DRAFT) ? 'q' : 'd';
  }
}

export function ja4(ch: ClientHelloJson, transport: Ja4Transport, opts: Ja4Options = {}): Ja4Result {
  const ciphers = ch.cipher_suites.filter((v) => !isGrease(v));
  const exts = ch.extensions.filter((v) => !isGrease(v));
  const sigs = ch.signature_algorithms.filter((v) => !isGrease(v));

  const hasSni = exts.includes(EXT_SNI) || (ch.server_name !== null && ch.server_name !== '');
  const a =
    protocolChar(ch, transport) +
    ja4VersionCode(ja4VersionNumber(ch)) +
    (hasSni ? 'd' : 'i') +
    String(Math.min(99, ciphers.length)).padStart(2, '0') +
    String(Math.min(99, exts.length)).padStart(2, '0') +
    ja4Alpn(ch.alpn[0], opts.alpnRule ?? 'spec');

  const sigPart = sigs.map(hex4).join(',');
  const withSigs = (e: string) => (sigPart === '' ? e : `${e}_${sigPart}`);

  const sortedCiphers = ciphers.map(hex4).sort().join(',');
  const sortedExts = withSigs(
    exts
      .filter((v) => v !== EXT_SNI && v !== EXT_ALPN)
      .map(hex4)
      .sort()
      .join(','),
  );
  const origCiphers = ciphers.map(hex4).join(',');
  const origExts = withSigs(exts.map(hex4).join(','));

  return {
    ja4: `${a}_${hash12(sortedCiphers)}_${hash12(sortedExts)}`,
    ja4_r: `${a}_${sortedCiphers}_${sortedExts}`,
    ja4_o: `${a}_${hash12(origCiphers)}_${hash12(origExts)}`,
    ja4_ro: `${a}_${origCiphers}_${origExts}`,
  };
}
