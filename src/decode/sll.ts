/**
 * Linux "cooked" capture headers: LINKTYPE_LINUX_SLL (113, 16 bytes) and
 * LINKTYPE_LINUX_SLL2 (276, 20 bytes). See https://www.tcpdump.org/linktypes/.
 */
import { u16 } from './bytes.js';

export const SLL_HEADER_LEN = 16;
export const SLL2_HEADER_LEN = 20;

/** Protocol (EtherType) of an SLL header at `off`, -1 if truncated. */
export function sllProtocol(b: Uint8Array, off: number, end: number): number {
  return end - off < SLL_HEADER_LEN ? -1 : u16(b, off + 14);
}

/** Protocol (EtherType) of an SLL2 header at `off`, -1 if truncated. */
export function sll2Protocol(b: Uint8Array, off: number, end: number): number {
  return end - off < SLL2_HEADER_LEN ? -1 : u16(b, off);
}
