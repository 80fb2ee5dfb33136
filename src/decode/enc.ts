/**
 * OpenBSD enc(4) IPsec encapsulating interface, LINKTYPE_ENC (109): a
 * 12-byte `struct enchdr` (net/if_enc.h: address family, SPI, flags, in the
 * capturing host's byte order), then the IP packet as it was before
 * encryption or after decryption. See
 * https://www.tcpdump.org/linktypes/LINKTYPE_ENC.html.
 */
import { nullFamily } from './loopback.js';

export const ENC_HEADER_LEN = 12;

/** 4 = IPv4, 6 = IPv6, 0 = unknown family, -1 = truncated. */
export function encFamily(b: Uint8Array, off: number, end: number): number {
  if (end - off < ENC_HEADER_LEN) return -1;
  return nullFamily(b, off, off + 4, false);
}
