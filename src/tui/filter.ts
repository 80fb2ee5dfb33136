/**
 * The session filter language of the terminal UI: a small parser, a compiler
 * to a per-session predicate, and an evaluator over `Session`s.
 *
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := unary (['and'] unary)*          (juxtaposition is AND)
 *   unary   := ('not' | '-') unary | primary
 *   primary := '(' expr ')' | term
 *   term    := FIELD OP VALUES | WORD
 *   OP      := '~' | ':' | '=' | '!=' | '>=' | '<=' | '>' | '<'
 *   VALUES  := VALUE ('|' VALUE)*               (any of the alternatives)
 *   VALUE   := (CHAR | '"' QCHAR* '"')+          (QCHAR: '\"' and '\\' are escapes)
 *
 * `~` (and its older spelling `:`) matches loosely: substring for text fields,
 * equality for numbers, prefix or CIDR for addresses. `=` is an exact match,
 * `!=` its negation; `<` `<=` `>` `>=` apply to port, version, severity and ms.
 * `""` is the empty value (`sni=""`: sessions without SNI). A bare word
 * matches the SNI (substring), an IP address (prefix) or a finding code
 * (substring); a quoted word is never a keyword or a field. Matching is
 * case-insensitive. The per-field meanings are in FILTER_FIELDS.
 *
 * Errors are `FilterError`s with the 0-based character position of the
 * offending token in the filter text.
 *
 * Evaluation is compiled once per parsed expression (values lowercased,
 * numbers, versions and addresses parsed) and allocates nothing per session
 * on the common paths: the UI runs it over every session on each keypress.
 */
import type { Session } from '../core/model.js';
import type { Endpoint } from '../core/types.js';
import { primaryCause } from '../session/diagnose.js';

export type Op = '~' | ':' | '=' | '!=' | '>=' | '<=' | '>' | '<';

export type FilterField =
  | 'sni' | 'server' | 'client' | 'ip' | 'port' | 'version' | 'cipher' | 'status' | 'finding'
  | 'cause' | 'severity' | 'ja3' | 'ja3s' | 'ja4' | 'alpn' | 'id' | 'ms';

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

/**
 * Fields with their help text (shown by the help overlay, one line each; all
 * but `status` fit, with a gap, a 40-column half of an 80-column terminal).
 */
export const FILTER_FIELDS: Record<FilterField, string> = {
  sni: '~ contains, = exact, ="" no SNI',
  server: 'ip, ip:port, [v6]:port, CIDR',
  client: 'ip, ip:port, [v6]:port, CIDR',
  ip: 'client or server address',
  port: '= either port; < > server port',
  version: '1.2 tls1.3 dtls1.2 ssl3 < >',
  cipher: '~ name, = name or 0x1301',
  status: 'ok warn failed resumed incomplete established partial',
  finding: '= has code, ~ code contains',
  cause: 'failure cause code; ="" none',
  severity: 'worst finding: none..high',
  ja3: 'client JA3 hash (~ also full)',
  ja3s: 'server JA3S hash',
  ja4: 'client JA4 (~ also r/o/ro)',
  alpn: 'negotiated or offered ALPN',
  id: 'session id (= exact)',
  ms: 'handshake time, ms; < > <= >=',
};

/** What each status word means (for the README and tests). */
export const STATUS_HELP: Record<string, string> = {
  ok: 'established, no high-severity finding (STATUS column ok)',
  warn: 'established with a high-severity finding (STATUS column WARN)',
  failed: 'not established, with a high-severity finding (STATUS column FAILED; the `f` key)',
  resumed: 'an abbreviated (resumed) handshake',
  incomplete: 'not established and not failed',
  established: 'the handshake completed (ok or warn)',
  partial: 'not established and something is missing: midstream start, a gap, truncation, or no ClientHello/ServerHello seen',
};

const ORDERED: ReadonlySet<FilterField> = new Set(['port', 'version', 'severity', 'ms']);
const SEVERITY_WORDS: readonly string[] = ['none', 'info', 'low', 'medium', 'high'];
const STATUSES: readonly string[] = Object.keys(STATUS_HELP);
/** Fields where `=""` means "absent". */
const EMPTY_OK: ReadonlySet<FilterField> = new Set(['sni', 'server', 'client', 'ip', 'version', 'cipher', 'finding', 'cause', 'ja3', 'ja3s', 'ja4', 'alpn']);

// ------------------------------------------------------------------ tokens

