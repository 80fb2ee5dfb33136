/**
 * Findings: plain-language diagnoses computed from one assembled Session.
 *
 * `computeFindings` is pure: it reads the session (and the chain check done by
 * the x509 stage) and returns findings, each code at most once, in catalogue
 * order. Every message is a sentence a person can act on, with the key facts;
 * the same facts are in `evidence` for machines. Findings whose cause is
 * deduced from a pattern rather than read from the wire carry `inferred: true`.
 *
 * What is read from the session (see also `SessionExtras`):
 * - client_hello: supported_versions / version, cipher_suites(+_names),
 *   supported_groups, key_shares, alpn, ech / extensions (0xfe0d), length
 * - server_hello: selected_version / version, cipher_suite(+_name), alpn, key_share_group
 * - hello_retry_request: key_share_group
 * - alerts[]: from, level, description, name, encrypted, after (the step name it followed)
 * - steps[]: step, from, t_ms (last message before a reset)
 * - flags: reset_by, closed_by, truncated
 * - counts.{client,server}: bytes, application_data_records, application_data_bytes
 * - certificates[] (leaf first): not_before, not_after, subject_cn, san, public_key,
 *   signature_algorithm, self_signed; client_certificates, client_certificate_requested
 * - server_key_exchange.dh_bits, established, resumed, resumption, version,
 *   cipher_suite(_name), server_name, start_ts, end_ts, timing.hello_retry_extra_ms
 * - server_plaintext (first non-TLS bytes from the server), client_hello_segments
 *
 * TLS 1.3 failures hide their alert: the session builder marks a client's
 * alert-sized first encrypted record as an alert with `encrypted` and
 * `inferred`; after the server's encrypted flight that gives
 * `tls13_client_rejected_cert` (inferred) rather than `handshake_failed`.
 */
import type { AlertJson, CertificateJson, ClientHelloJson, FindingJson, Session } from '../core/model.js';
import type { Severity } from '../core/types.js';
import type { ChainCheck } from '../x509/types.js';
import { validityAt } from '../x509/chain.js';
import { isGrease } from './ja3.js';
import { safeTextShort } from './safe-text.js';
import { memo } from '../core/chain-cache.js';

export type FindingCategory = 'failure' | 'weakness' | 'info';

export interface FindingCodeInfo {
  severity: Severity;
  category: FindingCategory;
  description: string;
}

/** The catalogue: default severity, category and meaning of every code. Some findings raise or lower the severity (noted). */
export const FINDING_CODES = {
  // failures
  not_tls_response: { severity: 'high', category: 'failure', description: 'The server answered the ClientHello in plaintext (e.g. HTTP): the port does not speak TLS directly.' },
  no_server_response: { severity: 'high', category: 'failure', description: 'The ClientHello got no answer: no bytes came back from the server.' },
  large_client_hello_dropped: { severity: 'medium', category: 'failure', description: 'A ClientHello spanning several TCP segments was followed by silence or a reset: a middlebox may drop large hellos (often post-quantum key shares). Inferred.' },
  protocol_version_mismatch: { severity: 'high', category: 'failure', description: 'Client and server have no TLS version in common (alert protocol_version, a version the client did not offer, or a refused downgrade).' },
  no_shared_cipher: { severity: 'high', category: 'failure', description: 'The server refused the ClientHello (handshake_failure before any ServerHello, or insufficient_security): most likely no cipher suite in common.' },
  no_shared_group: { severity: 'high', category: 'failure', description: 'No key-exchange group in common (uncommon groups only, or a HelloRetryRequest followed by failure).' },
  cert_expired: { severity: 'high', category: 'failure', description: 'A certificate in the server chain had expired at capture time (or the client said so with alert certificate_expired).' },
  cert_not_yet_valid: { severity: 'high', category: 'failure', description: 'A certificate in the server chain was not yet valid at capture time.' },
  clock_skew_suspected: { severity: 'medium', category: 'failure', description: 'A validity failure by a margin that suggests a wrong clock (on the client, the server, or the capturing machine). Inferred.' },
  cert_hostname_mismatch: { severity: 'high', category: 'failure', description: 'The server certificate does not cover the name the client asked for (SNI).' },
  cert_self_signed: { severity: 'high', category: 'failure', description: 'The server certificate is self-signed (medium unless the client rejected the certificate).' },
  cert_chain_incomplete: { severity: 'high', category: 'failure', description: 'The server did not send an intermediate certificate needed to reach a trusted root (medium unless the client rejected the certificate).' },
  cert_untrusted: { severity: 'high', category: 'failure', description: 'The server chain does not lead to a trusted root, or the client rejected the certificate (alerts bad_certificate, unsupported_certificate, certificate_revoked, certificate_unknown, unknown_ca). Medium unless the client rejected the certificate.' },
  client_cert_missing: { severity: 'high', category: 'failure', description: 'The server asked for a client certificate, the client sent none, and the server ended the handshake.' },
  client_cert_rejected: { severity: 'high', category: 'failure', description: 'The client sent a certificate and the server rejected it with a certificate alert.' },
  alpn_mismatch: { severity: 'high', category: 'failure', description: 'No application protocol in common (alert no_application_protocol, or the server picked a protocol the client did not offer).' },
  tls13_client_rejected_cert: { severity: 'high', category: 'failure', description: 'TLS 1.3: after the server\'s encrypted flight the client sent one alert-sized encrypted record and closed, without Finished or data: the client most likely rejected the server certificate. Inferred.' },
  reset_during_handshake: { severity: 'high', category: 'failure', description: 'The TCP connection was reset before the handshake completed.' },
  handshake_failed: { severity: 'high', category: 'failure', description: 'The handshake ended with a fatal alert (which one, from whom, after which message).' },
  // weaknesses
  weak_protocol: { severity: 'medium', category: 'weakness', description: 'An obsolete protocol version was negotiated: SSL 2.0/3.0 (high), TLS 1.0/1.1 (medium).' },
  weak_cipher: { severity: 'high', category: 'weakness', description: 'A weak cipher suite was negotiated: NULL, EXPORT, anonymous, RC4, DES (high); 3DES, IDEA, RC2 (medium).' },
  no_forward_secrecy: { severity: 'medium', category: 'weakness', description: 'The key exchange has no forward secrecy (RSA key transport, static DH/ECDH, plain PSK).' },
  weak_signature: { severity: 'medium', category: 'weakness', description: 'A certificate in the chain is signed with SHA-1 (medium) or MD5/MD2 (high); self-signed roots are not counted.' },
  weak_key: { severity: 'medium', category: 'weakness', description: 'A small key: RSA/DSA below 2048 bits (high below 1024), EC below 256 bits, or DH parameters below 2048 bits.' },
  cert_expiring_soon: { severity: 'low', category: 'weakness', description: 'The server certificate expires within 30 days (configurable) of the capture.' },
  // information
  hello_retry_request: { severity: 'info', category: 'info', description: 'The server sent a HelloRetryRequest (the client\'s key share was not acceptable): one extra round trip.' },
  resumed: { severity: 'info', category: 'info', description: 'The session was resumed (session id, ticket or PSK).' },
  ech_offered: { severity: 'info', category: 'info', description: 'The client offered Encrypted Client Hello: the visible SNI is the public (outer) name.' },
  post_quantum_key_exchange: { severity: 'info', category: 'info', description: 'A post-quantum hybrid key exchange group (ML-KEM/Kyber) was offered or negotiated.' },
} as const satisfies Record<string, FindingCodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

