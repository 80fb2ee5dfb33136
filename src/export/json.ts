/**
 * Session -> JSON text: the same bytes as JSON.stringify(session) encoded as
 * UTF-8, made cheap for the export's hot path. `export --format ndjson` on a
 * capture of many short sessions spent about half its time in
 * JSON.stringify and in the garbage collector behind it (~9.5 KB of text per
 * session, most of it the same from session to session).
 *
 * So the session is walked here by a small serializer that follows
 * JSON.stringify's rules (SerializeJSONProperty, ECMA-262 25.5.2.2) and
 * writes UTF-8 bytes straight into one reused buffer: no string is built
 * per value or per session, hence little garbage. It also remembers the
 * bytes of what repeats:
 *
 * - every frozen object or array whose contents are all frozen too (deeply
 *   immutable, so its text cannot change): the decoders share one such
 *   object per distinct cipher-suite list, extension, group list...
 *   (src/tls/client_hello.ts, src/tls/extensions.ts). Keyed by the object
 *   (WeakMap): the bytes go when the decoders' bounded caches drop it (the
 *   session stage shares chain checks and extension-type lists the same way);
 * - every certificate summary (the x509 stage shares one per certificate
 *   and nothing modifies it after summarizeCertificate);
 * - the part of a hello after its session id (cipher suites to
 *   fingerprints: shared values, see `hello` below), by the identity of
 *   those values;
 * - within a session, a step's time, t_ms and frame when the step before
 *   had the same (the steps of one packet).
 *
 * Only the per-session parts (addresses, times, steps, counts, randoms...)
 * are serialised each time; steps and record counts are sealed classes
 * (core/model.ts) written field by field without walking their keys. Strings that need escaping or are not ASCII
 * (rare: wire text) go through JSON.stringify for exactly its escapes.
 *
 * Assumptions shared with the decoders: the objects reached from a session
 * are plain data (no getters whose value changes once frozen), and arrays
 * carry no toJSON method (objects may: Date and the like are handled).
 */
import { DirectionCounts, Step, type CertificateJson, type Session } from '../core/model.js';

/** Bytes of deeply frozen objects/arrays. */
const frozenBytes = new WeakMap<object, Uint8Array>();
/** Bytes of certificate summaries (shared, never modified once made). */
const certBytes = new WeakMap<CertificateJson, Uint8Array>();

/** Keep the scratch buffer across sessions up to this size; a larger one (a huge session) is dropped after use. */
const KEEP_BYTES = 1 << 20;

/** The output: B[0, P) holds the bytes written so far. */
let B: Buffer = Buffer.allocUnsafeSlow(1 << 16);
let P = 0;

/** Cleared while serialising a value when some object below it is not frozen (so the value is not cached). */
let allFrozen = true;

function room(n: number): void {
  if (P + n <= B.length) return;
  let size = B.length * 2;
  while (size < P + n) size *= 2;
  const nb = Buffer.allocUnsafeSlow(size);
  B.copy(nb, 0, 0, P);
  B = nb;
}

/** A copy of B[from, P) (a plain Uint8Array: slicing the Buffer would construct a Buffer through its species, slower). */
function written(from: number): Uint8Array {
  const n = P - from;
  const t = new Uint8Array(n);
  if (n < 256) for (let i = 0; i < n; i++) t[i] = B[from + i] as number;
  else t.set(B.subarray(from, P));
  return t;
}

function bytes(t: Uint8Array): void {
  const n = t.length;
  room(n);
  if (n < 16) {
    const b = B;
    let p = P;
    for (let i = 0; i < n; i++) b[p++] = t[i] as number;
    P = p;
  } else {
    B.set(t, P);
    P += n;
  }
}

/** Text known to be in UTF-8 form already (JSON produced by JSON.stringify). */
function utf8(t: string): void {
  room(t.length * 3);
  P += B.write(t, P, 'utf8');
}

/** An ASCII string as is (numbers, literals). */
function ascii(t: string): void {
  const n = t.length;
  room(n);
  const b = B;
  let p = P;
  for (let i = 0; i < n; i++) b[p++] = t.charCodeAt(i);
  P = p;
}

/** Characters JSON.stringify changes in a string: controls, quote, backslash, surrogates (lone ones are escaped). */
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
/** From this length on a string is checked by a regular expression and encoded natively rather than byte by byte. */
const LONG_STRING = 128;

/**
 * Literals of long strings, by string: the long ones here are fingerprints
 * (ja3_full, ja4_r, ja4_ro), one shared string per client build, so the
 * lookup mostly compares a pointer. Bounded: cleared when full.
 */
