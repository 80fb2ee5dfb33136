/**
 * Adds the derived parts to an assembled session: certificate summaries and
 * chain checks (x509), JA3/JA3S/JA4 fingerprints, findings.
 */
import { createHash } from 'node:crypto';
import type { CertificateJson, ClientHelloJson, Session } from '../core/model.js';
import { summarizeCertificate } from '../x509/summary.js';
import { checkChain, validityAt, validityTimes } from '../x509/chain.js';
import { summarizeOcsp } from '../x509/ocsp.js';
import type { ChainCheck } from '../x509/types.js';
import { ja3, ja3s } from './ja3.js';
import { ja4 } from './ja4.js';
import { computeFindings } from './findings.js';
import { groupName } from '../registry/index.js';
import { ChainCache, FNV_OFFSET, mix, mixList, mixText } from '../core/chain-cache.js';
import { deepFreeze, listId, objectId, sameList } from '../core/intern.js';

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
 * keeps the lists (the shared frozen ones as they are, copies of the others)
 * and is only used when they are all equal, so no key string is built per
 * session. Lists the decoders share (frozen, see core/intern.ts) are hashed
 * by their id and recognised by identity, without reading their numbers.
 */
interface FingerprintEntry {
  protocol: Session['protocol'];
  version: number;
  lists: (readonly number[])[];
  alpn0: string;
  sni: boolean;
  fp: ClientFingerprints;
  next: FingerprintEntry | undefined;
}
const fingerprintCache = new ChainCache<FingerprintEntry>(10_000);

function fingerprintLists(ch: ClientHelloJson): number[][] {
  return [ch.cipher_suites, ch.extensions, ch.supported_groups, ch.ec_point_formats, ch.signature_algorithms, ch.supported_versions];
}

/** Mixes one list into the hash: by id when it has one, else by content (marked apart from ids by the length's sign). */
function hashList(h: number, l: readonly number[]): number {
  const id = listId(l);
  if (id >= 0) return mix(h, id);
  return mixList(mix(h, ~l.length), l);
}

function clientFingerprints(ch: ClientHelloJson, protocol: Session['protocol']): ClientFingerprints {
  const alpn0 = ch.alpn[0] ?? '';
  const sni = !!ch.server_name;
  let h = mix(FNV_OFFSET, ch.version);
  h = hashList(h, ch.cipher_suites);
  h = hashList(h, ch.extensions);
  h = hashList(h, ch.supported_groups);
  h = hashList(h, ch.ec_point_formats);
  h = hashList(h, ch.signature_algorithms);
  h = hashList(h, ch.supported_versions);
  h = mixText(h, alpn0);
  h = mix(h, (sni ? 1 : 0) ^ (protocol === 'tls' ? 0 : protocol === 'dtls' ? 2 : 4));
  const head = fingerprintCache.head(h);
  for (let e = head; e; e = e.next) {
    if (e.protocol !== protocol || e.version !== ch.version || e.alpn0 !== alpn0 || e.sni !== sni) continue;
    const l = e.lists;
    if (
      sameList(l[0] as number[], ch.cipher_suites) && sameList(l[1] as number[], ch.extensions) &&
      sameList(l[2] as number[], ch.supported_groups) && sameList(l[3] as number[], ch.ec_point_formats) &&
      sameList(l[4] as number[], ch.signature_algorithms) && sameList(l[5] as number[], ch.supported_versions)
    ) return e.fp;
  }
  const j = ja3(ch);
  const j4 = ja4(ch, protocol === 'dtls' ? 'dtls' : protocol === 'quic' ? 'quic' : 'tcp', { alpnRule: 'ja4-0.18' });
  const fp: ClientFingerprints = { ja3: j.ja3, ja3_full: j.ja3_full, ja4: j4.ja4, ja4_r: j4.ja4_r, ja4_o: j4.ja4_o, ja4_ro: j4.ja4_ro };
  const lists = fingerprintLists(ch).map((l) => (listId(l) >= 0 ? l : l.slice()));
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
  const now = opts.now ?? new Date();
  let chain: ChainCheck | null = null;
  if (raw.serverCerts && raw.serverCerts.length > 0) {
    const key = chainKey(s.certificates, captureTime.getTime(), now.getTime());
    const hit = key === undefined ? undefined : findChain(key, s.certificates, s.server_name, opts.extraCAs);
    if (hit !== undefined) {
      chain = hit.check;
      s.chain = hit.json;
    } else {
      try {
        chain = checkChain(raw.serverCerts, { serverName: s.server_name, at: captureTime, extraCAs: opts.extraCAs, summaries: s.certificates });
      } catch {
        chain = null;
      }
      if (chain) {
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
        if (key !== undefined) {
          chainCache.add(chainHash(key, s.server_name, opts.extraCAs), {
            certs: s.certificates, serverName: s.server_name, extraCAs: opts.extraCAs, check: deepFreeze(chain), json: deepFreeze(s.chain), next: undefined,
          });
        }
      }
    }
  }
  try {
    s.findings = computeFindings(s, { chain, now, captureTime });
  } catch (e) {
    s.anomalies.push({ code: 'findings_error', layer: 'session', detail: String((e as Error)?.message ?? e) });
  }
  return { session: s, chain };
}

/**
 * Sessions to one server repeat its chain: while every certificate is valid
 * both at capture time and now (the usual case), the chain check and the
 * session's `chain` part depend only on the certificates (shared summaries,
 * see x509/summary.ts), the SNI and the extra CAs. They are kept per such
 * input (bounded), frozen, and shared by the sessions that repeat it; the
 * export writes a shared part's text once.
 */
interface ChainEntry {
  certs: CertificateJson[];
  serverName: string | null;
  extraCAs: CertificateJson[] | undefined;
  check: ChainCheck;
  json: NonNullable<Session['chain']>;
  next: ChainEntry | undefined;
}
const chainCache = new ChainCache<ChainEntry>(10_000);

/** A hash of the certificates (by identity), or undefined when one of them is not valid both at capture time and now (not shared). */
function chainKey(certs: CertificateJson[], at: number, now: number): number | undefined {
  let h = mix(FNV_OFFSET, certs.length);
  for (const c of certs) {
    const { nb, na } = validityTimes(c);
    // NaN compares false: unknown validity is not shared either
    if (!(at >= nb && at <= na && now >= nb && now <= na)) return undefined;
    h = mix(h, objectId(c));
  }
  return h;
}

/** The cache's hash: the certificates' key, the extra CAs (by identity) and the SNI. */
function chainHash(key: number, serverName: string | null, extraCAs: CertificateJson[] | undefined): number {
  const h = mix(key, extraCAs ? objectId(extraCAs) : 0);
  return serverName === null ? h : mixText(h, serverName);
}

function findChain(key: number, certs: CertificateJson[], serverName: string | null, extraCAs: CertificateJson[] | undefined): ChainEntry | undefined {
  search: for (let e = chainCache.head(chainHash(key, serverName, extraCAs)); e; e = e.next) {
    if (e.serverName !== serverName || e.extraCAs !== extraCAs || e.certs.length !== certs.length) continue;
    for (let i = 0; i < certs.length; i++) if (e.certs[i] !== certs[i]) continue search;
    return e;
  }
  return undefined;
}

