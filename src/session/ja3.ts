/**
 * JA3 / JA3S fingerprints (salesforce/ja3), computed the way tshark reports
 * `tls.handshake.ja3_full` / `tls.handshake.ja3s_full`:
 *
 *   JA3  = SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
 *   JA3S = SSLVersion,Cipher,Extensions
 *
 * Values are decimal, joined with '-'; GREASE values (RFC 8701) are removed
 * from every list (tshark filters them in ClientHello and ServerHello alike;
 * servers do not send GREASE in a ServerHello in practice). The version is the
 * legacy (handshake) version, never supported_versions. The fingerprint is the
 * MD5 of the string, lowercase hex.
 *
 * SSLv2-format hellos (`ch.sslv2`): computed from the same fields (version as
 * decoded, cipher specs as decoded numbers, no extensions); tshark does not
 * report a JA3 for pure SSLv2 hellos, so there is no reference to match.
 */
import { createHash } from 'node:crypto';
import type { ClientHelloJson, ServerHelloJson } from '../core/model.js';
import { ChainCache, FNV_OFFSET, memo, mix } from '../core/chain-cache.js';
import { listId } from '../core/intern.js';

/** RFC 8701 GREASE: 0x?A?A with both bytes equal (0x0A0A, 0x1A1A, ... 0xFAFA). */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v & 0xff) === (v >> 8) && v <= 0xffff;
}

function join(list: readonly number[]): string {
  let out = '';
  for (const v of list) {
    if (isGrease(v)) continue;
    out += out === '' ? String(v) : `-${v}`;
  }
  return out;
}

export function md5Hex(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** The JA3 string of a ClientHello. */
export function ja3String(ch: ClientHelloJson): string {
  return [
    String(ch.version),
    join(ch.cipher_suites),
    join(ch.extensions),
    join(ch.supported_groups),
    join(ch.ec_point_formats),
  ].join(',');
}

export function ja3(ch: ClientHelloJson): { ja3: string; ja3_full: string } {
  const full = ja3String(ch);
  return { ja3: md5Hex(full), ja3_full: full };
}

/** The JA3S string of a ServerHello (legacy version, chosen cipher, extensions in wire order). */
export function ja3sString(sh: ServerHelloJson): string {
  return [String(sh.version), String(sh.cipher_suite), join(sh.extensions)].join(',');
}

/** JA3S strings repeat across sessions (one per server configuration): their MD5 per string (bounded). */
const ja3sMd5 = memo(md5Hex, 10_000);

/**
 * And the whole result per (version, cipher, shared extension list): a
 * server's ServerHellos share their frozen extension-type list (core/intern.ts),
 * so a repeat is found without building the string.
 */
interface Ja3sEntry {
  version: number;
  cipher: number;
  extensions: readonly number[];
  result: { ja3s: string; ja3s_full: string };
  next: Ja3sEntry | undefined;
}
const ja3sByList = new ChainCache<Ja3sEntry>(10_000);

export function ja3s(sh: ServerHelloJson): { ja3s: string; ja3s_full: string } {
  const id = listId(sh.extensions);
  let h = 0;
  if (id >= 0) {
    h = mix(mix(mix(FNV_OFFSET, sh.version), sh.cipher_suite), id);
    for (let e = ja3sByList.head(h); e; e = e.next) {
      if (e.version === sh.version && e.cipher === sh.cipher_suite && e.extensions === sh.extensions) return e.result;
    }
  }
  const full = ja3sString(sh);
  const result = Object.freeze({ ja3s: ja3sMd5(full), ja3s_full: full });
  if (id >= 0) ja3sByList.add(h, { version: sh.version, cipher: sh.cipher_suite, extensions: sh.extensions, result, next: undefined });
  return result;
}
