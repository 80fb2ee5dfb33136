/**
 * IPv6 header (RFC 8200) and extension headers: hop-by-hop options (0),
 * routing (43), fragment (44), destination options (60), mobility (135),
 * HIP (139), shim6 (140) share the "(len + 1) * 8" format; AH (51, RFC 4302)
 * is "(len + 2) * 4" bytes; ESP (50, RFC 4303) is opaque; 59 is No Next Header.
 */
import { u16, u32 } from './bytes.js';

export const IPV6_HEADER_LEN = 40;
export const NH_HOPOPT = 0;
export const NH_ROUTING = 43;
export const NH_FRAGMENT = 44;
export const NH_ESP = 50;
export const NH_AH = 51;
export const NH_NONE = 59;
export const NH_DSTOPTS = 60;
export const NH_MOBILITY = 135;
export const NH_HIP = 139;
export const NH_SHIM6 = 140;

/** True for the extension headers whose length is (hdr ext len + 1) * 8. */
export function isGenericExtHeader(nh: number): boolean {
  return nh === NH_HOPOPT || nh === NH_ROUTING || nh === NH_DSTOPTS || nh === NH_MOBILITY || nh === NH_HIP || nh === NH_SHIM6;
}

/** Length of the extension header `nh` at `off`, or -1 when it runs past `end`. */
export function extHeaderLen(nh: number, b: Uint8Array, off: number, end: number): number {
  if (end - off < 2) return -1;
  const len = nh === NH_AH ? (b[off + 1]! + 2) * 4 : (b[off + 1]! + 1) * 8;
  return len > end - off ? -1 : len;
}

/** Fragment header fields (RFC 8200 section 4.5). */
export interface Ipv6Fragment {
  next: number;
  /** Offset in bytes. */
  offset: number;
  more: boolean;
  id: number;
}

export const IPV6_FRAG_HEADER_LEN = 8;

/** Parses the 8-byte fragment header at `off`; false when truncated. */
export function parseIpv6Fragment(b: Uint8Array, off: number, end: number, f: Ipv6Fragment): boolean {
  if (end - off < IPV6_FRAG_HEADER_LEN) return false;
  f.next = b[off]!;
  const x = u16(b, off + 2);
  f.offset = x & 0xfff8;
  f.more = (x & 1) !== 0;
  f.id = u32(b, off + 4);
  return true;
}
