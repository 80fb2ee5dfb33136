/**
 * Address text: IPv4 dotted quad (RFC 791) and IPv6 in the RFC 5952
 * canonical form (lowercase hex, no leading zeros, the longest run of two or
 * more zero groups replaced by "::", the first one on a tie; IPv4-mapped
 * addresses as ::ffff:a.b.c.d, RFC 5952 section 5).
 */

const DEC: string[] = [];
for (let i = 0; i < 256; i++) DEC.push(String(i));

/** Dotted quad of the 4 bytes at `o` (caller checks bounds). */
export function ipv4ToString(b: Uint8Array, o: number): string {
  return DEC[b[o]!]! + '.' + DEC[b[o + 1]!]! + '.' + DEC[b[o + 2]!]! + '.' + DEC[b[o + 3]!]!;
}

/** Same as ipv4ToString from a 32-bit unsigned value. */
export function ipv4U32ToString(v: number): string {
  return DEC[v >>> 24]! + '.' + DEC[(v >>> 16) & 255]! + '.' + DEC[(v >>> 8) & 255]! + '.' + DEC[v & 255]!;
}

/** The 32-bit value of a dotted quad ("a.b.c.d", each 0-255, no leading '+'/spaces); -1 when it is not one. */
export function parseIpv4Text(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 3 || (digits > 0 && part === 0)) return -1;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return v * 256 + part;
}

/**
 * Small bounded cache of IPv4 address text keyed by the 32-bit value, so the
 * hot path does not build the same strings for every packet of a flow.
 */
export class Ipv4TextCache {
  private readonly map = new Map<number, string>();
  constructor(private readonly max = 65536) {}
  get(b: Uint8Array, o: number): string {
    const v = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    let s = this.map.get(v);
    if (s === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      s = ipv4U32ToString(v);
      this.map.set(v, s);
    }
    return s;
  }
}

/** RFC 5952 text of the 16 bytes at `o` (caller checks bounds). */
export function ipv6ToString(b: Uint8Array, o: number): string {
  // Find the longest run of zero 16-bit groups (length >= 2), first on a tie.
  let bestStart = -1;
  let bestLen = 0;
  let curStart = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (b[o + 2 * i] === 0 && b[o + 2 * i + 1] === 0) {
      if (curStart < 0) {
        curStart = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestLen = curLen;
        bestStart = curStart;
      }
    } else curStart = -1;
  }
  // IPv4-mapped ::ffff:a.b.c.d
  if (bestStart === 0 && bestLen === 5 && b[o + 10] === 0xff && b[o + 11] === 0xff) {
    return '::ffff:' + ipv4ToString(b, o + 12);
  }
  if (bestLen < 2) bestStart = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += (((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!) >>> 0).toString(16);
  }
  return s;
}

/**
 * Memo of the last few IPv6 addresses formatted (a flow's two endpoints
 * repeat packet after packet), compared as four 32-bit words.
 */
export class Ipv6TextMemo {
  private readonly words: Uint32Array;
  private readonly texts: string[];
  private next = 0;
  constructor(private readonly slots = 8) {
    this.words = new Uint32Array(slots * 4);
    this.texts = new Array<string>(slots).fill('');
  }
  get(b: Uint8Array, o: number): string {
    const w0 = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    const w1 = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
    const w2 = ((b[o + 8]! << 24) | (b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!) >>> 0;
    const w3 = ((b[o + 12]! << 24) | (b[o + 13]! << 16) | (b[o + 14]! << 8) | b[o + 15]!) >>> 0;
    const w = this.words;
    for (let i = 0; i < this.slots; i++) {
      const k = i * 4;
      if (w[k + 3] === w3 && w[k] === w0 && w[k + 1] === w1 && w[k + 2] === w2 && this.texts[i] !== '') return this.texts[i]!;
    }
    const s = ipv6ToString(b, o);
    const i = this.next;
    this.next = (i + 1) % this.slots;
    const k = i * 4;
    w[k] = w0;
    w[k + 1] = w1;
    w[k + 2] = w2;
    w[k + 3] = w3;
    this.texts[i] = s;
    return s;
  }
}
