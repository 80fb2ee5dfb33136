/**
 * Ethernet II / IEEE 802.3 (with 802.2 LLC + SNAP) and IEEE 802.1Q VLAN tags
 * (802.1Q 0x8100, 802.1ad S-tag 0x88a8, legacy QinQ 0x9100).
 */
import { u16 } from './bytes.js';

export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
export const ETH_QINQ_OLD = 0x9100;
export const ETH_MPLS = 0x8847;
export const ETH_MPLS_MC = 0x8848;
export const ETH_PPPOE_SESSION = 0x8864;
export const ETH_TEB = 0x6558;
export const ETH_HEADER_LEN = 14;

export function isVlanTpid(t: number): boolean {
  return t === ETH_VLAN || t === ETH_QINQ || t === ETH_QINQ_OLD;
}

/**
 * For an 802.3 frame (type/length <= 1500): when the LLC header is SNAP
 * (AA AA 03, RFC 1042), return the EtherType it carries; otherwise -1.
 * `off` points after the 802.3 length field.
 */
export function snapEtherType(b: Uint8Array, off: number, end: number): number {
  if (end - off < 8) return -1;
  if (b[off] !== 0xaa || b[off + 1] !== 0xaa || b[off + 2] !== 0x03) return -1;
  return u16(b, off + 6);
}
