/**
 * Decoders for the other plaintext handshake messages. Each returns the
 * `HandshakeBody` for the event plus problems; certificate bytes are copied so
 * that the event does not pin the caller's chunk.
 */
import { cipherSuiteInfo } from '../registry/index.js';
import type { Decoded } from './client_hello.js';
import { readExtensions } from './extensions.js';
import { Reader, Truncated, type Problem } from './reader.js';
import type { HandshakeBody } from './types.js';

function fail(problems: Problem[], code: string, e: unknown): void {
  if (!(e instanceof Truncated)) throw e;
  problems.push({ code, detail: `truncated at ${e.what}` });
}

/**
 * Certificate (RFC 5246 7.4.2: `ASN.1Cert certificate_list<0..2^24-1>`).
 * When that layout does not fit exactly, the TLS 1.3 layout is tried
 * (RFC 8446 4.4.2: request context, then entries with extensions).
 */
export function decodeCertificate(body: Uint8Array): Decoded<HandshakeBody> {
  const problems: Problem[] = [];
  const tls12 = (): Uint8Array[] => {
    const r = new Reader(body);
    const list = r.vec(3, 'certificate_list');
    if (r.remaining !== 0) throw new Truncated('certificate_list length');
    const certs: Uint8Array[] = [];
    while (list.remaining > 0) {
      const c = list.vec(3, 'certificate');
      certs.push(c.bytes(c.remaining).slice());
    }
    return certs;
  };
  const tls13 = (): Uint8Array[] => {
    const r = new Reader(body);
    r.vec(1, 'certificate_request_context');
    const list = r.vec(3, 'certificate_list');
    if (r.remaining !== 0) throw new Truncated('certificate_list length');
    const certs: Uint8Array[] = [];
    while (list.remaining > 0) {
      const c = list.vec(3, 'cert_data');
      list.vec(2, 'extensions');
      certs.push(c.bytes(c.remaining).slice());
    }
    return certs;
  };
  try {
    return { value: { type: 'certificate', certs: tls12() }, problems };
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    try {
      return { value: { type: 'certificate', certs: tls13() }, problems };
    } catch (e2) {
      fail(problems, 'malformed_certificate', e);
      return { value: { type: 'certificate', certs: [] }, problems };
    }
  }
}

/** CertificateStatus (RFC 6066 8): status_type (1 = ocsp), OCSPResponse<1..2^24-1>. */
export function decodeCertificateStatus(body: Uint8Array): Decoded<HandshakeBody> {
  const problems: Problem[] = [];
  const r = new Reader(body);
  let statusType = -1;
  try {
    statusType = r.u8('status_type');
    const resp = r.vec(3, 'OCSPResponse');
    return { value: { type: 'certificate_status', statusType, ocsp: resp.bytes(resp.remaining).slice() }, problems };
  } catch (e) {
    fail(problems, 'malformed_certificate_status', e);
    return { value: { type: 'certificate_status', statusType, ocsp: new Uint8Array(0) }, problems };
  }
}

/** Bits of a big-endian unsigned integer (leading zero bits not counted). */
function bitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

/**
 * ServerKeyExchange. Needs the negotiated cipher suite (remembered from this
 * direction's ServerHello). ECDHE/ECDH_anon (RFC 8422 5.4): ECParameters with
 * curve_type 3 (named_curve) -> `group`. DHE/DH_anon (RFC 5246 7.4.3): dh_p
 * size in bits -> `dhBits`. PSK variants (RFC 4279 2, RFC 5489 2) start with
 * a psk_identity_hint. Unknown suite: guessed from the first byte (3 =
 * named_curve).
 */
