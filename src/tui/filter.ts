/**
 * The session filter language of the terminal UI: a small parser and an
 * evaluator over `Session`s.
 *
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := unary (['and'] unary)*          (juxtaposition is AND)
 *   unary   := ('not' | '-') unary | primary
 *   primary := '(' expr ')' | term
 *   term    := FIELD OP VALUE | WORD
 *   OP      := ':' | '=' | '!=' | '>=' | '<=' | '>' | '<'
 *
 * Fields: sni, server, client, ip, port, version, status, finding, severity,
 * ja3, ja4, alpn, cipher, ms (handshake time). VALUE may list alternatives
 * with '|' (`status:failed|resumed`) and may be double-quoted. A bare word
 * matches the SNI (substring), an IP address (prefix) or a finding code
 * (substring). Matching is case-insensitive.
 *
 * Errors are `FilterError`s with the 0-based character position of the
 * offending token in the filter text.
 */
import type { Session } from '../core/model.js';
import type { Severity } from '../core/types.js';
import { sessionStatus } from '../cli/render.js';

export type Op = ':' | '=' | '!=' | '>=' | '<=' | '>' | '<';

export type FilterField =
  | 'sni' | 'server' | 'client' | 'ip' | 'port' | 'version' | 'status' | 'finding'
  | 'severity' | 'ja3' | 'ja4' | 'alpn' | 'cipher' | 'ms';

export type FilterExpr =
  | { kind: 'and'; left: FilterExpr; right: FilterExpr }
  | { kind: 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'term'; field: FilterField; op: Op; values: string[]; pos: number }
  | { kind: 'word'; word: string; pos: number };

export class FilterError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.name = 'FilterError';
    this.pos = pos;
  }
}

/** Fields with their help text (shown by the help overlay). */
export const FILTER_FIELDS: Record<FilterField, string> = {
  sni: 'server name contains',
  server: 'server ip, ip:port or CIDR',
  client: 'client ip, ip:port or CIDR',
  ip: 'client or server address',
  port: 'either port (also < > <= >=)',
  version: '1.2, tls1.3 (also < > ...)',
  status: 'ok failed resumed incomplete',
  finding: 'a finding code contains',
  severity: 'info low medium high; >= <',
  ja3: 'JA3 hash contains',
  ja4: 'JA4 contains',
  alpn: 'ALPN negotiated or offered',
  cipher: 'cipher suite contains',
  ms: 'handshake ms (> < >= <=)',
};

const ORDERED: ReadonlySet<FilterField> = new Set(['port', 'version', 'severity', 'ms']);
const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high'];
const STATUSES = ['ok', 'warn', 'failed', 'resumed', 'incomplete'];

// ------------------------------------------------------------------ tokens

type Token =
  | { t: 'lp'; pos: number }
  | { t: 'rp'; pos: number }
  | { t: 'word'; text: string; pos: number; quoted: boolean };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '(') { out.push({ t: 'lp', pos: i }); i++; continue; }
    if (c === ')') { out.push({ t: 'rp', pos: i }); i++; continue; }
    // a word: runs to whitespace or a parenthesis; a double-quoted part may contain anything but '"'
    const start = i;
    let text = '';
    let quoted = false;
    while (i < src.length) {
      const d = src[i] as string;
      if (d === ' ' || d === '\t' || d === '(' || d === ')') break;
      if (d === '"') {
        const end = src.indexOf('"', i + 1);
        if (end < 0) throw new FilterError('unterminated quote', i);
        text += src.slice(i + 1, end);
        if (i === start) quoted = true;
        i = end + 1;
        continue;
      }
      text += d;
      i++;
    }
    out.push({ t: 'word', text, pos: start, quoted });
  }
  return out;
}

// ------------------------------------------------------------------ parser

