/** TCP header (RFC 9293 section 3.1) and options (RFC 9293, RFC 7323, RFC 2018). */
import type { TcpOptions } from './types.js';

export const TCP_MIN_HEADER = 20;

/**
 * Parses the options between `off` and `end` (the header's option area).
 * Returns false when an option has an invalid length (what was read before
 * is kept).
 */
export function parseTcpOptions(b: Uint8Array, off: number, end: number, o: TcpOptions): boolean {
  while (off < end) {
    const kind = b[off]!;
    if (kind === 0) return true; // End of Option List
    if (kind === 1) {
      off++; // NOP
      continue;
    }
    if (off + 2 > end) return false;
    const len = b[off + 1]!;
    if (len < 2 || off + len > end) return false;
    switch (kind) {
      case 2: // MSS
        if (len === 4) o.mss = (b[off + 2]! << 8) | b[off + 3]!;
        break;
      case 3: // window scale (RFC 7323)
        if (len === 3) o.wscale = b[off + 2]!;
        break;
      case 4: // SACK permitted (RFC 2018)
        if (len === 2) o.sackPermitted = true;
        break;
      case 8: // timestamps (RFC 7323)
        if (len === 10) {
          o.tsVal = ((b[off + 2]! << 24) | (b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!) >>> 0;
          o.tsEcr = ((b[off + 6]! << 24) | (b[off + 7]! << 16) | (b[off + 8]! << 8) | b[off + 9]!) >>> 0;
        }
        break;
    }
    off += len;
  }
  return true;
}
