/**
 * Geneve (RFC 8926, UDP port 6081): ver(2) opt len(6, in 4-byte words),
 * O/C flags, protocol type (an EtherType), VNI, then options.
 */
import { u16 } from './bytes.js';

export const GENEVE_HEADER_LEN = 8;

export interface GeneveHeader {
  version: number;
  proto: number;
  next: number;
}

/** Parses a Geneve header and skips its options; false when truncated. */
export function parseGeneve(b: Uint8Array, off: number, end: number, h: GeneveHeader): boolean {
  if (end - off < GENEVE_HEADER_LEN) return false;
  h.version = b[off]! >> 6;
  const optLen = (b[off]! & 0x3f) * 4;
  h.proto = u16(b, off + 2);
  h.next = off + GENEVE_HEADER_LEN + optLen;
  return h.next <= end;
}
