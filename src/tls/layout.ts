/**
 * Byte ranges of a handshake message's fields, for the terminal UI's hex
 * view: which bytes of the raw message a tree node stands for.
 *
 * Layouts (offsets into the whole message, handshake header included):
 * - Handshake header (RFC 8446 section 4, RFC 5246 section 7.4):
 *   msg_type(1) length(3).
 * - ClientHello (RFC 8446 section 4.1.2, RFC 5246 section 7.4.1.2):
 *   legacy_version(2) random(32) legacy_session_id<0..32>
 *   cipher_suites<2..2^16-2> legacy_compression_methods<1..2^8-1>
 *   extensions<8..2^16-1> (optional before TLS 1.3).
 * - ServerHello / HelloRetryRequest (RFC 8446 section 4.1.3, RFC 5246
 *   section 7.4.1.3): legacy_version(2) random(32) legacy_session_id_echo<0..32>
 *   cipher_suite(2) legacy_compression_method(1) extensions<6..2^16-1>;
 *   TLS 1.3 drafts before 22 have no session id and no compression method.
 * - Extension (RFC 8446 section 4.2): extension_type(2) extension_data<0..2^16-1>.
 * - Certificate (RFC 5246 section 7.4.2): certificate_list<0..2^24-1> of
 *   ASN.1Cert<1..2^24-1>; TLS 1.3 (RFC 8446 section 4.4.2, seen when
 *   decrypted): certificate_request_context<0..2^8-1> then CertificateEntry
 *   list (cert_data<1..2^24-1> extensions<0..2^16-1>).
 * - SSLv2 CLIENT-HELLO (type -1; RFC 5246 appendix E.2, RFC 6101 appendix
 *   E.1), from msg_type on: msg_type(1) version(2) cipher_spec_length(2)
 *   session_id_length(2) challenge_length(2) cipher_specs(3 each)
 *   session_id challenge.
 * - Any other type: the header and 'body'.
 *
 * Paths are stable: 'msg_type', 'length', 'legacy_version', 'random',
 * 'session_id', 'cipher_suites', 'cipher_suites/<i>', 'compression_methods',
 * 'extensions', 'extensions/<i>' (wire order) with '/type', '/length',
 * '/data'; ServerHello 'cipher_suite', 'compression_method'; Certificate
 * 'certificate_request_context' (TLS 1.3), 'certificates',
 * 'certificates/<i>'; SSLv2 'cipher_spec_length', 'session_id_length',
 * 'challenge_length', 'challenge'; 'body' for other types; 'trailing' for
 * bytes past the fields; a final 'truncated' when a field did not fit.
 *
 * Hostile input: every length is checked against the buffer; nothing throws
 * and no range leaves [0, bytes.length].
 */
import { extensionName } from '../registry/index.js';
import { isEarlyDraft } from './server_hello.js';

export interface FieldRange {
  path: string;
  label: string;
  start: number;
  end: number;
  children: FieldRange[];
}

/** A field that does not fit: where it starts and what it is. */
class Short {
  constructor(
    readonly what: string,
    readonly at: number,
    readonly need: number,
  ) {}
}

class Cur {
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}
  /** Throws `Short` unless n more bytes are there; `from`: where the field that needs them starts. */
  need(n: number, what: string, from = this.pos): void {
    if (n < 0 || this.end - this.pos < n) throw new Short(what, from, n + (this.pos - from));
  }
  uint(n: 1 | 2 | 3, what: string): number {
    this.need(n, what);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (this.b[this.pos + i] as number);
    this.pos += n;
    return v;
  }
}

const range = (path: string, label: string, start: number, end: number, children: FieldRange[] = []): FieldRange => ({ path, label, start, end, children });

function hex4(v: number): string {
  return `0x${v.toString(16).padStart(4, '0')}`;
}

/**
 * A length-prefixed vector (RFC 8446 section 3.4) at the cursor: its range
 * covers the length prefix and the content; returns the content bounds.
 */
function vector(c: Cur, lenBytes: 1 | 2 | 3, what: string): { start: number; body: number; end: number } {
  const start = c.pos;
  const n = c.uint(lenBytes, what);
  c.need(n, what, start);
  const body = c.pos;
  c.pos += n;
  return { start, body, end: c.pos };
}