const OP_RE = /^([a-z0-9_]+)(!=|>=|<=|:|=|>|<)(.*)$/is;

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[], private readonly len: number) {}

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  parse(): FilterExpr {
    const e = this.or();
    const t = this.peek();
    if (t) throw new FilterError(t.t === 'rp' ? "unmatched ')'" : 'unexpected input', t.pos);
    return e;
  }

  private isKeyword(t: Token | undefined, kw: string): boolean {
    return t?.t === 'word' && !t.quoted && t.text.toLowerCase() === kw;
  }

  private or(): FilterExpr {
    let left = this.and();
    while (this.isKeyword(this.peek(), 'or')) {
      this.i++;
      const right = this.and();
      left = { kind: 'or', left, right };
    }
    return left;
  }

  private and(): FilterExpr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (!t || t.t === 'rp' || this.isKeyword(t, 'or')) return left;
      if (this.isKeyword(t, 'and')) this.i++;
      const right = this.unary();
      left = { kind: 'and', left, right };
    }
  }

  private unary(): FilterExpr {
    const t = this.peek();
    if (t === undefined) throw new FilterError('expected a term', this.len);
    if (this.isKeyword(t, 'not')) {
      this.i++;
      return { kind: 'not', expr: this.unary() };
    }
    if (t.t === 'word' && !t.quoted && t.text.startsWith('-')) {
      if (t.text === '-') {
        this.i++;
        return { kind: 'not', expr: this.unary() };
      }
      this.i++;
      return { kind: 'not', expr: this.term({ t: 'word', text: t.text.slice(1), pos: t.pos + 1, quoted: false }) };
    }
    return this.primary();
  }

  private primary(): FilterExpr {
    const t = this.peek();
    if (t === undefined) throw new FilterError('expected a term', this.len);
    if (t.t === 'lp') {
      this.i++;
      if (this.peek()?.t === 'rp') throw new FilterError('empty parentheses', (this.peek() as Token).pos);
      const e = this.or();
      const r = this.peek();
      if (r?.t !== 'rp') throw new FilterError("missing ')'", r ? r.pos : this.len);
      this.i++;
      return e;
    }
    if (t.t === 'rp') throw new FilterError("unexpected ')'", t.pos);
    if (this.isKeyword(t, 'or') || this.isKeyword(t, 'and')) throw new FilterError(`'${t.text}' needs a term before it`, t.pos);
    this.i++;
    return this.term(t);
  }

  private term(t: Token & { t: 'word' }): FilterExpr {
    if (t.text === '') throw new FilterError('expected a term', t.pos);
    const m = t.quoted ? null : OP_RE.exec(t.text);
    if (!m) return { kind: 'word', word: t.text.toLowerCase(), pos: t.pos };
    const name = (m[1] as string).toLowerCase();
    const op = m[2] as Op;
    const raw = m[3] as string;
    // an IPv6 address written bare ('2001:db8::1') is a word, not a field
    if (!Object.hasOwn(FILTER_FIELDS, name) && op === ':' && /^[0-9a-f]{1,4}$/.test(name)) return { kind: 'word', word: t.text.toLowerCase(), pos: t.pos };
    if (!Object.hasOwn(FILTER_FIELDS, name)) throw new FilterError(`unknown field '${name}' (fields: ${Object.keys(FILTER_FIELDS).join(' ')})`, t.pos);
    const field = name as FilterField;
    const valuePos = t.pos + name.length + op.length;
    if (raw === '') throw new FilterError(`'${name}${op}' needs a value`, valuePos);
    if ((op === '>' || op === '<' || op === '>=' || op === '<=') && !ORDERED.has(field)) {
      throw new FilterError(`'${op}' does not apply to ${field} (use ':')`, t.pos + name.length);
    }
    const values = raw.split('|').map((v) => v.toLowerCase());
    let off = valuePos;
    for (const v of values) {
      checkValue(field, v, off);
      off += v.length + 1;
    }
    return { kind: 'term', field, op, values, pos: t.pos };
  }
}

function checkValue(field: FilterField, v: string, pos: number): void {
  if (v === '') throw new FilterError('empty value', pos);
  switch (field) {
    case 'port':
      if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new FilterError(`bad port '${v}'`, pos);
      break;
    case 'ms':
      if (!/^\d+(\.\d+)?$/.test(v)) throw new FilterError(`bad number '${v}'`, pos);
      break;
    case 'severity':
      if (!SEVERITIES.includes(v as Severity)) throw new FilterError(`bad severity '${v}' (info low medium high)`, pos);
      break;
    case 'status':
      if (!STATUSES.includes(v)) throw new FilterError(`bad status '${v}' (${STATUSES.join(' ')})`, pos);
      break;
    case 'version':
      if (versionNumber(v) === null && !/^[a-z0-9. ]+$/.test(v)) throw new FilterError(`bad version '${v}'`, pos);
      break;
    case 'server': case 'client': case 'ip':
      if (v.includes('/') && parseCidr(v) === null) throw new FilterError(`bad address range '${v}'`, pos);
      break;
    default:
      break;
  }
}

/** Parse a filter; an empty (or blank) text gives null (match everything). Throws FilterError. */
export function parseFilter(src: string): FilterExpr | null {
  if (src.trim() === '') return null;
  return new Parser(tokenize(src), src.length).parse();
}

// ------------------------------------------------------------------ evaluator

/** Wire version number for '1.2', 'tls1.2', 'tls 1.2', 'ssl3', 'dtls1.2'; null when not one of those. */
export function versionNumber(v: string): number | null {
  const m = /^(d?tls|ssl)?\s*v?(\d)(?:\.(\d))?$/.exec(v.toLowerCase().trim());
  if (!m) return null;
  const kind = m[1] ?? '';
  const major = Number(m[2]);
  const minor = m[3] === undefined ? 0 : Number(m[3]);
  if (kind === 'dtls') return minor === 0 ? 0xfeff : minor === 2 ? 0xfefd : minor === 3 ? 0xfefc : null;
  if (kind === 'ssl' || (kind === '' && major === 3) || major === 2) {
    if (major === 3 && minor === 0) return 0x0300;
    if (major === 2 && minor === 0) return 0x0002;
    if (kind === 'ssl') return null;
  }
  if (major === 1 && minor >= 0 && minor <= 3) return 0x0301 + minor;
  return null;
}