type Token =
  | { t: 'lp'; pos: number }
  | { t: 'rp'; pos: number }
  /** `raw` is the source text of the word, quotes included. */
  | { t: 'word'; raw: string; pos: number };

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Index of the quote closing the one at `i`, or -1. */
function closingQuote(src: string, i: number): number {
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === '\\' && (src[j + 1] === '"' || src[j + 1] === '\\')) j += 2;
    else if (c === '"') return j;
    else j++;
  }
  return -1;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (isSpace(c)) { i++; continue; }
    if (c === '(') { out.push({ t: 'lp', pos: i }); i++; continue; }
    if (c === ')') { out.push({ t: 'rp', pos: i }); i++; continue; }
    // a word runs to whitespace or a parenthesis; a double-quoted part may contain anything
    const start = i;
    while (i < src.length) {
      const d = src[i] as string;
      if (isSpace(d) || d === '(' || d === ')') break;
      if (d === '"') {
        const end = closingQuote(src, i);
        if (end < 0) throw new FilterError('unterminated quote', i);
        i = end + 1;
        continue;
      }
      i++;
    }
    out.push({ t: 'word', raw: src.slice(start, i), pos: start });
  }
  return out;
}

interface Piece { text: string; pos: number; quoted: boolean }

/** Split `raw` from `from` on unquoted '|' (when `alts`), removing quotes and escapes. */
function pieces(raw: string, from: number, basePos: number, alts: boolean): Piece[] {
  const out: Piece[] = [];
  let text = '';
  let quoted = false;
  let start = from;
  let inQ = false;
  for (let i = from; i < raw.length; i++) {
    const c = raw[i] as string;
    if (inQ) {
      if (c === '\\' && (raw[i + 1] === '"' || raw[i + 1] === '\\')) { text += raw[i + 1]; i++; }
      else if (c === '"') inQ = false;
      else text += c;
    } else if (c === '"') {
      inQ = true;
      quoted = true;
    } else if (c === '|' && alts) {
      out.push({ text, pos: basePos + start, quoted });
      text = '';
      quoted = false;
      start = i + 1;
    } else {
      text += c;
    }
  }
  out.push({ text, pos: basePos + start, quoted });
  return out;
}

/**
 * `v` as a filter value: unchanged when it can be written bare, else double-quoted
 * (with `"` and `\` escaped), so `sni=${quoteValue(name)}` selects exactly that name.
 */
export function quoteValue(v: string): string {
  if (v !== '' && !/[\s"()|]/.test(v)) return v;
  return `"${v.replace(/[\\"]/g, '\\$&')}"`;
}

// ------------------------------------------------------------------ parser

const OP_RE = /^([a-z0-9_]+)(!=|>=|<=|~|:|=|>|<)/i;

function isField(name: string): name is FilterField {
  return Object.hasOwn(FILTER_FIELDS, name);
}

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
    return t?.t === 'word' && t.raw.toLowerCase() === kw;
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
    if (t.t === 'word' && t.raw.startsWith('-')) {
      this.i++;
      if (t.raw === '-') return { kind: 'not', expr: this.unary() };
      return { kind: 'not', expr: this.term(t.raw.slice(1), t.pos + 1) };
    }
    return this.primary();
  }

  private primary(): FilterExpr {
    const t = this.peek();
    if (t === undefined) throw new FilterError('expected a term', this.len);
    if (t.t === 'lp') {
      this.i++;
      const r0 = this.peek();
      if (r0?.t === 'rp') throw new FilterError('empty parentheses', r0.pos);
      const e = this.or();
      const r = this.peek();
      if (r?.t !== 'rp') throw new FilterError("missing ')'", r ? r.pos : this.len);
      this.i++;
      return e;
    }
    if (t.t === 'rp') throw new FilterError("unexpected ')'", t.pos);
    if (this.isKeyword(t, 'or') || this.isKeyword(t, 'and')) throw new FilterError(`'${t.raw}' needs a term before it`, t.pos);
    this.i++;
    return this.term(t.raw, t.pos);
  }

  private term(raw: string, pos: number): FilterExpr {
    if (raw === '') throw new FilterError('expected a term', pos);
    const m = OP_RE.exec(raw);
    const word = (): FilterExpr => {
      const w = (pieces(raw, 0, pos, false)[0] as Piece).text.toLowerCase();
      if (w === '') throw new FilterError('empty word', pos);
      return { kind: 'word', word: w, pos };
    };
    if (!m) {
      // 'sni = x' or '=x': an operator with no field before it
      if (/^(!=|>=|<=|~|=|>|<)/.test(raw)) throw new FilterError(`'${/^(!=|>=|<=|[~=<>])/.exec(raw)?.[0] ?? raw}' needs a field before it (no spaces: sni=x)`, pos);
      return word();
    }
    const name = (m[1] as string).toLowerCase();
    const op = m[2] as Op;
    // an IPv6 address written bare ('2001:db8::1') is a word, not a field
    if (!isField(name) && op === ':' && /^[0-9a-f]{1,4}$/.test(name)) return word();
    if (!isField(name)) throw new FilterError(`unknown field '${name}' (fields: ${Object.keys(FILTER_FIELDS).join(' ')})`, pos);
    const field = name;
    const opPos = pos + name.length;
    const valuePos = opPos + op.length;
    if (raw.length === m[0].length) throw new FilterError(`'${name}${op}' needs a value`, valuePos);
    if ((op === '>' || op === '<' || op === '>=' || op === '<=') && !ORDERED.has(field)) {
      throw new FilterError(`'${op}' does not apply to ${field} (use ~ or =)`, opPos);
    }
    const ps = pieces(raw, m[0].length, pos, true);
    const values: string[] = [];
    for (const p of ps) {
      const v = p.text.toLowerCase();
      checkValue(field, op, v, p);
      values.push(v);
    }
    return { kind: 'term', field, op, values, pos };
  }
}

