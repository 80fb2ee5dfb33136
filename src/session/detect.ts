/**
 * Finding TLS in a byte stream by content, on any port, in either direction.
 *
 * - A ClientHello starts with a handshake record (RFC 8446 section 5.1:
 *   type 22, legacy_record_version 0x0300-0x0304) whose first handshake byte
 *   is client_hello (1), or an SSLv2-compatible ClientHello (RFC 5246
 *   appendix E.2: a 2-byte length with the high bit set, then msg_type 1).
 * - STARTTLS and proxies (SOCKS, HTTP CONNECT) are handled by scanning the
 *   plaintext prefix for the ClientHello, not by knowing each protocol: the
 *   prefix is then only classified, for the report.
 */

/** Largest TLSPlaintext/TLSCiphertext fragment we accept (2^14 + 2048, RFC 5246 section 6.2.3). */
export const MAX_RECORD = 16384 + 2048;

/** True when `b[o..]` starts a TLS record header that could carry a ClientHello. */
export function isClientHelloStart(b: Uint8Array, o: number): boolean {
  const n = b.length - o;
  if (n < 6) return false;
  if (b[o] === 22 && b[o + 1] === 3 && (b[o + 2] as number) <= 4) {
    const len = ((b[o + 3] as number) << 8) | (b[o + 4] as number);
    if (len < 4 || len > MAX_RECORD) return false;
    if (b[o + 5] !== 1) return false;
    if (n >= 9) {
      const hlen = ((b[o + 6] as number) << 16) | ((b[o + 7] as number) << 8) | (b[o + 8] as number);
      // a ClientHello is at least 38 bytes and at most 2^24; the message may span records
      if (hlen < 34) return false;
    }
    if (n >= 11) {
      // legacy_version inside the hello: SSL 3.0 .. TLS 1.2 (0x0300..0x0303), or a DTLS-looking value is rejected
      if (b[o + 9] !== 3 || (b[o + 10] as number) > 4) return false;
    }
    return true;
  }
  return isSslv2ClientHello(b, o);
}

/** SSLv2-compatible ClientHello (RFC 6101 appendix E.1 / RFC 5246 appendix E.2). */
export function isSslv2ClientHello(b: Uint8Array, o: number): boolean {
  const n = b.length - o;
  if (n < 11) return false;
  const b0 = b[o] as number;
  if ((b0 & 0x80) === 0) return false;
  const len = ((b0 & 0x7f) << 8) | (b[o + 1] as number);
  if (len < 9 || b[o + 2] !== 1) return false;
  const major = b[o + 3] as number;
  const minor = b[o + 4] as number;
  if (!((major === 0 && minor === 2) || (major === 3 && minor <= 4))) return false;
  const csLen = ((b[o + 5] as number) << 8) | (b[o + 6] as number);
  const sidLen = ((b[o + 7] as number) << 8) | (b[o + 8] as number);
  const chLen = ((b[o + 9] as number) << 8) | (b[o + 10] as number);
  if (csLen === 0 || csLen % 3 !== 0) return false;
  if (sidLen !== 0 && sidLen !== 16 && sidLen !== 32) return false;
  if (chLen < 16 || chLen > 32) return false;
  return 9 + csLen + sidLen + chLen === len;
}

/**
 * True when `b[o..]` looks like the start of a TLS record a server sends first:
 * handshake (22) or alert (21) with version 0x0300-0x0304, or an SSLv2 ServerHello.
 */
export function isServerTlsStart(b: Uint8Array, o: number): boolean {
  const n = b.length - o;
  if (n < 5) return false;
  const t = b[o] as number;
  if ((t === 22 || t === 21) && b[o + 1] === 3 && (b[o + 2] as number) <= 4) {
    const len = ((b[o + 3] as number) << 8) | (b[o + 4] as number);
    if (len < 2 || len > MAX_RECORD) return false;
    if (t === 21) return len === 2 ? n < 6 || (b[o + 5] === 1 || b[o + 5] === 2) : true;
    if (n >= 6) {
      const ht = b[o + 5] as number;
      // server_hello, hello_verify... or certificate etc. (a server starting mid-flight)
      return ht === 2 || ht === 11 || ht === 12 || ht === 13 || ht === 14 || ht === 4;
    }
    return true;
  }
  // SSLv2 ServerHello: 2-byte header with high bit, msg type 4
  if ((t & 0x80) !== 0 && n >= 3 && b[o + 2] === 4) {
    const len = ((t & 0x7f) << 8) | (b[o + 1] as number);
    return len >= 11;
  }
  return false;
}

