/**
 * A minimal, bounds-checked DER reader for the few structures the ASN.1
 * library does not model (SCT list, TLS feature, OCSP). Never throws out of
 * the exported helpers: they return null on malformed input.
 */

export interface Tlv {
  /** Full identifier octet (class + constructed + tag number for low tags). */
  tag: number;
  /** Offset of the content within the buffer. */
  start: number;
  /** Offset just past the content. */
  end: number;
  /** Offset of the identifier octet. */
  headerStart: number;
}

/** Reads one TLV at `pos`; null when it does not fit within `limit`. */
export function readTlv(buf: Uint8Array, pos: number, limit: number = buf.length): Tlv | null {
  if (pos + 2 > limit) return null;
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) return null; // high tag numbers: not used by what we read
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > limit) return null;
  return { tag, start: p, end: p + len, headerStart: pos };
}

/** The children of a constructed TLV (stops at the first malformed child). */
export function children(buf: Uint8Array, tlv: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = tlv.start;
  while (p < tlv.end) {
    const c = readTlv(buf, p, tlv.end);
    if (!c) break;
    out.push(c);
    p = c.end;
  }
  return out;
}

export function toHex(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('hex');
}

/** Parses a DER GeneralizedTime (0x18) or UTCTime (0x17) into an ISO 8601 string, or null. */
export function parseDerTime(buf: Uint8Array, tlv: Tlv): string | null {
  const s = Buffer.from(buf.subarray(tlv.start, tlv.end)).toString('latin1');
  let m: RegExpMatchArray | null;
  let year: number;
  if (tlv.tag === 0x18) {
    m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(\.\d+)?(Z|[+-]\d{4})?$/);
    if (!m) return null;
    year = Number(m[1]);
  } else if (tlv.tag === 0x17) {
    m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?()(Z|[+-]\d{4})?$/);
    if (!m) return null;
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else {
    return null;
  }
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const min = Number(m[5] ?? '0');
  const sec = Number(m[6] ?? '0');
  const frac = m[7] ? Math.round(Number('0' + m[7]) * 1000) : 0;
  let ms = Date.UTC(year, month - 1, day, hour, min, sec, frac);
  const tz = m[8];
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const off = (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5))) * 60_000;
    ms -= sign * off;
  }
  // Date.UTC maps years 0..99 to 1900..1999; fix explicitly
  const d = new Date(ms);
  if (year < 100) d.setUTCFullYear(year);
  if (Number.isNaN(d.getTime())) return null;
  return isoNoMillis(d);
}

/** ISO 8601 without the `.000` when there are no milliseconds. */
export function isoNoMillis(d: Date): string {
  const s = d.toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}
