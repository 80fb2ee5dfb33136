/**
 * 802.11 capture headers of old Linux drivers: LINKTYPE_IEEE802_11_PRISM
 * (119), a fixed 144-byte Prism monitor-mode header (message code, length,
 * device name, ten 12-byte DID items; host byte order), and
 * LINKTYPE_IEEE802_11_AVS (163), the AVS WLAN capture header (big-endian
 * version 0x80211001 or 0x80211002, then its length). Drivers writing
 * LINKTYPE_IEEE802_11_PRISM sometimes emit AVS headers instead, recognised
 * by the version, as tcpdump's print-802_11.c and Wireshark do. See
 * https://www.tcpdump.org/linktypes.html.
 */
import { u32 } from './bytes.js';

export const PRISM_HEADER_LEN = 144;
export const AVS_MAGIC_V1 = 0x80211001;
export const AVS_MAGIC_V2 = 0x80211002;
export const AVS_MIN_LEN = 8;

/** Whether an AVS header starts at `off`. */
export function isAvs(b: Uint8Array, off: number, end: number): boolean {
  if (end - off < 4) return false;
  const m = u32(b, off);
  return m === AVS_MAGIC_V1 || m === AVS_MAGIC_V2;
}

/** Length of the AVS header at `off`: -1 when truncated, -2 for a bad version or a length below 8. */
export function avsHeaderLen(b: Uint8Array, off: number, end: number): number {
  if (end - off < AVS_MIN_LEN) return -1;
  if (!isAvs(b, off, end)) return -2;
  const len = u32(b, off + 4);
  if (len < AVS_MIN_LEN) return -2;
  return len > end - off ? -1 : len;
}

/** Length of the Prism (or AVS) header at `off`: -1 when truncated, -2 when invalid. */
export function prismHeaderLen(b: Uint8Array, off: number, end: number): number {
  if (isAvs(b, off, end)) return avsHeaderLen(b, off, end);
  return end - off < PRISM_HEADER_LEN ? -1 : PRISM_HEADER_LEN;
}