export interface FindingsContext {
  chain: ChainCheck | null;
  /** Wall-clock now (for clock plausibility checks). */
  now: Date;
  /** Reference time of the session (its capture time). */
  captureTime: Date;
  expiringSoonDays?: number;
}

// ---------------------------------------------------------------- helpers

const DAY_MS = 86_400_000;

export function tlsVersionName(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'unknown';
  switch (v) {
    case 0x0002:
      return 'SSL 2.0';
    case 0x0300:
      return 'SSL 3.0';
    case 0x0301:
      return 'TLS 1.0';
    case 0x0302:
      return 'TLS 1.1';
    case 0x0303:
      return 'TLS 1.2';
    case 0x0304:
      return 'TLS 1.3';
    case 0xfeff:
      return 'DTLS 1.0';
    case 0xfefd:
      return 'DTLS 1.2';
    case 0xfefc:
      return 'DTLS 1.3';
  }
  if ((v & 0xff00) === 0x7f00) return `TLS 1.3 draft ${v & 0xff}`;
  if ((v & 0xff00) === 0x7e00) return `TLS 1.3 experiment 0x${v.toString(16)}`;
  return `0x${v.toString(16).padStart(4, '0')}`;
}

/** Order of versions, for "newer than" comparisons (drafts count as 1.3, DTLS mapped to its TLS equivalent). */
function versionRank(v: number): number {
  if (v === 0x0002) return 1;
  if (v >= 0x0300 && v <= 0x0304) return v - 0x0300 + 2;
  if ((v & 0xff00) === 0x7f00 || (v & 0xff00) === 0x7e00) return 6;
  if (v === 0xfeff) return 4;
  if (v === 0xfefd) return 5;
  if (v === 0xfefc) return 6;
  return 0;
}

const GROUP_NAMES: Record<number, string> = {
  23: 'secp256r1',
  24: 'secp384r1',
  25: 'secp521r1',
  29: 'x25519',
  30: 'x448',
  256: 'ffdhe2048',
  257: 'ffdhe3072',
  258: 'ffdhe4096',
  259: 'ffdhe6144',
  260: 'ffdhe8192',
  0x11eb: 'SecP256r1MLKEM768',
  0x11ec: 'X25519MLKEM768',
  0x11ed: 'SecP384r1MLKEM1024',
  0x6399: 'X25519Kyber768Draft00',
  0x639a: 'SecP256r1Kyber768Draft00',
};
export const PQ_GROUPS: ReadonlySet<number> = new Set([0x11eb, 0x11ec, 0x11ed, 0x6399, 0x639a]);
const COMMON_GROUPS: ReadonlySet<number> = new Set([23, 24, 25, 29, 30, 256, 257, 258, 259, 260, 0x11ec]);

export function groupName(g: number): string {
  return GROUP_NAMES[g] ?? `0x${g.toString(16).padStart(4, '0')}`;
}

/** Meaning of alert descriptions, for messages. */
const ALERT_MEANING: Record<number, string> = {
  10: 'a message arrived that was not expected at that point',
  20: 'a record failed its integrity check',
  21: 'a record could not be decrypted',
  22: 'a record was too long',
  40: 'no acceptable set of security parameters (cipher suite, group, version or extension)',
  41: 'no certificate was available',
  42: 'the certificate was corrupt or could not be verified',
  43: 'the certificate type is not supported',
  44: 'the certificate was revoked',
  45: 'the certificate has expired or is not yet valid',
  46: 'the certificate could not be accepted (unspecified)',
  47: 'a field in a handshake message was out of range or inconsistent',
  48: 'the certificate chain does not lead to a trusted CA',
  49: 'access denied by policy',
  50: 'a message could not be decoded',
  51: 'a handshake signature or Finished check failed',
  70: 'the protocol version is not supported',
  71: 'the offered security level is too low (e.g. cipher suites too weak)',
  80: 'an internal error unrelated to the peer',
  86: 'the client retried with a lower version than it supports (downgrade refused)',
  90: 'the user cancelled the handshake',
  109: 'a mandatory extension is missing',
  110: 'an extension was sent that is not allowed',
  112: 'the server does not recognise the requested name (SNI)',
  113: 'the stapled OCSP response was bad',
  114: 'unknown PSK identity',
  115: 'a certificate was required',
  116: 'a client certificate is required',
  120: 'no application protocol (ALPN) in common',
};

const STEP_LABELS: Record<string, string> = {
  client_hello: 'the ClientHello',
  server_hello: 'the ServerHello',
  hello_retry_request: 'the HelloRetryRequest',
  certificate: 'the Certificate message',
  server_key_exchange: 'the ServerKeyExchange',
  certificate_request: 'the CertificateRequest',
  server_hello_done: 'ServerHelloDone',
  client_key_exchange: 'the ClientKeyExchange',
  certificate_verify: 'CertificateVerify',
  change_cipher_spec: 'ChangeCipherSpec',
  finished: 'Finished',
  encrypted_extensions: 'EncryptedExtensions',
  new_session_ticket: 'NewSessionTicket',
  application_data: 'application data',
  encrypted_handshake: 'an encrypted handshake message',
};

function stepLabel(step: string | null | undefined): string {
  if (!step) return 'an unknown point';
  if (step === 'encrypted_alert') return 'an encrypted alert';
  if (step.startsWith('alert_')) return `alert ${step.slice(6)}`;
  return STEP_LABELS[step] ?? step.replace(/_/g, ' ');
}

function alertLabel(a: AlertJson): string {
  return `${a.name ?? 'unknown'} (${a.description ?? '?'})`;
}

function who(from: 'client' | 'server'): string {
  return from === 'client' ? 'The client' : 'The server';
}

function alertSentence(a: AlertJson): string {
  const meaning = a.description !== null ? ALERT_MEANING[a.description] : undefined;
  return `${who(a.from)} sent ${a.level === 2 ? 'fatal ' : ''}alert ${alertLabel(a)} right after ${stepLabel(a.after)}${meaning ? ` (${meaning})` : ''}`;
}

function alertEvidence(a: AlertJson): Record<string, unknown> {
  return { alert: a.name, alert_code: a.description, alert_from: a.from, alert_after: a.after };
}

function isoDay(d: Date): string {
  return Number.isNaN(d.getTime()) ? 'an unknown date' : d.toISOString().slice(0, 10);
}

/** Certificate dates repeat from session to session: their parsed time, by text. */
const parsedTime = memo(Date.parse);

function parseDate(s: string | undefined): Date | null {
  if (!s) return null;
  const t = parsedTime(s);
  return Number.isNaN(t) ? null : new Date(t);
}

function daysText(ms: number): string {
  const days = Math.abs(ms) / DAY_MS;
  if (days < 1) {
    const hours = Math.round(Math.abs(ms) / 3_600_000);
    return hours === 1 ? '1 hour' : `${hours} hours`;
  }
  const n = Math.floor(days);
  return n === 1 ? '1 day' : `${n} days`;
}

function certName(c: CertificateJson | undefined, index: number): string {
  const cn = c?.subject_cn ?? c?.subject ?? null;
  const role = index === 0 ? 'server certificate' : `certificate #${index} in the chain`;
  return cn ? `${role} "${safeTextShort(cn, 60)}"` : role;
}

function clientVersions(ch: ClientHelloJson): number[] {
  const sv = ch.supported_versions.filter((v) => !isGrease(v));
  return sv.length > 0 ? sv : [ch.version];
}