/**
 * A ServerHello record start (RFC 8446 4.1.3): handshake record, version
 * 0x0300-0x0304, first message server_hello with a 3.x legacy version. Used to
 * find TLS from the server side when the ClientHello was not captured.
 */
export function isServerHelloStart(b: Uint8Array, o: number): boolean {
  const n = b.length - o;
  if (n < 11) return false;
  if (b[o] !== 22 || b[o + 1] !== 3 || (b[o + 2] as number) > 4) return false;
  const len = ((b[o + 3] as number) << 8) | (b[o + 4] as number);
  if (len < 42 || len > MAX_RECORD || b[o + 5] !== 2) return false;
  const hlen = ((b[o + 6] as number) << 16) | ((b[o + 7] as number) << 8) | (b[o + 8] as number);
  if (hlen < 38) return false;
  return b[o + 9] === 3 || b[o + 9] === 0x7f;
}

/**
 * A plausible TLS record header at `o` (any content type 20-24, version
 * 0x0300-0x0304, length within limits), used to pick up a stream captured
 * mid-flight. `strict` additionally requires the next header (when present in
 * the buffer) to be plausible too, or the record to end exactly at the buffer end.
 */
export function isRecordHeader(b: Uint8Array, o: number, strict: boolean): boolean {
  const n = b.length - o;
  if (n < 5) return false;
  const t = b[o] as number;
  if (t < 20 || t > 24 || b[o + 1] !== 3 || (b[o + 2] as number) > 4) return false;
  const len = ((b[o + 3] as number) << 8) | (b[o + 4] as number);
  if (len === 0 || len > MAX_RECORD) return false;
  if (!strict) return true;
  const next = o + 5 + len;
  if (next === b.length) return true;
  if (next + 5 <= b.length) return isRecordHeader(b, next, false);
  return false;
}

/** Scan `b` from `from` for the first offset where `pred` holds; -1 when none. */
export function scan(b: Uint8Array, from: number, pred: (b: Uint8Array, o: number) => boolean): number {
  for (let o = from; o + 5 <= b.length; o++) {
    const c = b[o] as number;
    // cheap pre-filter: a TLS record starts with 20..24, an SSLv2 header with the high bit set
    if ((c >= 20 && c <= 24) || c >= 0x80) {
      if (pred(b, o)) return o;
    }
  }
  return -1;
}

/** The first `max` bytes, one character each (Latin-1). */
function ascii(b: Uint8Array, max = 512): string {
  return Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, max)).toString('latin1');
}

export interface PrefixClass {
  /** STARTTLS application protocol, when recognised. */
  starttls?: string;
  /** Proxy protocol, when recognised. */
  proxy?: string;
  /** Host the proxy was asked to reach (HTTP CONNECT / SOCKS4a / SOCKS5 domain). */
  proxyTarget?: string;
}

/**
 * Classify the plaintext that preceded TLS in a stream: which STARTTLS
 * protocol or proxy it was. `client` and `server` are the bytes each side sent
 * before its TLS began (may be empty).
 */