const longText = new Map<string, Uint8Array>();
const LONG_CACHE_MAX = 4096;

/** A string as a JSON string literal. */
function str(s: string): void {
  const n = s.length;
  if (n >= LONG_STRING) {
    const hit = longText.get(s);
    if (hit !== undefined) {
      bytes(hit);
      return;
    }
    const start = P;
    if (NEEDS_ESCAPE.test(s)) utf8(JSON.stringify(s));
    else {
      // nothing to escape: JSON.stringify leaves every character as is, i.e. its UTF-8
      room(n * 3 + 2);
      B[P++] = 34;
      P += B.write(s, P, 'utf8');
      B[P++] = 34;
    }
    if (longText.size >= LONG_CACHE_MAX) longText.clear();
    longText.set(s, written(start));
    return;
  }
  room(n + 2);
  const b = B;
  let p = P;
  b[p++] = 34;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // controls, '"', '\\' and all non-ASCII (UTF-8, lone surrogates): JSON.stringify's own escapes
    if (c < 32 || c === 34 || c === 92 || c > 126) {
      utf8(JSON.stringify(s));
      return;
    }
    b[p++] = c;
  }
  b[p++] = 34;
  P = p;
}

/** Writes the decimal digits of a non-negative integer below 2^53, at least `width` of them (zero-padded). */
function digits(x: number, width: number): void {
  let n = 1;
  for (let t = x; t >= 10; t = Math.floor(t / 10)) n++;
  if (n < width) n = width;
  room(n);
  const b = B;
  let p = P + n;
  P = p;
  for (let i = 0; i < n; i++) {
    const q = Math.floor(x / 10);
    b[--p] = 48 + (x - q * 10);
    x = q;
  }
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/**
 * Decimals (1 to 6) of a fraction that prints exactly as Number#toString
 * prints it, or -1. For 0.001 <= v < 4e9 with k decimals, distinct k-decimal
 * numbers are further apart than two doubles (1e-6 > ulp(4e9) = 4.8e-7), so
 * when m / 10^k (a correctly rounded division, like parsing "m e-k") gives
 * back v, that string is the only one with k decimals that does; with the
 * smallest such k it is the shortest string that round-trips, which is
 * what Number#toString prints (in fixed notation in this range).
 */
function fixedDecimals(v: number): number {
  for (let k = 1; k <= 6; k++) {
    const f = POW10[k] as number;
    const m = Math.round(v * f);
    // v * f is rounded too: the neighbours of m are candidates as well
    if (m / f === v || (m - 1) / f === v || (m + 1) / f === v) return k;
  }
  return -1;
}

function num(v: number): void {
  if (v >= 0 && v < 4e9) {
    if (Math.floor(v) === v) {
      // integers (most numbers here): digits written directly
      digits(v, 1);
      return;
    }
    if (v >= 0.001) {
      // times in seconds and milliseconds: fixed-point digits without Number#toString's general algorithm
      const k = fixedDecimals(v);
      if (k > 0) {
        const f = POW10[k] as number;
        let m = Math.round(v * f);
        if (m / f !== v) m = (m - 1) / f === v ? m - 1 : m + 1;
        const int = Math.floor(m / f);
        digits(int, 1);
        room(1);
        B[P++] = 46; // .
        digits(m - int * f, k);
        return;
      }
    }
  }
  // JSON prints finite numbers as Number#toString (-0 as "0"), the others as null
  ascii(Number.isFinite(v) ? `${v}` : 'null');
}

/** An object key and its colon. Keys are short ASCII identifiers here; others get JSON.stringify's escapes. */
function key(k: string): void {
  const n = k.length;
  room(n + 3);
  const b = B;
  let p = P;
  b[p++] = 34;
  for (let i = 0; i < n; i++) {
    const c = k.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 126) {
      utf8(`${JSON.stringify(k)}:`);
      return;
    }
    b[p++] = c;
  }
  b[p++] = 34;
  b[p++] = 58;
  P = p;
}

/**
 * Writes `v` found under `key` as JSON.stringify would (an array index stays
 * a number until a toJSON needs it). Returns false, having written nothing,
 * when JSON.stringify leaves the property out (undefined, functions, symbols).
 */
