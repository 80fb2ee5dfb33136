/**
 * Checks a server certificate chain as sent: linkage/order, trust against
 * Node's Mozilla roots (tls.rootCertificates) plus extra CAs, missing
 * intermediates, self-signed leaf, validity at a reference time, hostname,
 * weak keys and weak signatures. Never throws.
 *
 * Path building starts at the leaf; at each step the issuer is looked for
 * first among the trust anchors, then among the sent certificates (in any
 * position, so a misordered chain still anchors). A candidate issuer must
 * have the issuer's name as subject (RFC 5280 name match, case and
 * whitespace folded) and, when the signature can be checked, verify it.
 *
 * Caching: the path/linkage part (signature verifications) is cached per
 * chain (joined SHA-256s + extra CA SHA-256s); validity and hostname are
 * cheap and computed per call, so `at` and `serverName` can vary freely.
 */
import { rootCertificates } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { CertificateJson } from '../core/model.js';
import type { ChainCheck, ChainCheckOptions } from './types.js';
import { matchesHostname } from './hostname.js';
import { derNameToRfc4514, nameKey } from './names.js';
import { children, readTlv } from './der.js';
import { nodeCertificate, summarizeCertificate } from './summary.js';
import { pemToDers } from './pem.js';

/** A trust anchor; its full summary is computed on first use (most roots are never looked at). */
class Anchor {
  readonly der: Uint8Array;
  private cached: CertificateJson | undefined;
  constructor(der: Uint8Array, summary?: CertificateJson) {
    this.der = der;
    this.cached = summary;
  }
  get summary(): CertificateJson {
    return (this.cached ??= summarizeCertificate(this.der));
  }
}

/**
 * The subject Name of a certificate as an RFC 4514 string, read straight from
 * the DER (Certificate -> TBSCertificate -> [version] serial signature issuer
 * validity subject, RFC 5280 4.1) without summarising the whole certificate.
 */
function subjectOf(der: Uint8Array): string | null {
  const cert = readTlv(der, 0);
  if (!cert) return null;
  const tbs = children(der, cert)[0];
  if (!tbs) return null;
  const kids = children(der, tbs);
  const i = kids[0]?.tag === 0xa0 ? 1 : 0;
  const subj = kids[i + 4];
  if (!subj) return null;
  return derNameToRfc4514(der.subarray(subj.headerStart, subj.end));
}

let mozillaRoots: Map<string, Anchor[]> | null = null;

/** Node's bundled Mozilla roots, parsed once, by normalized subject. */
function mozillaAnchors(): Map<string, Anchor[]> {
  if (mozillaRoots) return mozillaRoots;
  const m = new Map<string, Anchor[]>();
  for (const pem of rootCertificates) {
    for (const der of pemToDers(pem)) addAnchor(m, der);
  }
  mozillaRoots = m;
  return m;
}

function addAnchor(m: Map<string, Anchor[]>, der: Uint8Array): void {
  // index by subject only: parsing the Name is far cheaper than a full summary of ~150 roots
  let subject = subjectOf(der);
  let summary: CertificateJson | undefined;
  if (subject === null) {
    summary = summarizeCertificate(der);
    if (summary.subject === undefined) return;
    subject = summary.subject;
  }
  const k = nameKey(subject);
  const list = m.get(k) ?? [];
  if (!list.some((a) => sameBytes(a.der, der))) list.push(new Anchor(der, summary));
  m.set(k, list);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface PathResult {
  ordered: boolean;
  linkErrors: { index: number; reason: string }[];
  trusted: boolean;
  anchor: string | null;
  incomplete: boolean;
  missingIssuer: string | null;
}

const CACHE_MAX = 10_000;
const pathCache = new Map<string, PathResult>();
const verifyCache = new Map<string, boolean | null>();

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= CACHE_MAX) {
    const first = map.keys().next();
    if (!first.done) map.delete(first.value);
  }
  map.set(key, value);
}

/** Whether `issuer`'s key verifies `child`'s signature; null when it cannot be checked. */
function verifies(child: CertificateJson, childDer: Uint8Array, issuer: CertificateJson, issuerDer: Uint8Array): boolean | null {
  const key = child.sha256 + ':' + issuer.sha256;
  const hit = verifyCache.get(key);
  if (hit !== undefined) return hit;
  let r: boolean | null = null;
  const c: X509Certificate | null = nodeCertificate(childDer, child.sha256);
  const i: X509Certificate | null = nodeCertificate(issuerDer, issuer.sha256);
  if (c && i) {
    try {
      r = c.verify(i.publicKey);
    } catch {
      r = null;
    }
  }
  remember(verifyCache, key, r);
  return r;
}