export function classifyPrefix(client: Uint8Array, server: Uint8Array, serverPort: number): PrefixClass {
  const c = ascii(client);
  const s = ascii(server);
  const cu = c.toUpperCase();
  const out: PrefixClass = {};
  // proxies first: their prefix is binary or a CONNECT line
  const b0 = client[0];
  if (b0 === 0x04 && client.length >= 9 && client[1] === 0x01) {
    out.proxy = 'socks4';
    const port = ((client[2] as number) << 8) | (client[3] as number);
    let ip = `${client[4]}.${client[5]}.${client[6]}.${client[7]}`;
    // SOCKS4a: 0.0.0.x then user id NUL then host NUL
    const nul = client.indexOf(0, 8);
    if (client[4] === 0 && client[5] === 0 && client[6] === 0 && nul > 0) {
      const end = client.indexOf(0, nul + 1);
      if (end > nul) ip = ascii(client.subarray(nul + 1, end), 255);
    }
    out.proxyTarget = `${ip}:${port}`;
    return out;
  }
  if (b0 === 0x05 && client.length >= 3) {
    out.proxy = 'socks5';
    // greeting: 05 n methods..., then request: 05 01 00 atyp addr port
    const greetLen = 2 + (client[1] as number);
    const r = greetLen;
    if (client[r] === 5 && client[r + 1] === 1) {
      const atyp = client[r + 3];
      if (atyp === 1 && client.length >= r + 10) {
        out.proxyTarget = `${client[r + 4]}.${client[r + 5]}.${client[r + 6]}.${client[r + 7]}:${((client[r + 8] as number) << 8) | (client[r + 9] as number)}`;
      } else if (atyp === 3) {
        const l = client[r + 4] as number;
        const host = ascii(client.subarray(r + 5, r + 5 + l), 255);
        const p = r + 5 + l;
        if (client.length >= p + 2) out.proxyTarget = `${host}:${((client[p] as number) << 8) | (client[p + 1] as number)}`;
      }
    }
    return out;
  }
  const connect = /^CONNECT\s+(\S+)\s+HTTP\/1\.[01]/i.exec(c);
  if (connect) {
    out.proxy = 'http_connect';
    out.proxyTarget = connect[1];
    return out;
  }
  // Postgres SSLRequest: length 8, code 80877103 (RFC-less: PostgreSQL protocol docs)
  if (client.length >= 8 && client[0] === 0 && client[1] === 0 && client[2] === 0 && client[3] === 8 &&
      client[4] === 0x04 && client[5] === 0xd2 && client[6] === 0x16 && client[7] === 0x2f) {
    out.starttls = 'postgres';
    return out;
  }
  // LDAP StartTLS extended request OID 1.3.6.1.4.1.1466.20037
  if (c.includes('1.3.6.1.4.1.1466.20037')) {
    out.starttls = 'ldap';
    return out;
  }
  if (/<stream:stream|jabber:client|jabber:server|urn:ietf:params:xml:ns:xmpp-tls/i.test(c + s)) {
    out.starttls = 'xmpp';
    return out;
  }
  if (/^(EHLO|HELO)\b/m.test(cu) || /^220[ -].*(SMTP|ESMTP)/im.test(s)) {
    out.starttls = 'smtp';
    return out;
  }
  if (/^\S+\s+STARTTLS\b/m.test(cu) && /^\* OK/m.test(s)) {
    out.starttls = 'imap';
    return out;
  }
  if (/^STLS\b/m.test(cu) || /^\+OK/m.test(s)) {
    out.starttls = 'pop3';
    return out;
  }
  if (/^AUTH\s+(TLS|SSL)\b/m.test(cu)) {
    out.starttls = 'ftp';
    return out;
  }
  if (/^(NICK|USER|CAP)\b/m.test(cu) || /^:\S+\s+(NOTICE|\d{3})\s/m.test(s)) {
    out.starttls = 'irc';
    return out;
  }
  if (/^STARTTLS\b/m.test(cu) && (serverPort === 119 || serverPort === 433 || /^20[01][ -]/m.test(s))) {
    out.starttls = 'nntp';
    return out;
  }
  if (/^STARTTLS\b/m.test(cu)) {
    out.starttls = serverPort === 143 ? 'imap' : serverPort === 110 ? 'pop3' : serverPort === 119 ? 'nntp' : serverPort === 25 || serverPort === 587 ? 'smtp' : 'unknown';
    return out;
  }
  if (client.length > 0 || server.length > 0) out.starttls = 'unknown';
  return out;
}
