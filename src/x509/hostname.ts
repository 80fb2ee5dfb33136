/**
 * RFC 6125 server identity check of a certificate summary against a name.
 *
 * Rules:
 * - IP literals (IPv4, IPv6, optionally in [brackets]) match only iPAddress SANs
 *   (compared as addresses, so ::1 == 0:0:0:0:0:0:0:1); never the CN.
 * - DNS names match dNSName SANs; the subject CN is consulted only when the
 *   certificate has no dNSName SAN at all (RFC 6125 6.4.4). The last CN in DER
 *   order is used (the one summaries report).
 * - Case-insensitive; one trailing dot on either side is ignored; IDN A-labels
 *   (xn--) are compared as they are, no Unicode mapping.
 * - Wildcards: only as the whole left-most label ("*.example.com"), matching
 *   exactly one non-empty label. Partial wildcards ("f*.example.com",
 *   "*oo.example.com") are REJECTED (RFC 6125 6.4.3 allows them as a MAY; the
 *   CA/B Forum baseline requirements and browsers do not). A wildcard needs at
 *   least two labels after it, so "*.com" and "*.test" never match. Public
 *   suffixes with two labels (*.co.uk) cannot be told apart without the Public
 *   Suffix List and are accepted.
 * - A wildcard does not match an IP literal.
 */
import { isIP } from 'node:net';
import type { CertificateJson } from '../core/model.js';

export function matchesHostname(cert: CertificateJson, name: string): boolean {
  try {
    return matches(cert, name);
  } catch {
    return false;
  }
}

function matches(cert: CertificateJson, name: string): boolean {
  if (typeof name !== 'string') return false;
  let host = name.trim();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') return false;

  const ipKind = isIP(host);
  if (ipKind !== 0) {
    const want = normalizeIp(host);
    if (want === null) return false;
    return (cert.san?.ip ?? []).some((ip) => normalizeIp(ip) === want);
  }

  const h = normalizeDns(host);
  if (h === null) return false;
  const dns = cert.san?.dns ?? [];
  if (dns.length > 0) return dns.some((p) => matchPattern(p, h));
  const cn = cert.subject_cn;
  if (typeof cn === 'string' && cn !== '') return matchPattern(cn, h);
  return false;
}

function normalizeDns(s: string): string | null {
  let n = s.toLowerCase();
  if (n.endsWith('.')) n = n.slice(0, -1);
  if (n === '' || n.startsWith('.') || n.includes('..')) return null;
  return n;
}

/** pattern: a dNSName or CN from the certificate; host: normalized. */
function matchPattern(pattern: string, host: string): boolean {
  const p = normalizeDns(pattern);
  if (p === null) return false;
  if (!p.includes('*')) return p === host;

  const pl = p.split('.');
  const hl = host.split('.');
  // only a whole left-most '*' label, no other '*' anywhere
  if (pl[0] !== '*') return false;
  if (pl.slice(1).some((l) => l.includes('*'))) return false;
  // '*.com', '*.test': refuse wildcards over a single label
  if (pl.length < 3) return false;
  if (hl.length !== pl.length) return false;
  if (hl[0] === '') return false;
  if (isIP(host) !== 0) return false;
  for (let i = 1; i < pl.length; i++) if (pl[i] !== hl[i]) return false;
  return true;
}

/** Canonical text of an IP address (IPv6 expanded to 8 lowercase groups), null when not an IP. */
export function normalizeIp(s: string): string | null {
  let ip = s.trim();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const kind = isIP(ip);
  if (kind === 4) return ip.split('.').map((x) => String(Number(x))).join('.');
  if (kind !== 6) return null;
  ip = ip.toLowerCase();
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  // embedded IPv4 tail
  const m = ip.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (m) {
    const v4 = m[2]!.split('.').map(Number);
    ip = m[1]! + ((v4[0]! << 8) | v4[1]!).toString(16) + ':' + ((v4[2]! << 8) | v4[3]!).toString(16);
  }
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail !== undefined ? 8 - left.length - right.length : 0;
  if (fill < 0) return null;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  if (groups.length !== 8) return null;
  return groups.map((g) => parseInt(g || '0', 16).toString(16)).join(':');
}
