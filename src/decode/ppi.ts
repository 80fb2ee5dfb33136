/**
 * Per-Packet Information, LINKTYPE_PPI (192), CACE Technologies PPI Header
 * Format Specification 1.0: version (0), flags, header length and the
 * LINKTYPE of the frame that follows (little-endian), then optional fields
 * up to the header length. The inner frame is normally 802.11 (105).
 */
import { u16le, u32le } from './bytes.js';

export const PPI_MIN_LEN = 8;

/** Length of the PPI header at `off`: -1 when truncated, -2 when the version is not 0 or the length below 8. */
export function ppiHeaderLen(b: Uint8Array, off: number, end: number): number {
  if (end - off < PPI_MIN_LEN) return -1;
  if (b[off] !== 0) return -2;
  const len = u16le(b, off + 2);
  if (len < PPI_MIN_LEN) return -2;
  return len > end - off ? -1 : len;
}

/** LINKTYPE of the frame after a PPI header at `off` (callers check the length first). */
export function ppiLinkType(b: Uint8Array, off: number): number {
  return u32le(b, off + 4);
}
