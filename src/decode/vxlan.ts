/**
 * VXLAN (RFC 7348, UDP port 4789): 8-byte header (flags with I = 0x08, VNI),
 * then an Ethernet frame. VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe, UDP 4790)
 * has a next-protocol byte: 1 IPv4, 2 IPv6, 3 Ethernet.
 */

export const VXLAN_HEADER_LEN = 8;
export const VXLAN_FLAG_I = 0x08;
export const VXLAN_GPE_FLAG_P = 0x04;
export const GPE_IPV4 = 1;
export const GPE_IPV6 = 2;
export const GPE_ETHERNET = 3;
