/**
 * BSD loopback encapsulations: LINKTYPE_NULL (0), a 4-byte address family in
 * the capturing host's byte order, and LINKTYPE_LOOP (108, OpenBSD), the same
 * in network byte order. AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD,
 * OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly) or 30 (macOS).
 */
import { u32, u32le } from './bytes.js';

export const LOOP_HEADER_LEN = 4;

/** 4 = IPv4, 6 = IPv6, 0 = unknown family, -1 = truncated. */
export function nullFamily(b: Uint8Array, off: number, end: number, networkOrder: boolean): number {
  if (end - off < 4) return -1;
  let fam = networkOrder ? u32(b, off) : u32le(b, off);
  // Host byte order of the capturing machine is unknown: a value that only
  // fits in the high half was written in the other order.
  if (!networkOrder && fam > 0xffff) fam = u32(b, off);
  return bsdFamilyVersion(fam);
}

/** A BSD address family value as an IP version: 4, 6, or 0 when neither. */
export function bsdFamilyVersion(fam: number): number {
  if (fam === 2) return 4;
  if (fam === 24 || fam === 28 || fam === 30) return 6;
  return 0;
}
