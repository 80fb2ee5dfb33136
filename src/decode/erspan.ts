/**
 * ERSPAN (draft-foschiano-erspan): type I has no header (GRE 0x88be without
 * sequence number), type II an 8-byte header (version 1), type III a 12-byte
 * header (version 2, GRE 0x22eb) plus an optional 8-byte platform-specific
 * subheader when the O bit is set.
 */

export const ERSPAN_II_LEN = 8;
export const ERSPAN_III_LEN = 12;

export interface ErspanHeader {
  version: number;
  /** Frame type (type III): 0 = Ethernet, 2 = IP. */
  frameType: number;
  next: number;
}

/** Parses a type II (`type3` false) or III header; false when truncated. */
export function parseErspan(b: Uint8Array, off: number, end: number, type3: boolean, h: ErspanHeader): boolean {
  if (!type3) {
    if (end - off < ERSPAN_II_LEN) return false;
    h.version = b[off]! >> 4;
    h.frameType = 0;
    h.next = off + ERSPAN_II_LEN;
    return true;
  }
  if (end - off < ERSPAN_III_LEN) return false;
  h.version = b[off]! >> 4;
  h.frameType = (b[off + 10]! >> 2) & 0x1f;
  let p = off + ERSPAN_III_LEN;
  if (b[off + 11]! & 1) p += 8;
  if (p > end) return false;
  h.next = p;
  return true;
}