export function decodeServerKeyExchange(body: Uint8Array, cipherSuite: number | undefined): Decoded<HandshakeBody> {
  const problems: Problem[] = [];
  const out: HandshakeBody & { type: 'server_key_exchange' } = { type: 'server_key_exchange', length: body.length };
  const info = cipherSuite === undefined ? undefined : cipherSuiteInfo(cipherSuite);
  let kind: 'ec' | 'dh' | 'none';
  if (info) kind = info.kx === 'ECDHE' || info.kx === 'ECDH' ? 'ec' : info.kx === 'DHE' || info.kx === 'DH' ? 'dh' : 'none';
  else kind = body[0] === 3 ? 'ec' : 'dh';
  const r = new Reader(body);
  try {
    if (info && info.auth === 'PSK') r.vec(2, 'psk_identity_hint');
    if (kind === 'ec') {
      const curveType = r.u8('curve_type');
      if (curveType === 3) out.group = r.u16('namedcurve');
    } else if (kind === 'dh') {
      const p = r.vec(2, 'dh_p');
      out.dhBits = bitLength(p.bytes(p.remaining));
    }
  } catch (e) {
    fail(problems, 'malformed_server_key_exchange', e);
  }
  return { value: out, problems };
}

/** NewSessionTicket (RFC 5077 3.3: lifetime hint u32, ticket<0..2^16-1>; RFC 8446 4.6.1 layout not visible in plaintext). */
export function decodeNewSessionTicket(body: Uint8Array): Decoded<HandshakeBody> {
  const problems: Problem[] = [];
  const r = new Reader(body);
  let lifetimeHint = 0;
  try {
    lifetimeHint = r.u32('ticket_lifetime_hint');
  } catch (e) {
    fail(problems, 'malformed_new_session_ticket', e);
  }
  return { value: { type: 'new_session_ticket', lifetimeHint, length: body.length }, problems };
}

/** EncryptedExtensions (RFC 8446 4.3.1): `Extension extensions<0..2^16-1>`; the ALPN protocol selected (RFC 7301 3.1). */
export function decodeEncryptedExtensions(body: Uint8Array): Decoded<HandshakeBody> {
  const problems: Problem[] = [];
  const out: HandshakeBody & { type: 'encrypted_extensions' } = { type: 'encrypted_extensions', extensions: [], length: body.length };
  const r = new Reader(body);
  try {
    out.extensions = readExtensions(r, 'server_hello', problems);
    if (r.remaining > 0) problems.push({ code: 'trailing_data', detail: `${r.remaining} bytes after encrypted_extensions` });
  } catch (e) {
    fail(problems, 'malformed_encrypted_extensions', e);
  }
  const alpn = out.extensions.find((e) => e.type === 16)?.value;
  if (Array.isArray(alpn) && typeof alpn[0] === 'string') out.alpn = alpn[0];
  return { value: out, problems };
}

const EMPTY_PROBLEMS: Problem[] = [];

/**
 * Any handshake message but the hellos, by type (RFC 8446 section 4, RFC 5246
 * section 7.4), for the TLS parser and the DTLS dissector alike; the hellos
 * have their own framing and parser state and are decoded by each caller.
 * Messages that carry nothing reported are kept as their length.
 */
export function decodeHandshakeMessage(msgType: number, body: Uint8Array, cipherSuite: number | undefined): Decoded<HandshakeBody> {
  switch (msgType) {
    case 11: return decodeCertificate(body);
    case 22: return decodeCertificateStatus(body);
    case 12: return decodeServerKeyExchange(body, cipherSuite);
    case 4: return decodeNewSessionTicket(body);
    case 8: return decodeEncryptedExtensions(body);
    case 20: return { value: { type: 'finished', length: body.length }, problems: EMPTY_PROBLEMS };
    case 13: return { value: { type: 'certificate_request', length: body.length }, problems: EMPTY_PROBLEMS };
    case 14: return { value: { type: 'server_hello_done' }, problems: EMPTY_PROBLEMS };
    case 15: return { value: { type: 'certificate_verify', length: body.length }, problems: EMPTY_PROBLEMS };
    case 16: return { value: { type: 'client_key_exchange', length: body.length }, problems: EMPTY_PROBLEMS };
    default: return { value: { type: 'other', msgType, length: body.length }, problems: EMPTY_PROBLEMS };
  }
}