const isExactOp = (op: Op): boolean => op === '=' || op === '!=';

function checkValue(field: FilterField, op: Op, v: string, p: Piece): void {
  const pos = p.pos;
  if (v === '') {
    if (p.quoted && isExactOp(op) && EMPTY_OK.has(field)) return;
    throw new FilterError(p.quoted && EMPTY_OK.has(field) ? 'empty value (only with = or !=)' : 'empty value', pos);
  }
  switch (field) {
    case 'port':
      if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new FilterError(`bad port '${v}'`, pos);
      break;
    case 'ms':
      if (!/^\d+(\.\d+)?$/.test(v)) throw new FilterError(`bad number '${v}'`, pos);
      break;
    case 'severity':
      if (!SEVERITY_WORDS.includes(v)) throw new FilterError(`bad severity '${v}' (${SEVERITY_WORDS.join(' ')})`, pos);
      break;
    case 'status':
      if (!STATUSES.includes(v)) throw new FilterError(`bad status '${v}' (${STATUSES.join(' ')})`, pos);
      break;
    case 'version':
      if (v === '') break;
      if (versionNumber(v) === null && (op !== ':' && op !== '~' || !/^[a-z0-9. ]+$/.test(v))) {
        throw new FilterError(`bad version '${v}' (1.0 1.1 1.2 1.3 tls1.2 ssl3 dtls1.2)`, pos);
      }
      break;
    case 'server': case 'client': case 'ip':
      if (v === '') break;
      if (v.includes('/')) {
        if (parseCidr(v) === null) throw new FilterError(`bad CIDR '${v}'`, pos);
      } else if (isExactOp(op) && parseAddr(v) === null) {
        throw new FilterError(`bad address '${v}' (ip, ip:port, [v6]:port or CIDR)`, pos);
      }
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

// ------------------------------------------------------------------ versions

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

const isDtls = (n: number): boolean => n >= 0xfe00;

/** A comparable rank for a version (DTLS mapped onto the TLS scale). */
function versionRank(n: number): number {
  if (n === 0xfeff) return 0x0302;
  if (n === 0xfefd) return 0x0303;
  if (n === 0xfefc) return 0x0304;
  return n;
}

function cmp(op: Op, a: number, b: number): boolean {
  switch (op) {
    case ':': case '~': case '=': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '<': return a < b;
    case '>=': return a >= b;
    case '<=': return a <= b;
  }
}

// ------------------------------------------------------------------ case-insensitive text, no allocation

/** `h` lowercased equals `n` (already lowercase). Allocates only for non-ASCII `h`. */
function eqFold(h: string, n: string): boolean {
  const len = h.length;
  for (let i = 0; i < len; i++) {
    let c = h.charCodeAt(i);
    if (c >= 128) return h.toLowerCase() === n;
    if (c >= 65 && c <= 90) c += 32;
    if (i >= n.length || c !== n.charCodeAt(i)) return false;
  }
  return len === n.length;
}

/** `h` lowercased contains `n` (already lowercase). Allocates only for non-ASCII `h`. */
function includesFold(h: string, n: string): boolean {
  let upper = false;
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    if (c >= 128) return h.toLowerCase().includes(n);
    if (c >= 65 && c <= 90) upper = true;
  }
  if (!upper) return h.includes(n);
  const m = n.length;
  outer: for (let i = 0; i + m <= h.length; i++) {
    for (let j = 0; j < m; j++) {
      let c = h.charCodeAt(i + j);
      if (c >= 65 && c <= 90) c += 32;
      if (c !== n.charCodeAt(j)) continue outer;
    }
    return true;
  }
  return false;
}

function startsFold(h: string, n: string): boolean {
  if (h.length < n.length) return false;
  for (let i = 0; i < n.length; i++) {
    let c = h.charCodeAt(i);
    if (c >= 128) return h.toLowerCase().startsWith(n);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== n.charCodeAt(i)) return false;
  }
  return true;
}