/** "TLS 1.2-1.3", "TLS 1.3", or "up to TLS 1.2" (legacy hello: the minimum is not on the wire). */
function offeredText(ch: ClientHelloJson): string {
  const sv = ch.supported_versions.filter((v) => !isGrease(v));
  if (sv.length === 0) return `up to ${tlsVersionName(ch.version)}`;
  const sorted = [...sv].sort((a, b) => versionRank(a) - versionRank(b));
  const lo = sorted[0] as number;
  const hi = sorted[sorted.length - 1] as number;
  if (lo === hi) return tlsVersionName(lo);
  const ln = tlsVersionName(lo);
  const hn = tlsVersionName(hi);
  if (ln.startsWith('TLS 1.') && hn.startsWith('TLS 1.') && !hn.includes('draft') && !ln.includes('draft')) return `${ln}-${hn.slice(4)}`;
  return sorted.map(tlsVersionName).join(', ');
}

function maxClientVersionRank(ch: ClientHelloJson): number {
  return Math.max(...clientVersions(ch).map(versionRank));
}

function cipherNames(ch: ClientHelloJson, max = 4): string {
  const out: string[] = [];
  ch.cipher_suites.forEach((c, i) => {
    if (isGrease(c)) return;
    out.push(ch.cipher_suite_names[i] ?? `0x${c.toString(16).padStart(4, '0')}`);
  });
  const shown = out.slice(0, max).join(', ');
  return out.length > max ? `${shown} and ${out.length - max} more` : shown;
}

const WEAK_CIPHER_FALLBACK: Record<number, string> = {
  0x0000: 'TLS_NULL_WITH_NULL_NULL',
  0x0001: 'TLS_RSA_WITH_NULL_MD5',
  0x0002: 'TLS_RSA_WITH_NULL_SHA',
  0x0003: 'TLS_RSA_EXPORT_WITH_RC4_40_MD5',
  0x0004: 'TLS_RSA_WITH_RC4_128_MD5',
  0x0005: 'TLS_RSA_WITH_RC4_128_SHA',
  0x0009: 'TLS_RSA_WITH_DES_CBC_SHA',
  0x000a: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  0x0016: 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA',
  0xc007: 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA',
  0xc008: 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA',
  0xc011: 'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
  0xc012: 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
};

/** Cipher-suite names repeat: their weakness, by name. */
const weaknessByName = memo(weaknessOf);

/** Why a cipher suite name is weak, with severity; null if it is not. */
export function cipherWeakness(name: string): { what: string; severity: Severity } | null {
  const w = weaknessByName(name);
  return w === null ? null : { what: w.what, severity: w.severity };
}

function weaknessOf(name: string): { what: string; severity: Severity } | null {
  const n = name.toUpperCase();
  if (/(^|_)NULL(_|$)/.test(n) && !/_WITH_NULL_NULL$/.test(n) && n.includes('WITH_NULL')) return { what: 'no encryption (NULL cipher)', severity: 'high' };
  if (/_WITH_NULL_NULL$/.test(n)) return { what: 'no encryption (NULL cipher)', severity: 'high' };
  if (n.includes('EXPORT')) return { what: 'export-grade (deliberately weakened) encryption', severity: 'high' };
  if (n.includes('_ANON_')) return { what: 'anonymous key exchange (no server authentication)', severity: 'high' };
  if (n.includes('RC4')) return { what: 'RC4, a broken stream cipher', severity: 'high' };
  if (/3DES|DES_EDE/.test(n)) return { what: '3DES, a 64-bit block cipher (Sweet32)', severity: 'medium' };
  if (/(^|_)DES(40)?_/.test(n)) return { what: 'single DES, a 56-bit cipher', severity: 'high' };
  if (/(^|_)RC2_/.test(n)) return { what: 'RC2, an obsolete cipher', severity: 'medium' };
  if (/(^|_)IDEA_/.test(n)) return { what: 'IDEA, a 64-bit block cipher', severity: 'medium' };
  return null;
}

const isNoForwardSecrecy = memo((name: string): boolean => {
  const n = name.toUpperCase().replace(/^SSL_/, 'TLS_');
  return /^TLS_(RSA|DH|ECDH|PSK|RSA_PSK|KRB5|SRP_SHA)_/.test(n) && !/^TLS_(DHE|ECDHE)_/.test(n);
});

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3 };
export function severityRank(s: Severity): number {
  return SEVERITY_RANK[s];
}

// ---------------------------------------------------------------- main