function sameName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && nameKey(a) === nameKey(b);
}

function toDer(c: CertificateJson): Uint8Array {
  return Buffer.from(c.der, 'base64');
}

export function checkChain(ders: Uint8Array[], opts: ChainCheckOptions): ChainCheck {
  let certs: CertificateJson[] = [];
  if (opts?.summaries && opts.summaries.length === ders.length) certs = opts.summaries;
  else {
    try {
      for (const d of ders) certs.push(summarizeCertificate(d));
    } catch {
      /* summarizeCertificate does not throw; keep what we have */
    }
  }
  const at = opts?.at instanceof Date && !Number.isNaN(opts.at.getTime()) ? opts.at : new Date();

  let path: PathResult;
  try {
    path = pathCheck(certs, ders, opts?.extraCAs ?? []);
  } catch (e) {
    path = {
      ordered: false,
      linkErrors: [{ index: 0, reason: `internal: ${e instanceof Error ? e.message : String(e)}` }],
      trusted: false,
      anchor: null,
      incomplete: false,
      missingIssuer: null,
    };
  }

  const validity = certs.map((c) => validityAt(c, at));
  const leaf = certs[0];
  let leafValidityOffsetSec = 0;
  if (leaf && leaf.not_before && leaf.not_after) {
    const t = at.getTime();
    const { nb, na } = validityTimes(leaf);
    if (t > na) leafValidityOffsetSec = Math.floor((t - na) / 1000);
    else if (t < nb) leafValidityOffsetSec = -Math.floor((nb - t) / 1000);
  }

  let hostnameMatches: boolean | null = null;
  if (opts?.serverName) hostnameMatches = leaf ? matchesHostname(leaf, opts.serverName) : false;

  return {
    ordered: path.ordered,
    linkErrors: path.linkErrors.map((e) => ({ ...e })),
    trusted: path.trusted,
    anchor: path.anchor,
    selfSigned: leaf?.self_signed === true,
    incomplete: path.incomplete,
    missingIssuer: path.missingIssuer,
    validity,
    leafValidityOffsetSec,
    hostnameMatches,
    weak: weaknesses(certs),
  };
}

/** Clears chain caches (tests). */
export function clearChainCache(): void {
  pathCache.clear();
  verifyCache.clear();
}

/** Date.parse of a certificate's validity bounds, remembered per (shared, cached) summary while they are unchanged. */
const parsedTimes = new WeakMap<CertificateJson, { nbText: string | undefined; naText: string | undefined; nb: number; na: number }>();

export function validityTimes(c: CertificateJson): { nb: number; na: number } {
  const hit = parsedTimes.get(c);
  if (hit !== undefined && hit.nbText === c.not_before && hit.naText === c.not_after) return hit;
  const e = {
    nbText: c.not_before,
    naText: c.not_after,
    nb: c.not_before ? Date.parse(c.not_before) : NaN,
    na: c.not_after ? Date.parse(c.not_after) : NaN,
  };
  parsedTimes.set(c, e);
  return e;
}

/** A certificate's validity at `at` (unknown when its dates are missing or unreadable). */
export function validityAt(c: CertificateJson, at: Date): ChainCheck['validity'][number] {
  if (!c.not_before || !c.not_after) return 'unknown';
  const { nb, na } = validityTimes(c);
  if (Number.isNaN(nb) || Number.isNaN(na)) return 'unknown';
  const t = at.getTime();
  if (t < nb) return 'not_yet_valid';
  if (t > na) return 'expired';
  return 'valid';
}