function value(v: unknown, k: string | number): boolean {
  switch (typeof v) {
    case 'string':
      str(v);
      return true;
    case 'number':
      num(v);
      return true;
    case 'boolean':
      ascii(v ? 'true' : 'false');
      return true;
    case 'object':
      if (v === null) ascii('null');
      else return object(v, k);
      return true;
    case 'bigint':
      // JSON.stringify throws (unless BigInt.prototype.toJSON exists): let it decide
      utf8(JSON.stringify(v));
      return true;
    default:
      return false;
  }
}

function object(o: object, k: string | number): boolean {
  const isArray = Array.isArray(o);
  const frozen = Object.isFrozen(o);
  if (frozen) {
    const hit = frozenBytes.get(o);
    if (hit !== undefined) {
      bytes(hit);
      return true;
    }
  }
  const start = P;
  if (!isArray) {
    const proto = Object.getPrototypeOf(o) as unknown;
    if (proto !== Object.prototype && PLAIN_TOJSON === undefined) {
      if (proto === Step.prototype) {
        writeStep(o as Step);
        allFrozen = false;
        return true;
      }
      if (proto === DirectionCounts.prototype) {
        writeCounts(o as DirectionCounts);
        allFrozen = false;
        return true;
      }
    }
    // an inherited toJSON (Date and the like) or an exotic object: JSON.stringify's own rules
    if ((proto !== Object.prototype && proto !== null) || PLAIN_TOJSON !== undefined) return special(o, k);
  }
  const outer = allFrozen;
  allFrozen = true;
  if (isArray) array(o as unknown[]);
  else if (!plain(o as Record<string, unknown>)) {
    // an own toJSON method, met while writing the object: start again through it
    P = start;
    if (whenAt >= start) whenAt = -1; // a step written there is gone
    allFrozen = outer;
    return special(o, k);
  }
  const deep = frozen && allFrozen;
  if (deep) frozenBytes.set(o, written(start));
  allFrozen = outer && deep;
  return true;
}

/** Whether plain objects inherit a toJSON (nobody should add one to Object.prototype; checked per session). */
let PLAIN_TOJSON: unknown;

/**
 * Sealed model classes (core/model.ts), written field by field with
 * prebuilt key bytes instead of walking each object. Each writer names the
 * class's KEYS in order (a test holds them to JSON.stringify).
 */
function heads(k: string): [Uint8Array, Uint8Array] {
  return [Buffer.from(`${JSON.stringify(k)}:`, 'utf8'), Buffer.from(`,${JSON.stringify(k)}:`, 'utf8')];
}

/** One field of a shaped object; `open` says whether a field was written before. Returns the new `open`. */
function field(open: boolean, v: unknown, k: string, h: [Uint8Array, Uint8Array]): boolean {
  const at = P;
  bytes(open ? h[1] : h[0]);
  if (value(v, k)) return true;
  P = at; // left out, as JSON.stringify leaves out undefined and functions
  return open;
}

const H_STEP = Step.KEYS.map(heads);

/**
 * Where the last step's time, t_ms and frame members were written in B, in
 * the session being written (the steps of one packet share them): copied
 * from there when the next step has the same three (primitive) values.
 */
let whenAt = -1;
let whenLength = 0;
let whenOpen = false;
let whenTime = '';
let whenMs = 0;
let whenFrame = 0;

function writeStep(o: Step): void {
  const h = H_STEP;
  room(1);
  B[P++] = 123;
  let open = field(false, o.step, 'step', h[0]!);
  open = field(open, o.from, 'from', h[1]!);
  const time = o.time;
  const ms = o.t_ms;
  const frame = o.frame;
  const primitive = typeof time === 'string' && typeof ms === 'number' && typeof frame === 'number';
  if (primitive && whenAt >= 0 && time === whenTime && ms === whenMs && frame === whenFrame && open === whenOpen) {
    const n = whenLength;
    room(n);
    B.copyWithin(P, whenAt, whenAt + n);
    P += n;
  } else {
    const at = P;
    const openBefore = open;
    open = field(open, time, 'time', h[2]!);
    open = field(open, ms, 't_ms', h[3]!);
    field(open, frame, 'frame', h[4]!);
    whenAt = -1;
    if (primitive && !Number.isNaN(ms)) {
      whenAt = at;
      whenLength = P - at;
      whenOpen = openBefore;
      whenTime = time;
      whenMs = ms;
      whenFrame = frame;
    }
  }
  room(1);
  B[P++] = 125;
}

const H_COUNTS = DirectionCounts.KEYS.map(heads);