export function computeFindings(s: Session, ctx: FindingsContext): FindingJson[] {
  const out = new Map<FindingCode, FindingJson>();
  const add = (
    code: FindingCode,
    message: string,
    evidence: Record<string, unknown>,
    opts: { severity?: Severity; inferred?: boolean } = {},
  ): void => {
    if (out.has(code)) return;
    const f: FindingJson = { code, severity: opts.severity ?? FINDING_CODES[code].severity, message, evidence };
    if (opts.inferred) f.inferred = true;
    out.set(code, f);
  };

  const ch = s.client_hello;
  const sh = s.server_hello;
  const hrr = s.hello_retry_request;
  const chain = ctx.chain;
  const leaf = s.certificates[0];
  const fatal = s.alerts.length === 0 ? NO_ALERTS : s.alerts.filter((a) => !a.encrypted && a.description !== null && a.level === 2);
  const firstFatal = fatal[0];
  const serverFatal = fatal.length === 0 ? NO_ALERTS : fatal.filter((a) => a.from === 'server');
  const clientFatal = fatal.length === 0 ? NO_ALERTS : fatal.filter((a) => a.from === 'client');
  const fatalWith = (code: number, from?: 'client' | 'server'): AlertJson | undefined => {
    for (let i = 0; i < fatal.length; i++) {
      const a = fatal[i] as AlertJson;
      if (a.description === code && (from === undefined || a.from === from)) return a;
    }
    return undefined;
  };
  const negotiatedVersion = sh ? (sh.selected_version ?? sh.version) : s.version;
  const tls13 = negotiatedVersion !== null && versionRank(negotiatedVersion) === 6;
  const failed = !s.established;
  const plaintext = typeof s.server_plaintext === 'string' && s.server_plaintext !== '' ? s.server_plaintext : null;
  const serverSilent = s.counts.server.bytes === 0 && plaintext === null;
  const name = s.server_name;
  const target = name ? safeTextShort(name, 80) : s.server.ip;
  const captureMs = ctx.captureTime.getTime();
  const waited = Math.max(0, s.end_ts - s.start_ts);
  // A capture that simply stops right after the ClientHello proves nothing: require the
  // connection to have been closed, to have gone idle, or a wait of at least 5 s.
  const gaveUp = s.flags.closed_by === 'fin' || s.flags.closed_by === 'rst' || s.flags.closed_by === 'idle' || waited >= 5;
  const closedHard = s.flags.closed_by === 'fin' || s.flags.closed_by === 'rst' || s.flags.reset_by !== null;

  // ------------------------------------------------ no usable answer
  if (ch && !sh && plaintext !== null) {
    const shown = safeTextShort(plaintext, 60);
    const http = /^(HTTP\/\d|<!DOCTYPE|<html)/i.test(plaintext);
    add(
      'not_tls_response',
      `The server at ${s.server.ip}:${s.server.port} answered the ClientHello in plaintext, not TLS ("${shown}")` +
        (http ? ': this port speaks plain HTTP, use http:// or the HTTPS port.' : ': this port does not speak TLS directly (wrong port, or a protocol that needs STARTTLS).'),
      { server_first_bytes: plaintext, server: `${s.server.ip}:${s.server.port}` },
    );
  }

  const segments = typeof s.client_hello_segments === 'number' ? s.client_hello_segments : 0;
  if (ch && !sh && segments >= 2 && plaintext === null && ((serverSilent && gaveUp) || s.flags.reset_by === 'server')) {
    const pq = ch.key_shares.filter((k) => PQ_GROUPS.has(k.group)).map((k) => k.group_name || groupName(k.group));
    add(
      'large_client_hello_dropped',
      `The ClientHello (${ch.length} bytes, ${segments} TCP segments) was followed by ${s.flags.reset_by === 'server' ? 'a reset from the server' : 'silence from the server'}: a firewall or load balancer on the path may drop ClientHellos larger than one packet` +
        (pq.length ? ` (it is large because of the post-quantum key share ${pq.join(', ')}; retry without it to confirm).` : '; retry with a smaller ClientHello to confirm.'),
      { client_hello_length: ch.length, client_hello_segments: segments, reset_by: s.flags.reset_by, post_quantum_key_shares: pq },
      { inferred: true },
    );
  }

  if (ch && !sh && serverSilent && gaveUp && !s.flags.midstream && s.flags.reset_by !== 'server' && s.alerts.every((a) => a.from !== 'server')) {
    const how =
      s.flags.closed_by === 'rst'
        ? 'the client then reset the connection'
        : s.flags.closed_by === 'fin'
          ? 'the client then closed the connection'
          : s.flags.closed_by === 'idle'
            ? 'the connection went idle'
            : 'the capture ended';
    add(
      'no_server_response',
      `The server ${target} never answered the ClientHello: no bytes came back in ${waited.toFixed(1)} s and ${how}. Check that the server is listening on port ${s.server.port} and that nothing on the path drops the traffic.`,
      { waited_s: Number(waited.toFixed(3)), closed_by: s.flags.closed_by, server: `${s.server.ip}:${s.server.port}` },
    );
  }

  // ------------------------------------------------ version
  if (ch) {
    const a70 = fatalWith(70);
    const a86 = fatalWith(86, 'server');
    if (a70) {
      const offered = offeredText(ch);
      let why: string;
      if (a70.from === 'server') {
        const top = maxClientVersionRank(ch);
        why =
          top <= 4
            ? `the client offered ${offered}; the server appears to require TLS 1.2 or newer`
            : top === 5
              ? `the client offered ${offered}; the server appears to require TLS 1.3`
              : `the client offered ${offered}; the server appears to support only older versions`;
      } else {
        why = `the server chose ${tlsVersionName(negotiatedVersion)} and the client (which offered ${offered}) refused it`;
      }
      add(
        'protocol_version_mismatch',
        `${who(a70.from)} rejected the handshake with alert protocol_version (70) right after ${stepLabel(a70.after)}: ${why}.`,
        { ...alertEvidence(a70), client_offered: clientVersions(ch).map(tlsVersionName), server_chose: negotiatedVersion !== null ? tlsVersionName(negotiatedVersion) : null },
      );
    } else if (a86) {
      add(
        'protocol_version_mismatch',
        `The server refused a downgraded retry with alert inappropriate_fallback (86): the client first failed with a newer version and retried offering ${offeredText(ch)}. Fix the failure of the first attempt.`,
        { ...alertEvidence(a86), client_offered: clientVersions(ch).map(tlsVersionName) },
      );
    } else if (sh && negotiatedVersion !== null) {
      const sv = ch.supported_versions.filter((v) => !isGrease(v));
      const notOffered = sv.length > 0 ? !sv.includes(negotiatedVersion) : versionRank(negotiatedVersion) > versionRank(ch.version);
      if (notOffered) {
        add(
          'protocol_version_mismatch',
          `The server chose ${tlsVersionName(negotiatedVersion)}, which the client did not offer (it offered ${offeredText(ch)}).`,
          { client_offered: clientVersions(ch).map(tlsVersionName), server_chose: tlsVersionName(negotiatedVersion) },
        );
      }
    }
  }

  // ------------------------------------------------ refused ClientHello (alert 40 / 71 before a ServerHello)
  if (ch && !sh) {
    const a40 = serverFatal.find((a) => a.description === 40 || a.description === 47);
    const a71 = fatalWith(71, 'server');
    const groups = ch.supported_groups.filter((g) => !isGrease(g));
    // RFC 8446 9.1: a TLS 1.3 server MUST implement TLS_AES_128_GCM_SHA256 and secp256r1 (x25519 SHOULD);
    // a TLS 1.3 ClientHello offering that suite but neither group points at the groups, not the ciphers
    const offers13 = ch.supported_versions.includes(0x0304);
    const mandatory13 = offers13 && ch.cipher_suites.includes(0x1301) && !groups.includes(23) && !groups.includes(29);
    const uncommonGroupsOnly = groups.length > 0 && (mandatory13 || !groups.some((g) => COMMON_GROUPS.has(g)));
    // A client restricted to one or two groups while offering a full cipher list (the shape of
    // `openssl s_client -groups P-256`): the short list is the likelier cause of the refusal.
    // (A server restricted to other groups than the client's key share answers with a
    // HelloRetryRequest when the client supports one of them, so a refusal means none in common.)
    const suites = ch.cipher_suites.filter((c) => !isGrease(c) && c !== 0x00ff && c !== 0x5600);
    const suites13 = suites.filter((c) => c >> 8 === 0x13).length;
    const fewGroups = groups.length > 0 && groups.length <= 2 && (suites.length >= 6 || suites13 >= 3);
    if (a40 && uncommonGroupsOnly) {
      add(
        'no_shared_group',
        `${alertSentence(a40)}. The client offered only the key-exchange groups ${groups.map(groupName).join(', ')}, which few servers support: offer x25519 or secp256r1 as well.`,
        { ...alertEvidence(a40), client_groups: groups.map(groupName) },
        { inferred: true },
      );
    } else if (a40 && a40.description === 40 && maxClientVersionRank(ch) <= 3 && !out.has('protocol_version_mismatch')) {
      add(
        'protocol_version_mismatch',
        `The server rejected the handshake with alert handshake_failure (40) right after the ClientHello; the client offered only ${offeredText(ch)}, which most servers no longer accept (TLS 1.2 or newer is required).`,
        { ...alertEvidence(a40), client_offered: clientVersions(ch).map(tlsVersionName) },
        { inferred: true },
      );
    } else if (a40 && a40.description === 40 && fewGroups) {
      add(
        'no_shared_group',
        `${alertSentence(a40)}. The client offered ${suites.length} cipher suites but only the key-exchange group${groups.length === 1 ? '' : 's'} ${groups.map(groupName).join(', ')}: most likely the server supports none of ${groups.length === 1 ? 'it' : 'them'}. Offer more groups (x25519, secp256r1) or enable ${groups.length === 1 ? 'that group' : 'one of them'} on the server.`,
        { ...alertEvidence(a40), client_groups: groups.map(groupName), client_cipher_count: suites.length },
        { inferred: true },
      );
    } else if (a71 || (a40 && a40.description === 40)) {
      const a = (a71 ?? a40) as AlertJson;
      const only13 = ch.cipher_suites.filter((c) => !isGrease(c)).every((c) => c >> 8 === 0x13);
      const hint = only13
        ? ' The client offered only TLS 1.3 cipher suites, so a server without TLS 1.3 has nothing to choose.'
        : a71
          ? ' The server considers all offered suites too weak.'
          : '';
      add(
        'no_shared_cipher',
        `The server refused the ClientHello with alert ${alertLabel(a)} before sending a ServerHello: most likely no cipher suite in common. The client offered ${ch.cipher_suites.filter((c) => !isGrease(c)).length} suites (${cipherNames(ch)}).${hint}`,
        { ...alertEvidence(a), client_cipher_count: ch.cipher_suites.filter((c) => !isGrease(c)).length },
        { inferred: a71 === undefined },
      );
    }
  }
  if (hrr && failed && ch && (firstFatal || closedHard)) {
    const g = hrr.key_share_group;
    add(
      'no_shared_group',
      `The server sent a HelloRetryRequest asking for key-exchange group ${g !== undefined ? groupName(g) : '(unspecified)'}, and the handshake then failed${firstFatal ? ` (${alertSentence(firstFatal).replace(/^The /, 'the ')})` : ''}: the client probably cannot use the group the server wants.`,
      { requested_group: g !== undefined ? groupName(g) : null, client_groups: ch.supported_groups.filter((x) => !isGrease(x)).map(groupName), ...(firstFatal ? alertEvidence(firstFatal) : {}) },
      { inferred: true },
    );
  }

  // ------------------------------------------------ certificates
  const certAlert = clientFatal.find((a) => a.description !== null && [42, 43, 44, 45, 46, 48].includes(a.description));
  const rejectedBy = certAlert ? ` The client rejected it with alert ${alertLabel(certAlert)}.` : '';
  // raised to high when the client complained about the certificate (plaintext alert, or TLS 1.3 encrypted alert right after the server flight)
  const tls13Rejected = tls13 && failed && s.alerts.some((a) => a.from === 'client' && a.encrypted && a.after === 'encrypted_handshake');
  const certSeverity = (base: Severity): Severity => (certAlert || tls13Rejected ? 'high' : base);
  const validity = chain?.validity ?? s.certificates.map((c) => validityAt(c, ctx.captureTime));
  const expiredIdx = validity.indexOf('expired');
  const nyvIdx = validity.indexOf('not_yet_valid');
  if (expiredIdx >= 0) {
    const c = s.certificates[expiredIdx];
    const na = parseDate(c?.not_after);
    const ago = na ? captureMs - na.getTime() : null;
    add(
      'cert_expired',
      `The ${certName(c, expiredIdx)} expired on ${na ? isoDay(na) : 'an unknown date'}${ago !== null ? `, ${daysText(ago)} before this capture` : ''}.${rejectedBy} Renew it and install the new certificate on ${target}.`,
      { index: expiredIdx, not_after: c?.not_after ?? null, days_expired: ago !== null ? Math.floor(ago / DAY_MS) : null, subject_cn: c?.subject_cn ?? null, ...(certAlert ? alertEvidence(certAlert) : {}) },
    );
  } else if (certAlert?.description === 45) {
    add(
      'cert_expired',
      `The client rejected the server certificate with alert certificate_expired (45) right after ${stepLabel(certAlert.after)}: the certificate of ${target} has expired or is not yet valid for the client (check its dates, and the client's clock).`,
      alertEvidence(certAlert),
    );
  }
  if (nyvIdx >= 0) {
    const c = s.certificates[nyvIdx];
    const nb = parseDate(c?.not_before);
    const ahead = nb ? nb.getTime() - captureMs : null;
    add(
      'cert_not_yet_valid',
      `The ${certName(c, nyvIdx)} is not valid until ${nb ? nb.toISOString().replace('.000Z', 'Z') : 'an unknown date'}${ahead !== null ? `, ${daysText(ahead)} after this capture` : ''}.${rejectedBy}`,
      { index: nyvIdx, not_before: c?.not_before ?? null, days_early: ahead !== null ? ahead / DAY_MS : null, ...(certAlert ? alertEvidence(certAlert) : {}) },
    );
  }
  // clock skew: not yet valid by < 2 days, or an implausible capture time with a validity failure
  {
    const captureYear = ctx.captureTime.getUTCFullYear();
    const implausible = captureYear < 2000 || captureMs > ctx.now.getTime() + DAY_MS;
    const leafOffset = chain ? chain.leafValidityOffsetSec : null;
    const nb = parseDate(leaf?.not_before);
    const earlyMs = nb ? nb.getTime() - captureMs : leafOffset !== null && leafOffset < 0 ? -leafOffset * 1000 : null;
    if (validity[0] === 'not_yet_valid' && earlyMs !== null && earlyMs > 0 && earlyMs < 2 * DAY_MS) {
      add(
        'clock_skew_suspected',
        `The server certificate became valid only ${daysText(earlyMs)} after the capture time: a clock is probably behind (the capturing machine's or the client's), or the certificate was installed the moment it was issued. Check the clocks (NTP).`,
        { not_before: leaf?.not_before ?? null, capture_time: ctx.captureTime.toISOString(), early_hours: Number((earlyMs / 3_600_000).toFixed(2)) },
        { inferred: true },
      );
    } else if (implausible && (expiredIdx >= 0 || nyvIdx >= 0)) {
      add(
        'clock_skew_suspected',
        `The capture time ${ctx.captureTime.toISOString()} is implausible (${captureYear < 2000 ? 'before 2000' : 'in the future'}), so the certificate validity result is unreliable: the capturing machine's clock was probably wrong.`,
        { capture_time: ctx.captureTime.toISOString(), now: ctx.now.toISOString() },
        { inferred: true },
      );
    }
  }
  if (chain?.hostnameMatches === false && leaf) {
    const names = [...(leaf.san?.dns ?? []), ...(leaf.san?.ip ?? [])];
    if (names.length === 0 && leaf.subject_cn) names.push(leaf.subject_cn);
    const shown = names.slice(0, 5).map((n) => safeTextShort(n, 60)).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
    add(
      'cert_hostname_mismatch',
      `The server certificate does not cover the name the client asked for: "${name ? safeTextShort(name, 80) : '(no SNI)'}"; it is valid for ${shown || 'no names'}.${rejectedBy} Install a certificate for that name, or check the SNI/virtual host configuration.`,
      { server_name: name, certificate_names: names, ...(certAlert ? alertEvidence(certAlert) : {}) },
      { severity: certSeverity('high') },
    );
  }
  const selfSigned = chain ? chain.selfSigned && !chain.trusted : leaf?.self_signed === true && s.certificates.length === 1;
  if (selfSigned && leaf) {
    add(
      'cert_self_signed',
      `The server ${target} presents a self-signed certificate ("${safeTextShort(leaf.subject_cn ?? leaf.subject ?? '?', 60)}").${rejectedBy} Clients will not trust it unless it is installed as a trust anchor; use a certificate from a trusted CA.`,
      { subject: leaf.subject ?? null, ...(certAlert ? alertEvidence(certAlert) : {}) },
      { severity: certSeverity('medium') },
    );
  }
  // A lone leaf whose (unsent) issuer is named like a root CA was most likely issued directly by a
  // private root: servers do not send the root, so nothing is missing from the chain, it is untrusted.
  const missingIssuer = chain?.missingIssuer ?? null;
  const issuedByUnknownRoot =
    chain?.incomplete === true && s.certificates.length === 1 && missingIssuer !== null &&
    /\broot\b/i.test(missingIssuer) && !/intermediate|issuing|subordinate|\bsub\b/i.test(missingIssuer);
  if (chain?.incomplete && !issuedByUnknownRoot) {
    add(
      'cert_chain_incomplete',
      `The server ${target} sent ${s.certificates.length} certificate${s.certificates.length === 1 ? '' : 's'} but not the intermediate${chain.missingIssuer ? ` "${safeTextShort(chain.missingIssuer, 80)}"` : ''} needed to reach a trusted root.${rejectedBy} Configure the server to send the full chain (leaf + intermediates).`,
      { missing_issuer: chain.missingIssuer, sent: s.certificates.length, ...(certAlert ? alertEvidence(certAlert) : {}) },
      { severity: certSeverity('medium') },
    );
  }
  if (issuedByUnknownRoot) {
    add(
      'cert_untrusted',
      `The server certificate of ${target} was issued directly by "${safeTextShort(missingIssuer ?? '?', 80)}", a root CA that is not in tlsscope's trust store (a private CA).${rejectedBy} Use a certificate from a publicly trusted CA, or install the private CA on the clients.`,
      { missing_issuer: missingIssuer, sent: s.certificates.length, ...(certAlert ? alertEvidence(certAlert) : {}) },
      { severity: certSeverity('medium'), inferred: true },
    );
  } else if (chain && !chain.trusted && !selfSigned && !chain.incomplete) {
    const link = chain.linkErrors[0];
    add(
      'cert_untrusted',
      `The certificate chain of ${target} does not lead to a trusted root${link ? ` (certificate #${link.index} does not link to the next: ${link.reason})` : ''}.${rejectedBy} Use a certificate from a publicly trusted CA, or install the private CA on the clients.`,
      { link_errors: chain.linkErrors, ...(certAlert ? alertEvidence(certAlert) : {}) },
      { severity: certSeverity('medium') },
    );
  } else if (certAlert && certAlert.description !== 45 && !out.has('cert_expired') && !out.has('cert_not_yet_valid') && !out.has('cert_hostname_mismatch') && !out.has('cert_self_signed') && !out.has('cert_chain_incomplete')) {
    const anchor = chain?.trusted ? ` although it chains to "${safeTextShort(chain.anchor ?? '?', 80)}" in tlsscope's trust store (the client's trust store differs)` : '';
    // TLS 1.3 hides the certificate: only the alert tells what the client disliked
    const hidden = s.certificates.length === 0 && (tls13 || s.certificates_encrypted);
    const causes =
      certAlert.description === 48
        ? ['cert_untrusted', 'cert_self_signed', 'cert_chain_incomplete']
        : certAlert.description === 42 || certAlert.description === 46
          ? ['cert_hostname_mismatch', 'cert_not_yet_valid', 'weak_key', 'weak_signature', 'cert_untrusted']
          : [];
    const hint =
      certAlert.description === 48
        ? hidden
          ? ' The certificate is encrypted (TLS 1.3): it comes from a CA the client does not trust, is self-signed, or the server does not send an intermediate certificate.'
          : ' Often the server does not send an intermediate certificate, or the certificate comes from a private CA the client does not have.'
        : certAlert.description === 44
          ? ' The certificate has been revoked: replace it.'
          : hidden
            ? ' The certificate is encrypted (TLS 1.3); OpenSSL clients send this alert for a name that does not match (SNI), a certificate not yet valid, or a key or signature too weak for their security level.'
            : ' Check the chain, the names and the key usage of the certificate.';
    // With the certificate hidden, bad_certificate (42) from a client that asked for a name most
    // often means the name did not match (OpenSSL, curl, Go send 42 for it): say that, as an inference.
    const nameLikely = hidden && certAlert.description === 42 && s.server_name !== null;
    add(
      nameLikely ? 'cert_hostname_mismatch' : 'cert_untrusted',
      `The client rejected the server certificate of ${target} with alert ${alertLabel(certAlert)} right after ${stepLabel(certAlert.after)}${anchor}.${hint}${nameLikely ? ` Most often it does not cover "${safeTextShort(s.server_name ?? '', 80)}".` : ''}`,
      { ...alertEvidence(certAlert), ...(hidden && causes.length ? { certificate_hidden: true, possible_causes: causes } : {}) },
      nameLikely ? { inferred: true } : {},
    );
  }
  if (chain?.incomplete && !issuedByUnknownRoot && certAlert?.description === 48) {
    // unknown_ca for a leaf whose issuer was not sent: a missing intermediate, or a private CA the
    // client does not have (the wire cannot tell which)
    add(
      'cert_untrusted',
      `The client rejected the server certificate of ${target} with alert ${alertLabel(certAlert)}: its issuer "${safeTextShort(missingIssuer ?? '?', 80)}" was not sent and is not a known root, so either the server omits that intermediate (see cert_chain_incomplete) or the certificate comes from a private CA the client does not trust.`,
      { ...alertEvidence(certAlert), missing_issuer: missingIssuer },
      { severity: 'medium', inferred: true },
    );
  }

  // ------------------------------------------------ client certificates
  if (s.client_certificate_requested && failed) {
    const a = serverFatal.find((x) => x.description !== null && [40, 42, 116].includes(x.description));
    if (s.client_certificates.length === 0 && (a || s.flags.reset_by === 'server' || (serverFatal.length === 0 && closedHard))) {
      add(
        'client_cert_missing',
        `The server asked for a client certificate and the client sent none; the server then ${a ? `ended the handshake with alert ${alertLabel(a)}` : s.flags.reset_by === 'server' ? 'reset the connection' : 'closed the connection'}. Configure the client with a certificate (and key) the server accepts.`,
        { ...(a ? alertEvidence(a) : {}), reset_by: s.flags.reset_by },
        { inferred: a === undefined },
      );
    } else if (s.client_certificates.length > 0) {
      const r = serverFatal.find((x) => x.description !== null && [42, 43, 44, 45, 46, 48, 49, 51].includes(x.description));
      if (r) {
        const cc = s.client_certificates[0];
        add(
          'client_cert_rejected',
          `The server rejected the client certificate${cc?.subject_cn ? ` "${safeTextShort(cc.subject_cn, 60)}"` : ''} with alert ${alertLabel(r)}${ALERT_MEANING[r.description as number] ? ` (${ALERT_MEANING[r.description as number]})` : ''}. Check that it is issued by a CA the server trusts and still valid.`,
          { ...alertEvidence(r), client_subject_cn: cc?.subject_cn ?? null },
        );
      }
    }
  }

  // TLS 1.3: the CertificateRequest, the client's Certificate and the server's alert are all
  // encrypted. A server that answers the client's Finished with one alert-sized encrypted record and
  // closes, without a session ticket or any data, rejected the client's flight: almost always the
  // client certificate (certificate_required when none was sent). The session builder may have
  // counted the handshake as established (the client's Finished was seen).
  if (tls13 && sh && !firstFatal) {
    const serverAlert = s.alerts.find((a) => a.from === 'server' && a.encrypted);
    const firstAlert = s.alerts[0];
    const clientFinishedIdx = serverAlert ? s.steps.findIndex((x) => x.from === 'client' && x.step === 'finished') : -1;
    const serverAlertIdx = clientFinishedIdx >= 0 ? s.steps.findIndex((x) => x.from === 'server' && x.step === 'encrypted_alert') : -1;
    const serverData = s.counts.server.application_data_records > 0 || s.steps.some((x) => x.from === 'server' && (x.step === 'application_data' || x.step === 'new_session_ticket'));
    const closed = s.flags.fin_by === 'server' || s.flags.reset_by === 'server' || closedHard;
    if (serverAlert && firstAlert === serverAlert && clientFinishedIdx >= 0 && serverAlertIdx > clientFinishedIdx && !serverData && closed) {
      // the client's encrypted bytes: an empty Certificate + Finished (+ a first request) stay small;
      // a certificate with its CertificateVerify adds several hundred bytes
      const chRecord = ch ? ch.length + 9 : 0;
      const clientEnc = Math.max(0, s.counts.client.bytes - chRecord - 6 * s.counts.client.change_cipher_spec);
      const sentCert = clientEnc >= 600;
      const code = sentCert ? 'client_cert_rejected' : 'client_cert_missing';
      add(
        code,
        `TLS 1.3: right after the client's Finished the server sent one alert-sized encrypted record and closed the connection, without a session ticket or any data: the server rejected the client's flight. ${sentCert ? `The client sent ${clientEnc} encrypted bytes, enough for a certificate: most likely the server rejected the client certificate (untrusted CA, expired, wrong key usage).` : `The client sent only ${clientEnc} encrypted bytes, too few for a certificate: most likely the server requires a client certificate and the client sent none (alert certificate_required, encrypted).`} Configure the client with a certificate (and key) the server accepts.`,
        { alert_from: 'server', alert_after: serverAlert.after, encrypted: true, client_encrypted_bytes: clientEnc, fin_by: s.flags.fin_by, reset_by: s.flags.reset_by },
        { inferred: true },
      );
    }
  }

  // ------------------------------------------------ ALPN
  {
    const a120 = fatalWith(120);
    if (a120) {
      add(
        'alpn_mismatch',
        `${who(a120.from)} ended the handshake with alert no_application_protocol (120): no application protocol in common (the client offered ${ch && ch.alpn.length ? ch.alpn.map((p) => safeTextShort(p, 30)).join(', ') : 'none'}).`,
        { ...alertEvidence(a120), client_alpn: ch?.alpn ?? [] },
      );
    } else if (ch && sh?.alpn !== undefined && !ch.alpn.includes(sh.alpn)) {
      add(
        'alpn_mismatch',
        `The server selected application protocol "${safeTextShort(sh.alpn, 30)}", which the client did not offer (${ch.alpn.length ? ch.alpn.map((p) => safeTextShort(p, 30)).join(', ') : 'no ALPN'}).`,
        { server_alpn: sh.alpn, client_alpn: ch.alpn },
      );
    }
  }

  // ------------------------------------------------ TLS 1.3: encrypted rejection inferred from the record pattern
  if (tls13 && sh && !firstFatal && failed) {
    const c = s.counts.client;
    const encAlert = s.alerts.find((a) => a.from === 'client' && a.encrypted);
    const serverFlight = s.steps.some((x) => x.from === 'server' && x.step !== 'server_hello' && x.step !== 'change_cipher_spec' && !x.step.includes('alert')) || s.counts.server.application_data_records > 0;
    const alertSized = c.application_data_records === 1 && c.application_data_bytes > 0 && c.application_data_bytes <= 32;
    const clientFinished = s.steps.some((x) => x.from === 'client' && x.step === 'finished');
    // node's TLS client sends no alert at all: it closes right after the server's flight
    const silentClose = c.application_data_records === 0 && !encAlert && (s.flags.fin_by === 'client' || s.flags.reset_by === 'client');
    if (serverFlight && !clientFinished && (((encAlert || alertSized) && (closedHard || encAlert)) || silentClose)) {
      add(
        'tls13_client_rejected_cert',
        `After the server's encrypted TLS 1.3 flight the client sent ${silentClose ? 'nothing' : encAlert ? 'an alert-sized encrypted record' : `one alert-sized encrypted record (${c.application_data_bytes} bytes)`} instead of its Finished${s.flags.closed_by || s.flags.reset_by ? ' and closed the connection' : ''}: the client most likely rejected the server certificate of ${target} (untrusted CA, expired, or wrong name). The alert itself is encrypted; check the certificate and the client's trust store.`,
        { alert_after: encAlert?.after ?? null, closed_by: s.flags.closed_by, reset_by: s.flags.reset_by },
        { inferred: true },
      );
    }
  }

  // ------------------------------------------------ resets and generic failure
  if (failed && s.flags.reset_by) {
    const last = [...s.steps].reverse().find((x) => x.step !== 'established');
    const afterTxt = last ? `after ${last.from === 'client' ? "the client's" : "the server's"} ${stepLabel(last.step).replace(/^(the|an|a) /, '')}` : 'before any TLS message';
    const noSh = ch && !sh ? ', before any ServerHello' : '';
    add(
      'reset_during_handshake',
      `${who(s.flags.reset_by)} reset the TCP connection ${afterTxt}${noSh}, before the handshake completed${s.flags.reset_by === 'server' && ch && !sh ? ' (a firewall, load balancer or the server refusing the ClientHello)' : ''}.`,
      { reset_by: s.flags.reset_by, after_step: last?.step ?? null, after_from: last?.from ?? null },
    );
  }
  if (failed && firstFatal) {
    add('handshake_failed', `The handshake with ${target} failed: ${alertSentence(firstFatal).replace(/^The /, 'the ')}.`, alertEvidence(firstFatal));
  } else if (failed && !tls13) {
    const enc = s.alerts.find((a) => a.encrypted);
    if (enc && s.steps.some((x) => x.step === 'finished' || x.step === 'change_cipher_spec')) {
      add(
        'handshake_failed',
        `The handshake with ${target} failed: ${enc.from === 'client' ? 'the client' : 'the server'} sent an encrypted alert right after ${stepLabel(enc.after)} (its content cannot be read; often a Finished/MAC check failure or a certificate rejection).`,
        { alert_from: enc.from, alert_after: enc.after, encrypted: true },
        { inferred: true },
      );
    }
  }

  // ------------------------------------------------ weaknesses (negotiated parameters)
  if (sh || s.protocol === 'ssl2') {
    const v = s.protocol === 'ssl2' ? 0x0002 : negotiatedVersion;
    if (v !== null && versionRank(v) >= 1 && versionRank(v) <= 4 && !(v >= 0xfe00)) {
      const sev: Severity = versionRank(v) <= 2 ? 'high' : 'medium';
      add('weak_protocol', `The connection to ${target} uses ${tlsVersionName(v)}, which is obsolete and insecure: enable TLS 1.2 or 1.3 on the server and the client.`, { version: v, version_name: tlsVersionName(v) }, { severity: sev });
    }
    const cs = s.cipher_suite ?? sh?.cipher_suite ?? null;
    const csName = s.cipher_suite_name ?? sh?.cipher_suite_name ?? (cs !== null ? WEAK_CIPHER_FALLBACK[cs] : undefined) ?? null;
    if (csName) {
      const w = cipherWeakness(csName);
      if (w) add('weak_cipher', `The connection to ${target} uses the cipher suite ${csName}: ${w.what}. Disable it on the server.`, { cipher_suite: cs, cipher_suite_name: csName, weakness: w.what }, { severity: w.severity });
      if (!tls13 && isNoForwardSecrecy(csName)) {
        add('no_forward_secrecy', `The connection to ${target} uses ${csName}, a key exchange without forward secrecy: anyone who later obtains the server's private key can decrypt recorded traffic. Prefer ECDHE suites.`, { cipher_suite: cs, cipher_suite_name: csName });
      }
    }
  }
  {
    const sigs: { index: number; alg: string; severity: Severity }[] = [];
    s.certificates.forEach((c, i) => {
      if (!c.signature_algorithm) return;
      if (i > 0 && i === s.certificates.length - 1 && c.self_signed) return; // a root's own signature does not matter
      const sev = signatureWeakness(c.signature_algorithm);
      if (sev !== null) sigs.push({ index: i, alg: c.signature_algorithm, severity: sev });
    });
    const weak = chain?.weak ?? NO_WEAK;
    for (let wi = 0; wi < weak.length; wi++) {
      const w = weak[wi] as { index: number; what: string };
      if ((w.what === 'sha1_signature' || w.what === 'md5_signature') && !sigs.some((x) => x.index === w.index)) {
        sigs.push({ index: w.index, alg: w.what === 'md5_signature' ? 'MD5' : 'SHA-1', severity: w.what === 'md5_signature' ? 'high' : 'medium' });
      }
    }
    if (sigs.length) {
      sigs.sort((a, b) => a.index - b.index);
      const sev: Severity = sigs.some((x) => x.severity === 'high') ? 'high' : 'medium';
      add(
        'weak_signature',
        `${sigs.map((x, i) => `${i === 0 ? 'The' : 'the'} ${certName(s.certificates[x.index], x.index)} is signed with ${x.alg}`).join('; ')}: such signatures can be forged. Reissue with SHA-256 or better.`,
        { certificates: sigs },
        { severity: sev },
      );
    }
  }
  {
    const keys: { what: string; severity: Severity }[] = [];
    s.certificates.forEach((c, i) => {
      const pk = c.public_key;
      if (!pk || pk.bits === undefined) return;
      const t = pk.type.toLowerCase();
      if ((t === 'rsa' || t === 'dsa' || t.includes('rsa')) && pk.bits < 2048) {
        keys.push({ what: `the ${certName(c, i)} has a ${pk.bits}-bit ${pk.type.toUpperCase()} key`, severity: pk.bits < 1024 ? 'high' : 'medium' });
      } else if ((t === 'ec' || t === 'ecdsa') && pk.bits < 256) {
        keys.push({ what: `the ${certName(c, i)} has a ${pk.bits}-bit EC key${pk.curve ? ` (${pk.curve})` : ''}`, severity: 'medium' });
      }
    });
    const weak = chain?.weak ?? NO_WEAK;
    for (let wi = 0; wi < weak.length; wi++) {
      const w = weak[wi] as { index: number; what: string };
      const m = /^(rsa|ec|dsa)_(\d+)$/.exec(w.what);
      if (m && !keys.some((k) => k.what.includes(certName(s.certificates[w.index], w.index)))) {
        keys.push({ what: `the ${certName(s.certificates[w.index], w.index)} has a ${m[2]}-bit ${(m[1] as string).toUpperCase()} key`, severity: m[1] === 'rsa' && Number(m[2]) < 1024 ? 'high' : 'medium' });
      }
    }
    const dh = s.server_key_exchange?.dh_bits;
    if (dh !== undefined && dh < 2048) keys.push({ what: `the server's Diffie-Hellman group is only ${dh} bits`, severity: dh < 1024 ? 'high' : 'medium' });
    if (keys.length) {
      const text = keys.map((k) => k.what).join('; ');
      add('weak_key', `${text.charAt(0).toUpperCase()}${text.slice(1)}: too small by current standards (RSA/DH 2048 bits, EC 256 bits minimum).`, { keys: keys.map((k) => k.what) }, { severity: keys.some((k) => k.severity === 'high') ? 'high' : 'medium' });
    }
  }
  if (leaf && validity[0] === 'valid') {
    const na = parseDate(leaf.not_after);
    const days = ctx.expiringSoonDays ?? 30;
    if (na) {
      const left = na.getTime() - captureMs;
      if (left > 0 && left <= days * DAY_MS) {
        add(
          'cert_expiring_soon',
          `The server certificate of ${target} expires on ${isoDay(na)}, ${daysText(left)} after this capture: renew it soon.`,
          { not_after: leaf.not_after, days_left: Math.floor(left / DAY_MS), subject_cn: leaf.subject_cn ?? null },
        );
      }
    }
  }

  // ------------------------------------------------ information
  if (hrr) {
    const g = hrr.key_share_group;
    const extra = s.timing.hello_retry_extra_ms;
    add(
      'hello_retry_request',
      `The server sent a HelloRetryRequest${g !== undefined ? ` asking for key-exchange group ${groupName(g)}` : ''}: the client's first key share${ch && ch.key_shares.length ? ` (${ch.key_shares.map((k) => k.group_name || groupName(k.group)).join(', ')})` : ''} was not acceptable, costing one extra round trip${extra !== null ? ` (${extra.toFixed(1)} ms)` : ''}.`,
      { requested_group: g ?? null, requested_group_name: g !== undefined ? groupName(g) : null, client_key_shares: ch?.key_shares.map((k) => k.group) ?? [], extra_ms: extra },
    );
  }
  if (s.resumed) {
    add('resumed', `The session was resumed${s.resumption ? ` (${s.resumption === 'session_id' ? 'session id' : s.resumption === 'ticket' ? 'session ticket' : 'PSK'})` : ''}: an abbreviated handshake without a certificate.`, { resumption: s.resumption });
  }
  if (ch && (ch.ech || ch.extensions.includes(0xfe0d))) {
    add(
      'ech_offered',
      `The client offered Encrypted Client Hello: the real server name is encrypted; the visible SNI ${name ? `"${safeTextShort(name, 80)}"` : '(none)'} is only the public name.`,
      { outer_server_name: name, config_id: ch.ech?.config_id ?? null, type: ch.ech?.type ?? null },
    );
  }
  {
    const negotiated = sh?.key_share_group;
    const offered = pqOffered(ch);
    if (negotiated !== undefined && PQ_GROUPS.has(negotiated)) {
      add('post_quantum_key_exchange', `The connection negotiated the post-quantum hybrid key exchange ${groupName(negotiated)} (0x${negotiated.toString(16)}).`, { negotiated: groupName(negotiated), offered: [...offered].map(groupName) });
    } else if (offered.size) {
      const chosen = negotiated !== undefined ? `; the server chose ${groupName(negotiated)}` : sh ? '' : '; no ServerHello was seen';
      add('post_quantum_key_exchange', `The client offered the post-quantum hybrid key exchange ${[...offered].map(groupName).join(', ')}${chosen}.`, { negotiated: negotiated !== undefined ? groupName(negotiated) : null, offered: [...offered].map(groupName) });
    }
  }

  // catalogue order
  if (out.size === 0) return [];
  const found: FindingJson[] = [];
  for (let i = 0; i < CATALOGUE_ORDER.length; i++) {
    const f = out.get(CATALOGUE_ORDER[i] as FindingCode);
    if (f !== undefined) found.push(f);
  }
  return found;
}

const CATALOGUE_ORDER = Object.keys(FINDING_CODES) as FindingCode[];

/** Signature algorithm names repeat: their weakness (MD5/MD2 high, SHA-1 medium), by name. */
const signatureWeakness = memo((name: string): Severity | null => {
  const alg = name.toLowerCase();
  return /md5|md2/.test(alg) ? 'high' : /sha1|sha-1/.test(alg.replace(/sha1\d{2}/, '')) ? 'medium' : null;
});

const NO_WEAK: readonly { index: number; what: string }[] = Object.freeze([]);
const NO_ALERTS: AlertJson[] = Object.freeze([]) as unknown as AlertJson[];
const NO_GROUPS: ReadonlySet<number> = new Set<number>();

/** The post-quantum groups a ClientHello offers (supported_groups, then key shares); a shared empty set when none (the usual case). */
function pqOffered(ch: ClientHelloJson | undefined): ReadonlySet<number> {
  if (ch === undefined) return NO_GROUPS;
  let offered: Set<number> | undefined;
  const groups = ch.supported_groups;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] as number;
    if (PQ_GROUPS.has(g)) (offered ??= new Set<number>()).add(g);
  }
  const shares = ch.key_shares;
  for (let i = 0; i < shares.length; i++) {
    const g = (shares[i] as { group: number }).group;
    if (PQ_GROUPS.has(g)) (offered ??= new Set<number>()).add(g);
  }
  return offered ?? NO_GROUPS;
}
