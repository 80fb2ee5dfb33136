/**
 * Cisco HDLC framing, LINKTYPE_C_HDLC (104) and, after a one-byte direction
 * pseudo-header, LINKTYPE_C_HDLC_WITH_DIR (205); also what LINKTYPE_PPP_HDLC
 * (50) carries when its first byte is a Cisco address. RFC 1547 section 4.3.1:
 * address (0x0f unicast, 0x8f broadcast), control (0x00), then a 2-byte
 * EtherType (0x0800 IPv4, 0x86dd IPv6, 0x8847 MPLS, 0x8035 SLARP, 0x2000 CDP).
 * See https://www.tcpdump.org/linktypes/LINKTYPE_C_HDLC.html.
 */
import { u16 } from './bytes.js';

export const CHDLC_HEADER_LEN = 4;
export const CHDLC_UNICAST = 0x0f;
export const CHDLC_BROADCAST = 0x8f;

/** Whether `v` (the first byte of a frame) is a Cisco HDLC address. */
export function isChdlcAddress(v: number | undefined): boolean {
  return v === CHDLC_UNICAST || v === CHDLC_BROADCAST;
}

/** Protocol (EtherType) of a Cisco HDLC header at `off`, -1 if truncated. */
export function chdlcProtocol(b: Uint8Array, off: number, end: number): number {
  return end - off < CHDLC_HEADER_LEN ? -1 : u16(b, off + 2);
}