function writeCounts(o: DirectionCounts): void {
  const h = H_COUNTS;
  room(1);
  B[P++] = 123;
  let open = field(false, o.records, 'records', h[0]!);
  open = field(open, o.bytes, 'bytes', h[1]!);
  open = field(open, o.handshake_records, 'handshake_records', h[2]!);
  open = field(open, o.application_data_records, 'application_data_records', h[3]!);
  open = field(open, o.application_data_bytes, 'application_data_bytes', h[4]!);
  open = field(open, o.alerts, 'alerts', h[5]!);
  open = field(open, o.change_cipher_spec, 'change_cipher_spec', h[6]!);
  field(open, o.heartbeat, 'heartbeat', h[7]!);
  room(1);
  B[P++] = 125;
}

/** Objects with a toJSON method, boxed primitives, typed arrays, Maps...: as JSON.stringify does (never cached). */
function special(o: object, k: string | number): boolean {
  allFrozen = false;
  const toJSON = (o as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return value((toJSON as (key: string) => unknown).call(o, `${k}`), k);
  const t = JSON.stringify(o) as string | undefined;
  if (t === undefined) return false;
  utf8(t);
  return true;
}

function array(a: unknown[]): void {
  const n = a.length;
  room(1);
  B[P++] = 91; // [
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      room(1);
      B[P++] = 44; // ,
    }
    if (!value(a[i], i)) ascii('null');
  }
  room(1);
  B[P++] = 93; // ]
}

/** Writes a plain object; false (the caller rewinds) when it has its own toJSON method. */
function plain(o: Record<string, unknown>): boolean {
  room(1);
  B[P++] = 123; // {
  let first = true;
  // for-in gives the own enumerable string keys in JSON.stringify's order (plain objects: nothing inherited)
  for (const k in o) {
    const v = o[k];
    if (k === 'toJSON' && typeof v === 'function') return false;
    first = member(k, v, first);
  }
  room(1);
  B[P++] = 125; // }
  return true;
}

/** Writes `,"k":v` (no comma when `first`), or nothing when JSON.stringify leaves the property out. Returns the new `first`. */
function member(k: string, v: unknown, first: boolean): boolean {
  const at = P;
  if (!first) {
    room(1);
    B[P++] = 44;
  }
  key(k);
  if (value(v, k)) return false;
  P = at;
  return first;
}

/**
 * Hellos (client_hello, server_hello and their retries): per connection
 * only the fields up to `session_id` differ (versions, random, session id).
 * The rest are values the decoders and the fingerprinting share between the
 * sessions of one client or server build (frozen lists and extensions,
 * shared strings, numbers). The bytes of that rest (from the key after
 * session_id to the last) are kept as a tail, found by the first object
 * among its values, and written whole when the hello's keys and values
 * there are the tail's own (same keys in the same order, values ===).
 * Only tails whose objects are all deeply frozen are kept: their text
 * cannot change. A tail's bytes are kept from its second hello on: a client
 * that randomises its extension order (Chrome) makes a new tail almost every
 * time, and copying each one's 4 KB would only cost.
 */
interface Tail {
  /** Whether the tail's first member was written without a comma (nothing written before it). */
  first: boolean;
  keys: string[];
  values: unknown[];
  /** null until a second hello has the same tail. */
  bytes: Uint8Array | null;
}
const HEAD_END = 'session_id';
/** Tails by the first object among their values (weak: a tail goes with the shared value it is found by). */
let tails = new WeakMap<object, Tail[]>();
let tailCount = 0;
const TAILS_PER_KEY = 8;
/** Starts over beyond this many tails (about 4 KB each for a ClientHello). */
const TAILS_MAX = 1024;

/** The keys of the hello being written (hellos do not nest: one list serves them all). */
const keys: string[] = [];