// ------------------------------------------------------------------ addresses

/** IPv4 in s[from, to) as a 32-bit number, or -1. */
function ipv4At(s: string, from: number, to: number): number {
  let n = 0;
  let parts = 0;
  let i = from;
  while (parts < 4) {
    let o = 0;
    let digits = 0;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      o = o * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || o > 255) return -1;
    n = n * 256 + o;
    parts++;
    if (parts < 4) {
      if (i >= to || s.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === to ? n : -1;
}

const V6_HEAD = new Uint16Array(8);
const V6_TAIL = new Uint16Array(8);

/** IPv6 in s[from, to) into `out` (8 groups); false when not one. No allocation. */
function ipv6At(s: string, from: number, to: number, out: Uint16Array): boolean {
  const pct = s.indexOf('%', from);
  if (pct >= 0 && pct < to) to = pct;
  let nh = 0;
  let nt = 0;
  let dbl = false;
  let i = from;
  if (to - from >= 2 && s.charCodeAt(i) === 58 && s.charCodeAt(i + 1) === 58) {
    dbl = true;
    i += 2;
  }
  while (i < to) {
    const gStart = i;
    let g = 0;
    let digits = 0;
    while (i < to && digits <= 4) {
      const c = s.charCodeAt(i);
      const h = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (h < 0) break;
      g = g * 16 + h;
      digits++;
      i++;
    }
    if (i < to && s.charCodeAt(i) === 46) {
      // embedded IPv4 in the last two groups
      const v4 = ipv4At(s, gStart, to);
      if (v4 < 0) return false;
      const buf = dbl ? V6_TAIL : V6_HEAD;
      let k = dbl ? nt : nh;
      if (k > 6) return false;
      buf[k++] = Math.floor(v4 / 65536);
      buf[k++] = v4 % 65536;
      if (dbl) nt = k; else nh = k;
      i = to;
      break;
    }
    if (digits === 0 || digits > 4) return false;
    if (dbl) { if (nt >= 8) return false; V6_TAIL[nt++] = g; } else { if (nh >= 8) return false; V6_HEAD[nh++] = g; }
    if (i === to) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < to && s.charCodeAt(i) === 58) {
      if (dbl) return false;
      dbl = true;
      i++;
    } else if (i === to) {
      return false;
    }
  }
  const total = nh + nt;
  if (dbl ? total > 7 : total !== 8) return false;
  for (let k = 0; k < 8; k++) out[k] = 0;
  for (let k = 0; k < nh; k++) out[k] = V6_HEAD[k] as number;
  for (let k = 0; k < nt; k++) out[8 - nt + k] = V6_TAIL[k] as number;
  return true;
}

/** A parsed address value: an IPv4 number or IPv6 groups, and a port or -1. */
interface AddrValue { v4: number; v6: Uint16Array | null; port: number }
interface CidrValue { v4: number; v6: Uint16Array | null; bits: number }

function parsePort(s: string): number {
  if (!/^\d{1,5}$/.test(s)) return -1;
  const n = Number(s);
  return n > 65535 ? -1 : n;
}

/** ip, ip:port, [v6], [v6]:port or bare v6; null when none of those. */
function parseAddr(v: string): AddrValue | null {
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    if (close < 0) return null;
    const g = new Uint16Array(8);
    if (!ipv6At(v, 1, close, g)) return null;
    if (close === v.length - 1) return { v4: -1, v6: g, port: -1 };
    if (v[close + 1] !== ':') return null;
    const port = parsePort(v.slice(close + 2));
    return port < 0 ? null : { v4: -1, v6: g, port };
  }
  const v4 = ipv4At(v, 0, v.length);
  if (v4 >= 0) return { v4, v6: null, port: -1 };
  const colon = v.indexOf(':');
  if (colon >= 0 && colon === v.lastIndexOf(':')) {
    const a = ipv4At(v, 0, colon);
    const port = parsePort(v.slice(colon + 1));
    return a >= 0 && port >= 0 ? { v4: a, v6: null, port } : null;
  }
  const g = new Uint16Array(8);
  return ipv6At(v, 0, v.length, g) ? { v4: -1, v6: g, port: -1 } : null;
}

