/**
 * OpenBSD/FreeBSD/NetBSD/macOS pf logging, LINKTYPE_PFLOG (117): a
 * `struct pfloghdr` (net/if_pflog.h) whose first byte is its length without
 * the trailing pad (45 in the oldest layout, 61 NetBSD/DragonFly/macOS, 69
 * FreeBSD, 100 OpenBSD) and whose second byte is the BSD address family of
 * the logged packet; the packet follows the header rounded up to 4 bytes
 * (as tcpdump's print-pflog.c does). See
 * https://www.tcpdump.org/linktypes/LINKTYPE_PFLOG.html.
 */

/** Smallest header length ever written (tcpdump's historical MIN_PFLOG_HDRLEN). */
export const PFLOG_MIN_HEADER_LEN = 45;

/**
 * Length of the pflog header at `off` including its padding (the offset of
 * the packet from `off`); -1 when truncated, -2 when the length byte is below
 * the minimum.
 */
export function pflogHeaderLen(b: Uint8Array, off: number, end: number): number {
  if (off >= end) return -1;
  const len = b[off]!;
  if (len < PFLOG_MIN_HEADER_LEN) return -2;
  const padded = (len + 3) & ~3;
  return padded > end - off ? -1 : padded;
}

/** The BSD address family byte of a pflog header at `off` (callers check the length first). */
export function pflogFamily(b: Uint8Array, off: number): number {
  return b[off + 1]!;
}