/** Writes a plain hello object; false (nothing written) when the ordinary path must take it. */
function hello(o: Record<string, unknown>): boolean {
  if (typeof o.toJSON === 'function') return false;
  // for-in gives the own enumerable keys of a plain object, in order, without making a new array each time
  let n = 0;
  let t = 0;
  for (const k in o) {
    keys[n++] = k;
    if (k === HEAD_END && t === 0) t = n;
  }
  if (t === 0) return false;
  room(1);
  B[P++] = 123; // {
  let first = true;
  for (let i = 0; i < t; i++) {
    const k = keys[i] as string;
    first = member(k, o[k], first);
  }
  let anchor: object | undefined;
  for (let i = t; i < n && anchor === undefined; i++) {
    const v = o[keys[i] as string];
    if (typeof v === 'object' && v !== null) anchor = v;
  }
  const known = anchor === undefined ? undefined : tails.get(anchor);
  let seen: Tail | undefined;
  if (known !== undefined) {
    search: for (const c of known) {
      if (c.first !== first || c.keys.length !== n - t) continue;
      for (let i = t; i < n; i++) {
        const k = keys[i] as string;
        if (c.keys[i - t] !== k || c.values[i - t] !== o[k]) continue search;
      }
      if (c.bytes === null) {
        seen = c;
        break;
      }
      bytes(c.bytes);
      room(1);
      B[P++] = 125;
      return true;
    }
  }
  const start = P;
  const tailFirst = first;
  allFrozen = true;
  const values: unknown[] = [];
  for (let i = t; i < n; i++) {
    const k = keys[i] as string;
    const v = o[k];
    if (seen === undefined) values.push(v);
    first = member(k, v, first);
  }
  if (seen !== undefined) {
    // the second hello with this tail: its bytes are kept from now on (all its objects were deeply frozen then, and cannot have changed)
    seen.bytes = written(start);
  } else if (anchor !== undefined && allFrozen) {
    if (tailCount >= TAILS_MAX) {
      tails = new WeakMap();
      tailCount = 0;
    }
    let list = tails.get(anchor);
    if (list === undefined) tails.set(anchor, (list = []));
    if (list.length >= TAILS_PER_KEY) list.shift();
    else tailCount++;
    list.push({ first: tailFirst, keys: keys.slice(t, n), values, bytes: null });
  }
  allFrozen = false;
  room(1);
  B[P++] = 125; // }
  return true;
}

/** The session keys holding a hello (written by `hello`). */
const HELLO_KEYS = new Set(['client_hello', 'server_hello', 'hello_retry_request', 'client_hello_retry']);

/** A plain, unfrozen object (a decoded hello), while nothing has given plain objects a toJSON. */
function isPlainHello(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Object.isFrozen(v) && Object.getPrototypeOf(v) === Object.prototype && PLAIN_TOJSON === undefined;
}

function certs(list: CertificateJson[]): void {
  room(1);
  B[P++] = 91;
  for (let i = 0; i < list.length; i++) {
    const c = list[i] as CertificateJson;
    let t = certBytes.get(c);
    if (t === undefined) {
      t = Buffer.from(JSON.stringify(c) ?? 'null', 'utf8');
      certBytes.set(c, t);
    }
    if (i > 0) {
      room(1);
      B[P++] = 44;
    }
    bytes(t);
  }
  room(1);
  B[P++] = 93;
}

function session(s: Session): void {
  const o = s as unknown as Record<string, unknown>;
  PLAIN_TOJSON = (Object.prototype as { toJSON?: unknown }).toJSON;
  if (Object.getPrototypeOf(o) !== Object.prototype || typeof o.toJSON === 'function') {
    utf8(JSON.stringify(s));
    return;
  }
  room(1);
  B[P++] = 123;
  let first = true;
  for (const k in o) {
    const v = o[k];
    const at = P;
    if (!first) {
      room(1);
      B[P++] = 44;
    }
    key(k);
    allFrozen = true;
    if ((k === 'certificates' || k === 'client_certificates') && Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype) {
      certs(v as CertificateJson[]);
      first = false;
    } else if (HELLO_KEYS.has(k) && isPlainHello(v) && hello(v)) first = false;
    else if (value(v, k)) first = false;
    else P = at;
  }
  room(1);
  B[P++] = 125;
}

/**
 * Calls `sink` with the UTF-8 bytes of the compact JSON of one session (the
 * bytes of JSON.stringify(s)) followed by `suffix` (e.g. "\n"). The bytes
 * are a view of a buffer reused by the next call: copy them before
 * returning.
 */
export function writeSessionBytes(s: Session, suffix: string, sink: (bytes: Uint8Array) => void): void {
  P = 0;
  whenAt = -1;
  try {
    session(s);
    ascii(suffix);
    sink(B.subarray(0, P));
  } finally {
    P = 0;
    whenAt = -1;
    allFrozen = true;
    if (B.length > KEEP_BYTES) B = Buffer.allocUnsafeSlow(1 << 16);
  }
}

/** Compact JSON of one session: the same text as JSON.stringify(s). */
export function sessionJson(s: Session): string {
  let out = '';
  writeSessionBytes(s, '', (b) => {
    out = Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
  });
  return out;
}

/** Emits the compact JSON of one session (same content as JSON.stringify(s)), as one piece. */
export function writeSessionJson(s: Session, emit: (piece: string) => void): void {
  emit(sessionJson(s));
}