/** A comparable rank for a session's version (DTLS mapped onto the TLS scale). */
function versionRank(n: number): number {
  if (n === 0xfeff) return 0x0302;
  if (n === 0xfefd) return 0x0303;
  if (n === 0xfefc) return 0x0304;
  return n;
}

function cmp(op: Op, a: number, b: number): boolean {
  switch (op) {
    case ':': case '=': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '<': return a < b;
    case '>=': return a >= b;
    case '<=': return a <= b;
  }
}

function parseIpv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    n = n * 256 + o;
  }
  return n;
}

function parseCidr(v: string): { net: number; bits: number } | null {
  const [a, b] = v.split('/');
  if (a === undefined || b === undefined || !/^\d{1,2}$/.test(b)) return null;
  const net = parseIpv4(a);
  const bits = Number(b);
  if (net === null || bits > 32) return null;
  return { net, bits };
}

function epString(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function matchAddr(e: { ip: string; port: number }, v: string): boolean {
  const ip = e.ip.toLowerCase();
  if (v.includes('/')) {
    const c = parseCidr(v);
    const n = parseIpv4(ip);
    if (!c || n === null) return false;
    if (c.bits === 0) return true;
    const shift = 32 - c.bits;
    return Math.floor(n / 2 ** shift) === Math.floor(c.net / 2 ** shift);
  }
  if (ip === v || epString(e).toLowerCase() === v) return true;
  // a prefix ending in a separator ('10.0.0.', 'fe80:') selects a range
  return (v.endsWith('.') || v.endsWith(':')) && ip.startsWith(v);
}

/** The filter's notion of a session's status. */
export function statusWords(s: Session): string[] {
  if (s.established) {
    const out = s.resumed ? ['ok', 'resumed'] : ['ok'];
    if (sessionStatus(s).startsWith('WARN')) out.push('warn');
    return out;
  }
  return sessionStatus(s).startsWith('FAILED') ? ['failed'] : ['incomplete'];
}

function severityRankOf(s: string): number {
  return SEVERITIES.indexOf(s as Severity);
}

function termMatchesValue(s: Session, field: FilterField, op: Op, v: string): boolean {
  const lc = (x: string | null | undefined): string => (x ?? '').toLowerCase();
  switch (field) {
    case 'sni':
      return s.server_name !== null && lc(s.server_name).includes(v);
    case 'server':
      return matchAddr(s.server, v);
    case 'client':
      return matchAddr(s.client, v);
    case 'ip':
      return matchAddr(s.server, v) || matchAddr(s.client, v);
    case 'port': {
      const n = Number(v);
      return cmp(op, s.server.port, n) || (op === ':' || op === '=' ? s.client.port === n : false);
    }
    case 'version': {
      const want = versionNumber(v);
      if (s.version === null) return false;
      if (want !== null) return cmp(op, versionRank(s.version), versionRank(want));
      return lc(s.version_name).replace(/\s+/g, '').includes(v.replace(/\s+/g, ''));
    }
    case 'status':
      return statusWords(s).includes(v);
    case 'finding':
      return s.findings.some((f) => f.code.toLowerCase().includes(v));
    case 'severity': {
      const want = severityRankOf(v);
      return s.findings.some((f) => cmp(op, severityRankOf(f.severity), want));
    }
    case 'ja3':
      return lc(s.client_hello?.ja3).includes(v) || lc(s.client_hello?.ja3_full).includes(v);
    case 'ja4': {
      const ch = s.client_hello;
      return !!ch && [ch.ja4, ch.ja4_r, ch.ja4_o, ch.ja4_ro].some((x) => lc(x).includes(v));
    }
    case 'alpn':
      return lc(s.alpn) === v || (s.client_hello?.alpn ?? []).some((a) => a.toLowerCase() === v);
    case 'cipher':
      return lc(s.cipher_suite_name).includes(v);
    case 'ms':
      return s.timing.handshake_ms !== null && cmp(op, s.timing.handshake_ms, Number(v));
  }
}

function wordMatches(s: Session, w: string): boolean {
  if (s.server_name !== null && s.server_name.toLowerCase().includes(w)) return true;
  if (s.server.ip.toLowerCase().startsWith(w) || s.client.ip.toLowerCase().startsWith(w)) return true;
  return s.findings.some((f) => f.code.toLowerCase().includes(w));
}

export function evaluate(e: FilterExpr | null, s: Session): boolean {
  if (e === null) return true;
  switch (e.kind) {
    case 'and': return evaluate(e.left, s) && evaluate(e.right, s);
    case 'or': return evaluate(e.left, s) || evaluate(e.right, s);
    case 'not': return !evaluate(e.expr, s);
    case 'word': return wordMatches(s, e.word);
    case 'term': {
      if (e.op === '!=') return !e.values.some((v) => termMatchesValue(s, e.field, '=', v));
      return e.values.some((v) => termMatchesValue(s, e.field, e.op, v));
    }
  }
}
