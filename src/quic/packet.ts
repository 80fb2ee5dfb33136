/**
 * QUIC packet layout (RFC 9000 section 17; v2 packet types RFC 9369 3.2):
 * long headers, coalesced packets in one datagram, Initial packet opening and
 * the frames that may appear in Initial packets (RFC 9000 section 19).
 * Everything here is bounds-checked and never throws.
 */
import { aeadOpen, decodePacketNumber, headerMask, QUIC_V2, type PacketKeys } from './crypto.js';

export type LongType = 'initial' | '0rtt' | 'handshake' | 'retry';

/** Reads a variable-length integer (RFC 9000 16) at `off`; undefined when it runs past `end`. */
export function readVarint(b: Uint8Array, off: number, end = b.length): { value: number; next: number } | undefined {
  if (off >= end) return undefined;
  const first = b[off]!;
  const len = 1 << (first >> 6);
  if (off + len > end) return undefined;
  let v = first & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + b[off + i]!;
  return { value: v, next: off + len };
}

export interface LongHeader {
  /** Offset of the packet in the datagram. */
  start: number;
  /** Offset just after the packet (the next coalesced packet starts here). */
  end: number;
  version: number;
  type: LongType;
  dcid: Uint8Array;
  scid: Uint8Array;
  token: Uint8Array;
  /** Offset of the (protected) packet number; -1 for Retry. */
  pnOffset: number;
}

/** Long header packet type from the first byte (v1: 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry; v2 rotates them). */
export function longType(first: number, version: number): LongType {
  const t = (first >> 4) & 3;
  if (version === QUIC_V2) return (['retry', 'initial', '0rtt', 'handshake'] as const)[t]!;
  return (['initial', '0rtt', 'handshake', 'retry'] as const)[t]!;
}

/**
 * Parse the long header at `off` (first byte has the high bit set). Undefined
 * when it is not a well-formed long header (including Version Negotiation,
 * version 0). Short-header packets are not parsed: they run to the end of the
 * datagram.
 */
export function parseLongHeader(d: Uint8Array, off: number): LongHeader | undefined {
  const n = d.length;
  if (off + 7 > n) return undefined;
  const first = d[off]!;
  if ((first & 0x80) === 0) return undefined;
  const version = ((d[off + 1]! << 24) >>> 0) + (d[off + 2]! << 16) + (d[off + 3]! << 8) + d[off + 4]!;
  if (version === 0) return undefined;
  let p = off + 5;
  const dl = d[p++]!;
  if (dl > 20 || p + dl >= n) return undefined;
  const dcid = d.subarray(p, p + dl);
  p += dl;
  const sl = d[p++]!;
  if (sl > 20 || p + sl > n) return undefined;
  const scid = d.subarray(p, p + sl);
  p += sl;
  const type = longType(first, version);
  let token: Uint8Array = new Uint8Array(0);
  if (type === 'retry') {
    return { start: off, end: n, version, type, dcid, scid, token: d.subarray(p, Math.max(p, n - 16)), pnOffset: -1 };
  }
  if (type === 'initial') {
    const tl = readVarint(d, p);
    if (!tl || tl.next + tl.value > n) return undefined;
    token = d.subarray(tl.next, tl.next + tl.value);
    p = tl.next + tl.value;
  }
  const len = readVarint(d, p);
  if (!len) return undefined;
  p = len.next;
  if (len.value < 20 || p + len.value > n) return undefined; // pn (<= 4) + sample needs 16 + 4 bytes
  return { start: off, end: p + len.value, version, type, dcid, scid, token, pnOffset: p };
}

export interface OpenedPacket {
  pn: number;
  payload: Uint8Array;
}

/**
 * Remove header protection and decrypt one long-header packet (RFC 9001 5.4,
 * 5.3). `largestPn` is the largest packet number received so far in this
 * space (-1 if none). Undefined when the AEAD tag does not verify.
 */