function weaknesses(certs: CertificateJson[]): { index: number; what: string }[] {
  const weak: { index: number; what: string }[] = [];
  certs.forEach((c, index) => {
    const pk = c.public_key;
    if (pk && pk.bits !== undefined) {
      if ((pk.type === 'rsa' || pk.type === 'rsa-pss') && pk.bits < 2048) weak.push({ index, what: `rsa_${pk.bits}` });
      else if (pk.type === 'ec' && pk.bits < 256) weak.push({ index, what: `ec_${pk.bits}` });
      else if (pk.type === 'dsa' && pk.bits < 2048) weak.push({ index, what: `dsa_${pk.bits}` });
    }
    // a root's own signature is not relied upon
    if (c.self_signed) return;
    const alg = (c.signature_algorithm ?? '').toLowerCase();
    if (alg.includes('md5')) weak.push({ index, what: 'md5_signature' });
    else if (alg.includes('md2')) weak.push({ index, what: 'md2_signature' });
    else if (alg.includes('md4')) weak.push({ index, what: 'md4_signature' });
    else if (alg.includes('sha1')) weak.push({ index, what: 'sha1_signature' });
  });
  return weak;
}

function pathCheck(certs: CertificateJson[], ders: Uint8Array[], extraCAs: CertificateJson[]): PathResult {
  const key = certs.map((c) => c.sha256).join(',') + '|' + extraCAs.map((c) => c.sha256).join(',');
  const hit = pathCache.get(key);
  if (hit) return hit;

  // 1. linkage as sent: i -> i+1
  const linkErrors: { index: number; reason: string }[] = [];
  for (let i = 0; i + 1 < certs.length; i++) {
    const c = certs[i]!;
    const n = certs[i + 1]!;
    if (c.parse_error || n.parse_error) {
      linkErrors.push({ index: i, reason: 'unparsable certificate' });
    } else if (!sameName(c.issuer, n.subject)) {
      linkErrors.push({ index: i, reason: `issuer "${c.issuer ?? ''}" != next subject "${n.subject ?? ''}"` });
    } else if (verifies(c, ders[i]!, n, ders[i + 1]!) === false) {
      linkErrors.push({ index: i, reason: 'signature does not verify with the next certificate key' });
    }
  }

  // 2. trust anchors: Mozilla + extra
  const moz = mozillaAnchors();
  let extra: Map<string, Anchor[]> | null = null;
  if (extraCAs.length > 0) {
    extra = new Map();
    for (const ca of extraCAs) {
      try {
        addAnchor(extra, toDer(ca));
      } catch {
        /* junk CA: skip */
      }
    }
  }
  const anchorsFor = (name: string | undefined): Anchor[] => {
    if (name === undefined) return [];
    const k = nameKey(name);
    return [...(extra?.get(k) ?? []), ...(moz.get(k) ?? [])];
  };
  const isAnchor = (c: CertificateJson): boolean =>
    anchorsFor(c.subject).some((a) => a.summary.sha256 === c.sha256);

  let trusted = false;
  let anchor: string | null = null;
  let incomplete = false;
  let missingIssuer: string | null = null;

  if (certs.length > 0 && !certs[0]!.parse_error) {
    let cur = 0;
    const visited = new Set<number>([0]);
    for (let step = 0; step < certs.length + 2; step++) {
      const c = certs[cur]!;
      const cDer = ders[cur]!;
      if (isAnchor(c)) {
        trusted = true;
        anchor = c.subject ?? null;
        break;
      }
      // issuer among anchors (root not sent, or sent and also known)
      const a = anchorsFor(c.issuer).find((x) => verifies(c, cDer, x.summary, x.der) !== false);
      if (a) {
        trusted = true;
        anchor = a.summary.subject ?? null;
        break;
      }
      if (c.self_signed) break; // an unknown root (or self-signed leaf): untrusted, not incomplete
      // issuer among the sent certificates, anywhere in the list
      let next = -1;
      for (let j = 0; j < certs.length; j++) {
        if (visited.has(j)) continue;
        const n = certs[j]!;
        if (n.parse_error || !sameName(c.issuer, n.subject)) continue;
        if (verifies(c, cDer, n, ders[j]!) === false) continue;
        next = j;
        break;
      }
      if (next < 0) {
        // The leaf's issuer is missing: an intermediate was not sent. When the chain already reached
        // a CA certificate, what is missing is most likely a root that is not in the trust store
        // (a private CA): that is "untrusted", not "incomplete".
        incomplete = !(cur > 0 && c.basic_constraints?.ca === true);
        missingIssuer = c.issuer ?? null;
        break;
      }
      visited.add(next);
      cur = next;
    }
  }

  const result: PathResult = {
    ordered: linkErrors.length === 0,
    linkErrors,
    trusted,
    anchor,
    incomplete,
    missingIssuer,
  };
  remember(pathCache, key, result);
  return result;
}
