/**
 * IPv4 header (RFC 791). The header checksum is not verified (captures made
 * on the sending host carry offloaded, unfilled checksums).
 */
import { u16 } from './bytes.js';

export const IPV4_MIN_HEADER = 20;
export const IPV4_MF = 0x2000;

/** Parsed IPv4 header fields (a reusable scratch object). */
export interface Ipv4Header {
  headerLen: number;
  /** Total length as written (0 means TSO, see decoder). */
  totalLen: number;
  id: number;
  /** Fragment offset in bytes. */
  fragOffset: number;
  moreFragments: boolean;
  proto: number;
}

export type Ipv4Status = 'ok' | 'truncated' | 'bad_version' | 'bad_header_length';

/** Reads the fixed header at `off` into `h` (options are skipped by `headerLen`). */
export function parseIpv4(b: Uint8Array, off: number, end: number, h: Ipv4Header): Ipv4Status {
  if (end - off < IPV4_MIN_HEADER) return 'truncated';
  const vihl = b[off]!;
  if (vihl >> 4 !== 4) return 'bad_version';
  h.headerLen = (vihl & 15) * 4;
  if (h.headerLen < IPV4_MIN_HEADER) return 'bad_header_length';
  if (h.headerLen > end - off) return 'truncated';
  h.totalLen = u16(b, off + 2);
  h.id = u16(b, off + 4);
  const ff = u16(b, off + 6);
  h.fragOffset = (ff & 0x1fff) * 8;
  h.moreFragments = (ff & IPV4_MF) !== 0;
  h.proto = b[off + 9]!;
  return 'ok';
}
