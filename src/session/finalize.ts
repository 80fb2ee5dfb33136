/**
 * Adds the derived parts to an assembled session: certificate summaries and
 * chain checks (x509), JA3/JA3S/JA4 fingerprints, findings.
 */
import { createHash } from 'node:crypto';
import type { CertificateJson, ClientHelloJson, Session } from '../core/model.js';
import { summarizeCertificate } from '../x509/summary.js';
import { checkChain, validityTimes } from '../x509/chain.js';
import { summarizeOcsp } from '../x509/ocsp.js';
import type { ChainCheck } from '../x509/types.js';
import { ja3, ja3s } from './ja3.js';
import { ja4 } from './ja4.js';
import { computeFindings } from './findings.js';
import { groupName } from '../registry/index.js';
import { ChainCache } from '../core/chain-cache.js';

export interface FinalizeOptions {
  /** Extra trust anchors (--ca). */
  extraCAs?: CertificateJson[] | undefined;
  /** "Now", for validity judged against the present (default: the real clock). */
  now?: Date;
}

export interface RawParts {
  serverCerts: Uint8Array[] | undefined;
  clientCerts: Uint8Array[] | undefined;
  ocsp: Uint8Array | undefined;
}

type ClientFingerprints = Pick<ClientHelloJson, 'ja3' | 'ja3_full' | 'ja4' | 'ja4_r' | 'ja4_o' | 'ja4_ro'>;
/**
 * Clients repeat: fingerprints by the ClientHello fields they depend on
 * (bounded). The lookup key is a number hashed from those fields; an entry
 * keeps copies of the fields and is only used when they are all equal, so
 * no key string is built per session.
 */
interface FingerprintEntry {
  protocol: Session['protocol'];
  version: number;
  lists: number[][];
  alpn0: string;
  sni: boolean;
  fp: ClientFingerprints;
  next: FingerprintEntry | undefined;
}
const fingerprintCache = new ChainCache<FingerprintEntry>(10_000);

function fingerprintLists(ch: ClientHelloJson): number[][] {
  return [ch.cipher_suites, ch.extensions, ch.supported_groups, ch.ec_point_formats, ch.signature_algorithms, ch.supported_versions];
}

function hashList(h: number, l: number[]): number {
  h = Math.imul(h ^ l.length, 0x01000193);
  for (let i = 0; i < l.length; i++) h = Math.imul(h ^ (l[i] as number), 0x01000193);
  return h;
}

function sameList(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function clientFingerprints(ch: ClientHelloJson, protocol: Session['protocol']): ClientFingerprints {
  const alpn0 = ch.alpn[0] ?? '';
  const sni = !!ch.server_name;
  let h = Math.imul(0x811c9dc5 ^ ch.version, 0x01000193);
  h = hashList(h, ch.cipher_suites);
  h = hashList(h, ch.extensions);
  h = hashList(h, ch.supported_groups);
  h = hashList(h, ch.ec_point_formats);
  h = hashList(h, ch.signature_algorithms);
  h = hashList(h, ch.supported_versions);
  for (let i = 0; i < alpn0.length; i++) h = Math.imul(h ^ alpn0.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (sni ? 1 : 0) ^ (protocol === 'tls' ? 0 : protocol === 'dtls' ? 2 : 4), 0x01000193);
  const head = fingerprintCache.head(h);
  for (let e = head; e; e = e.next) {
    if (e.protocol !== protocol || e.version !== ch.version || e.alpn0 !== alpn0 || e.sni !== sni) continue;
    const lists = fingerprintLists(ch);
    let same = true;
    for (let i = 0; i < lists.length && same; i++) same = sameList(e.lists[i] as number[], lists[i] as number[]);
    if (same) return e.fp;
  }
  const j = ja3(ch);
  const j4 = ja4(ch, protocol === 'dtls' ? 'dtls' : protocol === 'quic' ? 'quic' : 'tcp', { alpnRule: 'ja4-0.18' });
  const fp: ClientFingerprints = { ja3: j.ja3, ja3_full: j.ja3_full, ja4: j4.ja4, ja4_r: j4.ja4_r, ja4_o: j4.ja4_o, ja4_ro: j4.ja4_ro };
  const lists = fingerprintLists(ch).map((l) => l.slice());
  fingerprintCache.add(h, { protocol, version: ch.version, lists, alpn0, sni, fp, next: undefined });
  return fp;
}

function certJson(der: Uint8Array): CertificateJson {
  try {
    return summarizeCertificate(der);
  } catch (e) {
    // summarizeCertificate must not throw; keep the session whatever happens
    return {
      sha256: createHash('sha256').update(der).digest('hex'),
      der: Buffer.from(der).toString('base64'),
      length: der.length,
      parse_error: String((e as Error)?.message ?? e),
    };
  }
}

export function finalizeSession(s: Session, raw: RawParts, opts: FinalizeOptions): { session: Session; chain: ChainCheck | null } {
  if (raw.serverCerts) s.certificates = raw.serverCerts.map(certJson);
  if (raw.clientCerts) s.client_certificates = raw.clientCerts.map(certJson);
  if (raw.ocsp) {
    try {
      s.ocsp = summarizeOcsp(raw.ocsp) as unknown as Record<string, unknown>;
    } catch {
      s.ocsp = { parse_error: 'unreadable OCSP response' };
    }
  }
  if (s.server_key_exchange?.group !== undefined) s.server_key_exchange.group_name = groupName(s.server_key_exchange.group);
  const ch = s.client_hello;
  if (ch) Object.assign(ch, clientFingerprints(ch, s.protocol));
  if (s.server_hello) {
    const j = ja3s(s.server_hello);
    s.server_hello.ja3s = j.ja3s;
    s.server_hello.ja3s_full = j.ja3s_full;
  }
  if (s.hello_retry_request) {
    const j = ja3s(s.hello_retry_request);
    s.hello_retry_request.ja3s = j.ja3s;
    s.hello_retry_request.ja3s_full = j.ja3s_full;
  }
  const captureTime = new Date(s.start_ts * 1000);
  let chain: ChainCheck | null = null;
  if (raw.serverCerts && raw.serverCerts.length > 0) {
    try {
      chain = checkChain(raw.serverCerts, { serverName: s.server_name, at: captureTime, extraCAs: opts.extraCAs });
    } catch {
      chain = null;
    }
  }
  if (chain) {
    const now = opts.now ?? new Date();
    s.chain = {
      ordered: chain.ordered,
      link_errors: chain.linkErrors,
      trusted: chain.trusted,
      anchor: chain.anchor,
      self_signed: chain.selfSigned,
      incomplete: chain.incomplete,
      missing_issuer: chain.missingIssuer,
      hostname_matches: chain.hostnameMatches,
      validity_at_capture: chain.validity,
      validity_now: s.certificates.map((c) => validityAt(c, now)),
      weak: chain.weak,
    };
  }
  try {
    s.findings = computeFindings(s, { chain, now: opts.now ?? new Date(), captureTime });
  } catch (e) {
    s.anomalies.push({ code: 'findings_error', layer: 'session', detail: String((e as Error)?.message ?? e) });
  }
  return { session: s, chain };
}

function validityAt(c: CertificateJson, at: Date): 'valid' | 'expired' | 'not_yet_valid' | 'unknown' {
  const { nb, na } = validityTimes(c);
  if (Number.isNaN(nb) || Number.isNaN(na)) return 'unknown';
  const t = at.getTime();
  return t < nb ? 'not_yet_valid' : t > na ? 'expired' : 'valid';
}