function extensionsBlock(c: Cur, out: FieldRange[]): void {
  const start = c.pos;
  const n = c.uint(2, 'extensions');
  // the block's range covers what is there even when it claims more
  const end = Math.min(c.end, c.pos + n);
  const block = range('extensions', `extensions (${n} bytes)`, start, end);
  out.push(block);
  const e = new Cur(c.b, c.pos, end);
  for (let i = 0; e.pos < e.end; i++) {
    const at = e.pos;
    const p = `extensions/${i}`;
    e.need(4, p);
    const type = e.uint(2, `${p} type`);
    const len = e.uint(2, `${p} length`);
    e.need(len, p, at);
    e.pos += len;
    block.children.push(
      range(p, `${extensionName(type)} (${type}), ${len} bytes`, at, e.pos, [
        range(`${p}/type`, `extension_type ${type}`, at, at + 2),
        range(`${p}/length`, `length ${len}`, at + 2, at + 4),
        range(`${p}/data`, `extension_data (${len} bytes)`, at + 4, e.pos),
      ]),
    );
  }
  // it claims more than the message holds: what fits is shown, the rest is missing
  if (start + 2 + n > c.end) throw new Short('extensions', end, start + 2 + n - end);
  c.pos = end;
}

function suites(c: Cur, bytesPer: 2 | 3, list: { body: number; end: number }, parent: FieldRange): void {
  let i = 0;
  for (let o = list.body; o + bytesPer <= list.end; o += bytesPer, i++) {
    let v = 0;
    for (let k = 0; k < bytesPer; k++) v = v * 256 + (c.b[o + k] as number);
    parent.children.push(range(`cipher_suites/${i}`, bytesPer === 2 ? hex4(v) : `0x${v.toString(16).padStart(6, '0')}`, o, o + bytesPer));
  }
}

/** legacy_version and random, the start both hellos share (RFC 8446 4.1.2, 4.1.3); returns the version. */
function versionAndRandom(c: Cur, out: FieldRange[]): number {
  let at = c.pos;
  const v = c.uint(2, 'legacy_version');
  out.push(range('legacy_version', `legacy_version ${hex4(v)}`, at, c.pos));
  at = c.pos;
  c.need(32, 'random');
  c.pos += 32;
  out.push(range('random', 'random (32 bytes)', at, c.pos));
  return v;
}

function clientHello(c: Cur, out: FieldRange[]): void {
  versionAndRandom(c, out);
  const sid = vector(c, 1, 'session_id');
  out.push(range('session_id', `legacy_session_id (${sid.end - sid.body} bytes)`, sid.start, sid.end));
  const cs = vector(c, 2, 'cipher_suites');
  const csr = range('cipher_suites', `cipher_suites (${(cs.end - cs.body) >> 1})`, cs.start, cs.end);
  suites(c, 2, cs, csr);
  out.push(csr);
  const cm = vector(c, 1, 'compression_methods');
  out.push(range('compression_methods', `legacy_compression_methods (${cm.end - cm.body})`, cm.start, cm.end));
  if (c.pos < c.end) extensionsBlock(c, out);
}

function serverHello(c: Cur, out: FieldRange[]): void {
  const v = versionAndRandom(c, out);
  const early = isEarlyDraft(v);
  if (!early) {
    const sid = vector(c, 1, 'session_id');
    out.push(range('session_id', `legacy_session_id_echo (${sid.end - sid.body} bytes)`, sid.start, sid.end));
  }
  let at = c.pos;
  const cs = c.uint(2, 'cipher_suite');
  out.push(range('cipher_suite', `cipher_suite ${hex4(cs)}`, at, c.pos));
  if (!early) {
    at = c.pos;
    const m = c.uint(1, 'compression_method');
    out.push(range('compression_method', `legacy_compression_method ${m}`, at, c.pos));
  }
  if (c.pos < c.end) extensionsBlock(c, out);
}