function parseCidr(v: string): CidrValue | null {
  const slash = v.indexOf('/');
  if (slash < 0 || slash !== v.lastIndexOf('/')) return null;
  const b = v.slice(slash + 1);
  if (!/^\d{1,3}$/.test(b)) return null;
  const bits = Number(b);
  const v4 = ipv4At(v, 0, slash);
  if (v4 >= 0) return bits > 32 ? null : { v4, v6: null, bits };
  const g = new Uint16Array(8);
  if (!ipv6At(v, 0, slash, g) || bits > 128) return null;
  return { v4: -1, v6: g, bits };
}

const SESSION_V6 = new Uint16Array(8);

function v4InCidr(n: number, c: CidrValue): boolean {
  if (c.bits === 0) return true;
  const shift = 32 - c.bits;
  return Math.floor(n / 2 ** shift) === Math.floor(c.v4 / 2 ** shift);
}

function v6InCidr(g: Uint16Array, c: CidrValue): boolean {
  const net = c.v6 as Uint16Array;
  let bits = c.bits;
  for (let k = 0; k < 8 && bits > 0; k++, bits -= 16) {
    const a = g[k] as number;
    const b = net[k] as number;
    if (bits >= 16) { if (a !== b) return false; }
    else {
      const mask = (0xffff << (16 - bits)) & 0xffff;
      if ((a & mask) !== (b & mask)) return false;
    }
  }
  return true;
}

type EpMatch = (e: Endpoint) => boolean;

function sameV6(a: Uint16Array, b: Uint16Array): boolean {
  for (let k = 0; k < 8; k++) if (a[k] !== b[k]) return false;
  return true;
}

function addrMatcher(op: Op, v: string): EpMatch {
  if (v.includes('/')) {
    const c = parseCidr(v) as CidrValue;
    if (c.v6 === null) return (e) => { const n = ipv4At(e.ip, 0, e.ip.length); return n >= 0 && v4InCidr(n, c); };
    return (e) => ipv6At(e.ip, 0, e.ip.length, SESSION_V6) && v6InCidr(SESSION_V6, c);
  }
  const a = parseAddr(v);
  if (a !== null) {
    const port = a.port;
    if (a.v6 === null) {
      const want = a.v4;
      return (e) => (port < 0 || e.port === port) && ipv4At(e.ip, 0, e.ip.length) === want;
    }
    const g = a.v6;
    return (e) => (port < 0 || e.port === port) && ipv6At(e.ip, 0, e.ip.length, SESSION_V6) && sameV6(SESSION_V6, g);
  }
  // '~' with something that is not an address: a prefix ('10.0.0.', 'fe80:', '203.0.113')
  return op === '=' || op === '!=' ? () => false : (e) => startsFold(e.ip, v);
}

// ------------------------------------------------------------------ session facts

function hasHigh(s: Session): boolean {
  const fs = s.findings;
  for (let i = 0; i < fs.length; i++) if ((fs[i] as Session['findings'][number]).severity === 'high') return true;
  return false;
}

function severityRank(sev: string): number {
  switch (sev) {
    case 'info': return 0;
    case 'low': return 1;
    case 'medium': return 2;
    case 'high': return 3;
    default: return -1;
  }
}

/** The worst finding severity as a rank (-1 none, 0 info ... 3 high). */
function worstSeverity(s: Session): number {
  let w = -1;
  const fs = s.findings;
  for (let i = 0; i < fs.length; i++) {
    const r = severityRank((fs[i] as Session['findings'][number]).severity);
    if (r > w) w = r;
  }
  return w;
}

const causeCache = new WeakMap<Session, string | null>();

