/**
 * Radiotap, LINKTYPE_IEEE802_11_RADIOTAP (127), https://www.radiotap.org/:
 * version (0), pad, header length (little-endian, whole header), then one or
 * more little-endian `it_present` bitmaps (bit 31: another bitmap follows)
 * and the fields they announce, each aligned to its natural size relative to
 * the start of the header. Only the Flags field (bit 1, one byte, after the
 * 8-byte, 8-aligned TSFT of bit 0) matters here: FCS at the end of the frame,
 * padding between the 802.11 header and the body, failed FCS check.
 */
import { u16le, u32le } from './bytes.js';

export const RADIOTAP_MIN_LEN = 8;
/** Flags field bits. */
export const RADIOTAP_F_FCS = 0x10;
export const RADIOTAP_F_DATAPAD = 0x20;
export const RADIOTAP_F_BADFCS = 0x40;

const PRESENT_TSFT = 0x01;
const PRESENT_FLAGS = 0x02;
const PRESENT_EXT = 0x80000000;

/** Length of the radiotap header at `off`: -1 when truncated, -2 when the version is not 0 or the length below 8. */
export function radiotapLength(b: Uint8Array, off: number, end: number): number {
  if (end - off < 4) return -1;
  if (b[off] !== 0) return -2;
  const len = u16le(b, off + 2);
  if (len < RADIOTAP_MIN_LEN) return -2;
  return len > end - off ? -1 : len;
}

/** The Flags field of a radiotap header of `len` bytes at `off` (see radiotapLength); 0 when absent or cut short. */
export function radiotapFlags(b: Uint8Array, off: number, len: number): number {
  const hend = off + len;
  const first = u32le(b, off + 4);
  if ((first & PRESENT_FLAGS) === 0) return 0;
  // skip the extended present bitmaps
  let p = off + 4;
  for (;;) {
    if (hend - p < 4) return 0;
    const w = u32le(b, p);
    p += 4;
    if ((w & PRESENT_EXT) === 0) break;
  }
  if (first & PRESENT_TSFT) p = off + ((p - off + 7) & ~7) + 8;
  return p < hend ? b[p]! : 0;
}
