/**
 * PPP (RFC 1661) as carried by PPPoE (RFC 2516) and PPTP's enhanced GRE
 * (RFC 2637): optional address/control 0xff 0x03, then a 1- or 2-byte
 * protocol field (RFC 1661 section 6.5 protocol field compression).
 */
import { u16 } from './bytes.js';

export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;
export const PPPOE_HEADER_LEN = 6;

/** Result of pppHeader: protocol and offset of the payload. */
export interface PppHeader {
  proto: number;
  next: number;
}

/** Parses a PPP header at `off` into `out`; false when truncated. */
export function pppHeader(b: Uint8Array, off: number, end: number, out: PppHeader): boolean {
  if (end - off >= 2 && b[off] === 0xff && b[off + 1] === 0x03) off += 2;
  if (off >= end) return false;
  if (b[off]! & 1) {
    out.proto = b[off]!;
    out.next = off + 1;
    return true;
  }
  if (end - off < 2) return false;
  out.proto = u16(b, off);
  out.next = off + 2;
  return true;
}