export function openLongPacket(d: Uint8Array, h: LongHeader, keys: PacketKeys, largestPn: number): OpenedPacket | undefined {
  if (h.pnOffset < 0) return undefined;
  const sampleOff = h.pnOffset + 4;
  if (sampleOff + 16 > h.end) return undefined;
  const mask = headerMask(keys.hp, d.subarray(sampleOff, sampleOff + 16));
  if (!mask) return undefined;
  const first = d[h.start]! ^ (mask[0]! & 0x0f);
  const pnLen = (first & 3) + 1;
  const header = Uint8Array.from(d.subarray(h.start, h.pnOffset + pnLen));
  header[0] = first;
  let truncated = 0;
  for (let i = 0; i < pnLen; i++) {
    const b = d[h.pnOffset + i]! ^ mask[1 + i]!;
    header[h.pnOffset - h.start + i] = b;
    truncated = truncated * 256 + b;
  }
  const pn = decodePacketNumber(largestPn, truncated, pnLen * 8);
  const payload = aeadOpen(keys, pn, header, d.subarray(h.pnOffset + pnLen, h.end));
  if (!payload) return undefined;
  return { pn, payload };
}

export type Frame =
  | { type: 'padding'; length: number }
  | { type: 'ping' }
  | { type: 'ack' }
  | { type: 'crypto'; offset: number; data: Uint8Array }
  | { type: 'connection_close'; errorCode: number; application: boolean; frameType: number | null; reason: string }
  | { type: 'other'; frameType: number };

/**
 * Frames of a decrypted Initial/Handshake payload. Parsing stops (quietly)
 * at the first frame that is malformed or of a type whose layout is not
 * handled here (not allowed in Initial packets anyway, RFC 9000 12.4).
 */
export function parseFrames(p: Uint8Array, max = 4096): { frames: Frame[]; malformed: boolean } {
  const frames: Frame[] = [];
  let off = 0;
  const n = p.length;
  while (off < n && frames.length < max) {
    const ft = readVarint(p, off);
    if (!ft) return { frames, malformed: true };
    const t = ft.value;
    off = ft.next;
    if (t === 0x00) {
      let e = off;
      while (e < n && p[e] === 0) e++;
      frames.push({ type: 'padding', length: e - off + 1 });
      off = e;
    } else if (t === 0x01) {
      frames.push({ type: 'ping' });
    } else if (t === 0x02 || t === 0x03) {
      // largest, delay, range count, first range, (gap, range)*, [ECN counts x3]
      let v = readVarint(p, off); if (!v) return { frames, malformed: true };
      v = readVarint(p, v.next); if (!v) return { frames, malformed: true };
      const rc = readVarint(p, v.next); if (!rc) return { frames, malformed: true };
      v = readVarint(p, rc.next); if (!v) return { frames, malformed: true };
      off = v.next;
      if (rc.value > 1024) return { frames, malformed: true };
      for (let i = 0; i < rc.value * 2 + (t === 0x03 ? 3 : 0); i++) {
        v = readVarint(p, off); if (!v) return { frames, malformed: true };
        off = v.next;
      }
      frames.push({ type: 'ack' });
    } else if (t === 0x06) {
      const o = readVarint(p, off); if (!o) return { frames, malformed: true };
      const l = readVarint(p, o.next); if (!l) return { frames, malformed: true };
      if (l.next + l.value > n) return { frames, malformed: true };
      frames.push({ type: 'crypto', offset: o.value, data: p.subarray(l.next, l.next + l.value) });
      off = l.next + l.value;
    } else if (t === 0x1c || t === 0x1d) {
      const ec = readVarint(p, off); if (!ec) return { frames, malformed: true };
      off = ec.next;
      let frameType: number | null = null;
      if (t === 0x1c) {
        const f = readVarint(p, off); if (!f) return { frames, malformed: true };
        frameType = f.value;
        off = f.next;
      }
      const rl = readVarint(p, off); if (!rl || rl.next + rl.value > n) return { frames, malformed: true };
      const reason = Buffer.from(p.subarray(rl.next, Math.min(rl.next + rl.value, rl.next + 256))).toString('latin1');
      off = rl.next + rl.value;
      frames.push({ type: 'connection_close', errorCode: ec.value, application: t === 0x1d, frameType, reason });
    } else {
      frames.push({ type: 'other', frameType: t });
      return { frames, malformed: false };
    }
  }
  return { frames, malformed: false };
}
