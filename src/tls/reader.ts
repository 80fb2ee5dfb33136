/**
 * A bounds-checked big-endian reader over a byte range. Running past the end
 * throws the private `Truncated` marker, which decoders catch at the message
 * boundary and turn into an anomaly: nothing escapes the TLS stage.
 */

/** Thrown by `Reader` when a read would pass the end of its range. */
export class Truncated {
  constructor(readonly what: string) {}
}

export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  need(n: number, what: string): void {
    if (n < 0 || this.end - this.pos < n) throw new Truncated(what);
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const b = this.buf;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u24(what = 'u24'): number {
    this.need(3, what);
    const b = this.buf;
    const v = (b[this.pos]! << 16) | (b[this.pos + 1]! << 8) | b[this.pos + 2]!;
    this.pos += 3;
    return v;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const b = this.buf;
    const v = b[this.pos]! * 0x1000000 + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
    this.pos += 4;
    return v;
  }
  /** A view (not a copy) of the next n bytes. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  skip(n: number, what = 'skip'): void {
    this.need(n, what);
    this.pos += n;
  }
  /** A sub-reader over a vector with a 1/2/3-byte length prefix (RFC 8446 section 3.4). */
  vec(lenBytes: 1 | 2 | 3, what = 'vector'): Reader {
    const n = lenBytes === 1 ? this.u8(what) : lenBytes === 2 ? this.u16(what) : this.u24(what);
    this.need(n, what);
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
  /** QUIC variable-length integer (RFC 9000 section 16). */
  varint(what = 'varint'): number {
    const first = this.u8(what);
    const len = 1 << (first >> 6);
    let v = first & 0x3f;
    for (let i = 1; i < len; i++) v = v * 256 + this.u8(what);
    return v;
  }
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/** Lowercase hex of bytes, optionally only the first `max` bytes. */
/**
 * Lowercase hex of the first `max` bytes. Made by Buffer in one piece: a
 * string grown with += is a V8 rope of one node per step, and sessions keep
 * these (randoms, session ids) for as long as the UI shows them (a 64-digit
 * rope takes about ten times the memory of the flat string).
 */
export function toHex(b: Uint8Array, max = Infinity): string {
  const n = Math.min(b.length, max);
  if (n <= 4) {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[b[i]!]!;
    return s;
  }
  return Buffer.from(b.buffer, b.byteOffset, n).toString('hex');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * Text from the wire: UTF-8 when the bytes are valid UTF-8, otherwise each
 * byte as one Latin-1 character, so no byte is lost (JA4's ALPN characters and
 * exact comparisons need the bytes). Display code must still sanitise it.
 */
export function wireText(b: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < b.length; i++) {
    if (b[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii && b.length <= 1024) return String.fromCharCode.apply(null, b as unknown as number[]);
  if (ascii) return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  try {
    return utf8.decode(b);
  } catch {
    return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  }
}

/** A problem found while decoding a message: an anomaly code (see anomalies.ts) and detail. */
export interface Problem {
  code: string;
  detail?: string;
}