/** The code of primaryCause(s), lowercased; cached per session object. */
function causeCode(s: Session): string | null {
  if (s.established) return null;
  let c = causeCache.get(s);
  if (c === undefined) {
    c = primaryCause(s)?.code.toLowerCase() ?? null;
    causeCache.set(s, c);
  }
  return c;
}

/** As the STATUS column (sessionStatus) and the `f` key (isFailed): not established, a high-severity finding. */
function isFailedStatus(s: Session): boolean {
  return !s.established && hasHigh(s);
}

function statusPredicate(word: string): (s: Session) => boolean {
  switch (word) {
    case 'ok': return (s) => s.established && !hasHigh(s);
    case 'warn': return (s) => s.established && hasHigh(s);
    case 'failed': return isFailedStatus;
    case 'resumed': return (s) => s.resumed;
    case 'incomplete': return (s) => !s.established && !hasHigh(s);
    case 'established': return (s) => s.established;
    case 'partial': return (s) => !s.established && (s.flags.midstream || s.flags.gap || s.flags.truncated || !s.flags.server_hello_seen || !s.flags.client_hello_seen);
    default: return () => false;
  }
}

/** The filter's status words for a session (see STATUS_HELP). */
export function statusWords(s: Session): string[] {
  return STATUSES.filter((w) => statusPredicate(w)(s));
}

// ------------------------------------------------------------------ compiler

type Pred = (s: Session) => boolean;

const NEVER: Pred = () => false;

function textMatcher(exact: boolean, v: string): (x: string | null | undefined) => boolean {
  if (exact) return v === '' ? (x) => x === null || x === undefined || x === '' : (x) => x !== null && x !== undefined && eqFold(x, v);
  return (x) => x !== null && x !== undefined && includesFold(x, v);
}

/** The predicate of one value under `=` (exact) or `~`/ordering (loose/ordered). */
function valuePred(field: FilterField, op: Op, v: string): Pred {
  const exact = isExactOp(op);
  const cop: Op = op === '!=' ? '=' : op;
  switch (field) {
    case 'sni': {
      const t = textMatcher(exact, v);
      return (s) => t(s.server_name);
    }
    case 'server': {
      if (v === '') return (s) => s.server.ip === '';
      const m = addrMatcher(cop, v);
      return (s) => m(s.server);
    }
    case 'client': {
      if (v === '') return (s) => s.client.ip === '';
      const m = addrMatcher(cop, v);
      return (s) => m(s.client);
    }
    case 'ip': {
      if (v === '') return (s) => s.server.ip === '' || s.client.ip === '';
      const m = addrMatcher(cop, v);
      return (s) => m(s.server) || m(s.client);
    }
    case 'port': {
      const n = Number(v);
      if (cop === '=' || cop === '~' || cop === ':') return (s) => s.server.port === n || s.client.port === n;
      return (s) => cmp(cop, s.server.port, n);
    }
    case 'version': {
      if (v === '') return (s) => s.version === null;
      const want = versionNumber(v);
      if (want === null) {
        const squeezed = v.replace(/\s+/g, '');
        return (s) => s.version !== null && s.version_name !== null && includesFold(s.version_name.replace(/\s+/g, ''), squeezed);
      }
      const rank = versionRank(want);
      // equality tells DTLS from TLS ('1.2' is TLS 1.2, 'dtls1.2' DTLS 1.2); ordering compares across both
      const dtls = isDtls(want);
      if (cop === '=' || cop === '~' || cop === ':') return (s) => s.version !== null && isDtls(s.version) === dtls && versionRank(s.version) === rank;
      const kind = dtls ? 'dtls' : /^(tls|ssl)/.test(v) ? 'tls' : '';
      return (s) => {
        const n = s.version;
        if (n === null) return false;
        if (kind === 'dtls' && !isDtls(n)) return false;
        if (kind === 'tls' && isDtls(n)) return false;
        return cmp(cop, versionRank(n), rank);
      };
    }
    case 'cipher': {
      const hex = /^0x[0-9a-f]{1,4}$/.test(v) ? parseInt(v.slice(2), 16) : -1;
      if (hex >= 0) return (s) => s.cipher_suite === hex;
      if (exact && v === '') return (s) => s.cipher_suite === null;
      if (exact) {
        const alt = v.startsWith('tls_') ? v : `tls_${v}`;
        return (s) => s.cipher_suite_name !== null && (eqFold(s.cipher_suite_name, v) || eqFold(s.cipher_suite_name, alt));
      }
      return (s) => s.cipher_suite_name !== null && includesFold(s.cipher_suite_name, v);
    }
    case 'status':
      return statusPredicate(v);
    case 'finding': {
      if (exact && v === '') return (s) => s.findings.length === 0;
      const t = textMatcher(exact, v);
      return (s) => {
        const fs = s.findings;
        for (let i = 0; i < fs.length; i++) if (t((fs[i] as Session['findings'][number]).code)) return true;
        return false;
      };
    }
    case 'cause': {
      const t = textMatcher(exact, v);
      return (s) => t(causeCode(s));
    }
    case 'severity': {
      const want = SEVERITY_WORDS.indexOf(v) - 1;
      return (s) => cmp(cop, worstSeverity(s), want);
    }
    case 'ja3': {
      const t = textMatcher(exact, v);
      if (exact) return (s) => t(s.client_hello?.ja3);
      return (s) => s.client_hello !== undefined && (t(s.client_hello.ja3) || t(s.client_hello.ja3_full));
    }
    case 'ja3s': {
      const t = textMatcher(exact, v);
      if (exact) return (s) => t(s.server_hello?.ja3s);
      return (s) => s.server_hello !== undefined && (t(s.server_hello.ja3s) || t(s.server_hello.ja3s_full));
    }
    case 'ja4': {
      const t = textMatcher(exact, v);
      if (exact) return (s) => t(s.client_hello?.ja4);
      return (s) => {
        const ch = s.client_hello;
        return ch !== undefined && (t(ch.ja4) || t(ch.ja4_r) || t(ch.ja4_o) || t(ch.ja4_ro));
      };
    }
    case 'alpn': {
      if (exact && v === '') return (s) => s.alpn === null && (s.client_hello?.alpn.length ?? 0) === 0;
      const t = textMatcher(exact, v);
      return (s) => {
        if (t(s.alpn)) return true;
        const offered = s.client_hello?.alpn;
        if (offered) for (let i = 0; i < offered.length; i++) if (t(offered[i])) return true;
        return false;
      };
    }
    case 'id': {
      const t = textMatcher(exact, v);
      return (s) => t(s.id);
    }
    case 'ms': {
      const n = Number(v);
      return (s) => s.timing.handshake_ms !== null && cmp(cop, s.timing.handshake_ms, n);
    }
  }
}