function certificate(c: Cur, out: FieldRange[]): void {
  const b = c.b;
  const body = c.end - c.pos;
  // TLS <= 1.2: the list length is the rest of the body; otherwise TLS 1.3 (a context first)
  const u24at = (o: number): number => (o + 3 <= c.end ? ((b[o] as number) << 16) | ((b[o + 1] as number) << 8) | (b[o + 2] as number) : -1);
  const tls12 = u24at(c.pos) === body - 3;
  const ctx = !tls12 && body >= 1 ? (b[c.pos] as number) : -1;
  const tls13 = ctx >= 0 && u24at(c.pos + 1 + ctx) === body - 4 - ctx;
  if (tls13) {
    const v = vector(c, 1, 'certificate_request_context');
    out.push(range('certificate_request_context', `certificate_request_context (${v.end - v.body} bytes)`, v.start, v.end));
  }
  const start = c.pos;
  const n = c.uint(3, 'certificates');
  const end = Math.min(c.end, c.pos + n);
  const list = range('certificates', `certificate_list (${n} bytes)`, start, end);
  out.push(list);
  const e = new Cur(b, c.pos, end);
  for (let i = 0; e.pos < e.end; i++) {
    const p = `certificates/${i}`;
    const at = e.pos;
    const der = vector(e, 3, p);
    const kids = [range(`${p}/cert_data`, `cert_data (${der.end - der.body} bytes)`, der.start, der.end)];
    if (tls13) {
      const x = vector(e, 2, `${p}/extensions`);
      kids.push(range(`${p}/extensions`, `extensions (${x.end - x.body} bytes)`, x.start, x.end));
    }
    list.children.push(range(p, `certificate ${i} (${der.end - der.body} bytes)`, at, e.pos, kids));
  }
  if (start + 3 + n > c.end) throw new Short('certificates', end, start + 3 + n - end);
  c.pos = end;
}

function sslv2(c: Cur, out: FieldRange[]): void {
  let at = c.pos;
  const t = c.uint(1, 'msg_type');
  out.push(range('msg_type', `msg_type ${t} (SSLv2 CLIENT-HELLO)`, at, c.pos));
  at = c.pos;
  const v = c.uint(2, 'legacy_version');
  out.push(range('legacy_version', `version ${hex4(v)}`, at, c.pos));
  const lens: number[] = [];
  for (const name of ['cipher_spec_length', 'session_id_length', 'challenge_length']) {
    at = c.pos;
    const n = c.uint(2, name);
    lens.push(n);
    out.push(range(name, `${name} ${n}`, at, c.pos));
  }
  const [csLen, sidLen, chLen] = lens as [number, number, number];
  at = c.pos;
  c.need(csLen, 'cipher_suites');
  c.pos += csLen;
  const csr = range('cipher_suites', `cipher_specs (${Math.floor(csLen / 3)})`, at, c.pos);
  suites(c, 3, { body: at, end: c.pos }, csr);
  out.push(csr);
  at = c.pos;
  c.need(sidLen, 'session_id');
  c.pos += sidLen;
  out.push(range('session_id', `session_id (${sidLen} bytes)`, at, c.pos));
  at = c.pos;
  c.need(chLen, 'challenge');
  c.pos += chLen;
  out.push(range('challenge', `challenge (${chLen} bytes)`, at, c.pos));
}

/**
 * The field ranges of one handshake message. `bytes` = whole message:
 * 4-byte handshake header + body (type -1: SSLv2 CLIENT-HELLO from msg_type
 * on). Never throws: a field that does not fit ends the walk with a
 * 'truncated' range from where it starts to the end of the buffer.
 */
export function handshakeLayout(type: number, bytes: Uint8Array): FieldRange[] {
  const out: FieldRange[] = [];
  const len = bytes.length;
  const c = new Cur(bytes, 0, len);
  try {
    if (type === -1) {
      sslv2(c, out);
    } else {
      const t = c.uint(1, 'msg_type');
      out.push(range('msg_type', `msg_type ${t}`, 0, 1));
      const n = c.uint(3, 'length');
      out.push(range('length', `length ${n}`, 1, 4));
      // the body ends where the header says, or at the end of what is there
      const body = new Cur(bytes, 4, Math.min(len, 4 + n));
      try {
        if (type === 1) clientHello(body, out);
        else if (type === 2) serverHello(body, out);
        else if (type === 11) certificate(body, out);
        else if (body.end > body.pos) {
          out.push(range('body', `body (${body.end - body.pos} bytes)`, body.pos, body.end));
          body.pos = body.end;
        }
      } finally {
        c.pos = body.pos;
      }
      if (4 + n > len) throw new Short('body', c.pos, 4 + n - c.pos);
      c.pos = Math.max(c.pos, body.pos);
    }
    if (c.pos < len) out.push(range('trailing', `trailing data (${len - c.pos} bytes)`, c.pos, len));
  } catch (e) {
    const at = e instanceof Short ? Math.min(Math.max(0, e.at), len) : Math.min(c.pos, len);
    const what = e instanceof Short ? e.what : 'message';
    const need = e instanceof Short ? `${len - at} of ${Math.max(0, e.need)} bytes` : 'malformed';
    out.push(range('truncated', `truncated: ${what} does not fit (${need})`, at, len));
  }
  return out;
}
