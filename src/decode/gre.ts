/**
 * GRE (RFC 2784, RFC 2890 key and sequence number, RFC 1701 routing) and the
 * enhanced GRE of PPTP (version 1, RFC 2637).
 */
import { u16 } from './bytes.js';

export const GRE_C = 0x8000;
export const GRE_R = 0x4000;
export const GRE_K = 0x2000;
export const GRE_S = 0x1000;
/** PPTP acknowledgment-present bit (version 1). */
export const GRE_A = 0x0080;
export const GRE_ERSPAN_II = 0x88be;
export const GRE_ERSPAN_III = 0x22eb;
export const GRE_PPP = 0x880b;

export interface GreHeader {
  flags: number;
  proto: number;
  version: number;
  /** Offset of the payload. */
  next: number;
}

export type GreStatus = 'ok' | 'truncated' | 'bad_version';

/** Parses a GRE header with its optional fields at `off`. */
export function parseGre(b: Uint8Array, off: number, end: number, h: GreHeader): GreStatus {
  if (end - off < 4) return 'truncated';
  const flags = u16(b, off);
  h.flags = flags;
  h.proto = u16(b, off + 2);
  h.version = flags & 7;
  let p = off + 4;
  if (h.version === 0) {
    if (flags & (GRE_C | GRE_R)) p += 4; // checksum + offset/reserved1
    if (flags & GRE_K) p += 4;
    if (flags & GRE_S) p += 4;
    if (flags & GRE_R) {
      // RFC 1701 source route entries, ended by a NULL SRE (AF 0, length 0)
      for (;;) {
        if (p + 4 > end) return 'truncated';
        const af = u16(b, p);
        const len = b[p + 3]!;
        p += 4 + len;
        if (af === 0 && len === 0) break;
      }
    }
  } else if (h.version === 1) {
    p += 4; // payload length + call id (key field, always present)
    if (flags & GRE_S) p += 4;
    if (flags & GRE_A) p += 4;
  } else return 'bad_version';
  if (p > end) return 'truncated';
  h.next = p;
  return 'ok';
}
