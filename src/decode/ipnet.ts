/**
 * Solaris ipnet, LINKTYPE_IPNET (226): a 24-byte `dl_ipnetinfo_t` header
 * (version, family, hook type, packet length, interface index, group
 * interface index, source and destination zone ids; network byte order),
 * then the IP packet. The family is 2 (IPH_AF_INET) or 26 (IPH_AF_INET6,
 * Solaris AF_INET6). See tcpdump's print-ipnet.c and
 * https://www.tcpdump.org/linktypes.html.
 */

export const IPNET_HEADER_LEN = 24;
export const IPH_AF_INET = 2;
export const IPH_AF_INET6 = 26;

/** 4 = IPv4, 6 = IPv6, 0 = unknown family, -1 = truncated. */
export function ipnetFamily(b: Uint8Array, off: number, end: number): number {
  if (end - off < IPNET_HEADER_LEN) return -1;
  const fam = b[off + 1]!;
  return fam === IPH_AF_INET ? 4 : fam === IPH_AF_INET6 ? 6 : 0;
}