function anyOf(ps: Pred[]): Pred {
  if (ps.length === 0) return NEVER;
  if (ps.length === 1) return ps[0] as Pred;
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return (s) => a(s) || b(s);
  }
  return (s) => {
    for (let i = 0; i < ps.length; i++) if ((ps[i] as Pred)(s)) return true;
    return false;
  };
}

function wordPred(w: string): Pred {
  return (s) => {
    if (s.server_name !== null && includesFold(s.server_name, w)) return true;
    if (startsFold(s.server.ip, w) || startsFold(s.client.ip, w)) return true;
    const fs = s.findings;
    for (let i = 0; i < fs.length; i++) if (includesFold((fs[i] as Session['findings'][number]).code, w)) return true;
    return false;
  };
}

function compile(e: FilterExpr): Pred {
  switch (e.kind) {
    case 'and': {
      const l = compile(e.left);
      const r = compile(e.right);
      return (s) => l(s) && r(s);
    }
    case 'or': {
      const l = compile(e.left);
      const r = compile(e.right);
      return (s) => l(s) || r(s);
    }
    case 'not': {
      const x = compile(e.expr);
      return (s) => !x(s);
    }
    case 'word':
      return wordPred(e.word);
    case 'term': {
      const p = anyOf(e.values.map((v) => valuePred(e.field, e.op, v)));
      return e.op === '!=' ? (s) => !p(s) : p;
    }
  }
}

const compiled = new WeakMap<FilterExpr, Pred>();

/**
 * The predicate of a parsed filter (null: everything). Compiled once per
 * expression object; calling it allocates nothing on the common paths.
 */
export function compileFilter(e: FilterExpr | null): (s: Session) => boolean {
  if (e === null) return () => true;
  let p = compiled.get(e);
  if (p === undefined) {
    p = compile(e);
    compiled.set(e, p);
  }
  return p;
}

export function evaluate(e: FilterExpr | null, s: Session): boolean {
  if (e === null) return true;
  return compileFilter(e)(s);
}
