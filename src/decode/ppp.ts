/**
 * PPP (RFC 1661) as carried by PPPoE (RFC 2516), PPTP's enhanced GRE
 * (RFC 2637) and the PPP link types (https://www.tcpdump.org/linktypes.html:
 * LINKTYPE_PPP 9, LINKTYPE_PPP_HDLC 50, LINKTYPE_PPP_ETHER 51,
 * LINKTYPE_PPP_PPPD 166, LINKTYPE_PPP_WITH_DIR 204): optional HDLC-like
 * address/control 0xff 0x03 (RFC 1662), then a 1- or 2-byte protocol field
 * (RFC 1661 section 6.5 protocol field compression).
 */
import { u16 } from './bytes.js';

export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;
export const PPPOE_HEADER_LEN = 6;
/** PPPoE code of session-stage (data) packets (RFC 2516 section 5.4); discovery packets carry tags. */
export const PPPOE_CODE_SESSION = 0;

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

/**
 * End of the PPP frame carried after a PPPoE header at `off` (RFC 2516
 * section 4: ver/type, code, session id, payload length), bounded by `end`;
 * -1 when the 6-byte header is cut short.
 */
export function pppoePayloadEnd(b: Uint8Array, off: number, end: number): number {
  if (end - off < PPPOE_HEADER_LEN) return -1;
  const e = off + PPPOE_HEADER_LEN + u16(b, off + 4);
  return e < end ? e : end;
}

/**
 * LINKTYPE_PPP_PPPD (166): HDLC-like framing with the 0xff address byte
 * replaced by a direction byte (0x00 in, 0x01 out). Offset of the PPP
 * protocol field (after the 0x03 control byte when present), -1 if truncated.
 */
export function pppdProtocolOffset(b: Uint8Array, off: number, end: number): number {
  if (end - off < 2) return -1;
  return b[off + 1] === 0x03 ? off + 2 : off + 1;
}
