/**
 * Stable anomaly codes reported by the packet decoder (`src/decode`), with a
 * one-line description each. Codes never change meaning once published.
 */
export const DECODE_ANOMALIES: Record<string, string> = {
  // link layer
  unsupported_link_type: 'The interface link type is not decoded (reported once per interface).',
  link_truncated: 'The frame is shorter than its link-layer header.',
  vlan_truncated: 'An 802.1Q/802.1ad tag is cut short.',
  unknown_loopback_family: 'BSD loopback/null header carries an address family that is neither IPv4 nor IPv6.',
  mpls_truncated: 'An MPLS label stack runs past the end of the frame.',
  pppoe_truncated: 'A PPPoE session header or PPP protocol field is cut short.',
  link_bad_header: 'A link-layer pseudo-header is malformed (NFLOG version or TLV length, pflog header length, radiotap, PPI or AVS version or length); the frame is skipped.',
  unknown_link_family: 'A pflog, enc or IPNET header carries an address family that is neither IPv4 nor IPv6.',
  wlan_protected: 'IEEE 802.11 data frames are encrypted (Protected Frame bit set) and cannot be decoded (reported once per interface).',
  // IP
  ip_truncated: 'The IP header is cut short (fewer bytes captured than the fixed header).',
  ip_bad_version: 'The IP version nibble does not match the expected version.',
  ipv4_bad_header_length: 'IPv4 IHL is below 5 words or larger than the total length.',
  ipv4_total_length_zero: 'IPv4 total length is 0 (TCP segmentation offload); the captured length was used.',
  ip_length_exceeds_frame: 'The IP length field claims more bytes than the frame holds although the frame was not truncated by the snaplen.',
  ipv6_payload_length_zero: 'IPv6 payload length is 0 without a jumbogram (offload); the captured length was used.',
  ipv6_ext_truncated: 'An IPv6 extension header runs past the end of the packet.',
  ipv6_nested_fragment: 'A fragment header was found inside a reassembled IPv6 datagram.',
  ip_fragment_overlap: 'IP fragments of one datagram overlap (RFC 5722); the lower-offset, earlier data wins.',
  ip_fragment_overlap_conflict: 'Overlapping IP fragments disagree on the bytes they share.',
  ip_fragment_timeout: 'An incomplete IP datagram was discarded after the reassembly timeout (capture time).',
  ip_fragment_too_large: 'Fragments describe a datagram larger than the per-datagram limit (65535 by default, "ping of death").',
  ip_fragment_too_many: 'Too many fragments for one datagram; the datagram was discarded.',
  ip_fragment_evicted: 'An incomplete IP datagram was discarded to keep reassembly memory bounded.',
  ip_fragment_inconsistent_end: 'Fragments disagree on where the datagram ends.',
  ip_fragment_incomplete: 'An IP datagram was still incomplete at the end of the capture.',
  ip_fragment_bad_length: 'A non-final IP fragment payload is not a multiple of 8 bytes.',
  tunnel_too_deep: 'Encapsulation nesting exceeds the decoder limit; inner layers ignored.',
  // transport
  tcp_truncated: 'Fewer than 20 TCP header bytes are present.',
  tcp_bad_data_offset: 'TCP data offset is below 5 words or beyond the segment length.',
  tcp_header_truncated: 'TCP options are cut by the snaplen; the segment is reported without payload.',
  tcp_bad_option: 'A TCP option has an invalid length.',
  udp_truncated: 'Fewer than 8 UDP header bytes are present.',
  udp_bad_length: 'UDP length is below 8.',
  udp_length_exceeds_ip: 'UDP length claims more bytes than the IP payload; the IP payload length was used.',
  // tunnels
  gre_truncated: 'A GRE header (with its optional fields) is cut short.',
  gre_unsupported_version: 'GRE version is neither 0 (RFC 2784) nor 1 (PPTP, RFC 2637).',
  erspan_truncated: 'An ERSPAN header is cut short.',
  erspan_bad_version: 'The ERSPAN header version does not match the GRE protocol type.',
  vxlan_truncated: 'A VXLAN (or VXLAN-GPE) header is cut short.',
  vxlan_bad_flags: 'The VXLAN I flag (valid VNI) is not set.',
  geneve_truncated: 'A Geneve header or its options run past the end of the datagram.',
  geneve_bad_version: 'Geneve version is not 0.',
};

/**
 * The decoder anomalies that mean whole interfaces went undecoded, as the
 * one-line notice a user sees beside the results (CLI warnings, the TUI
 * header); undefined for the others, which stay in the session/flow data.
 */
export function interfaceNotice(a: { code: string; detail?: string | undefined }): string | undefined {
  if (a.code === 'unsupported_link_type') return `${a.detail ?? a.code} is not supported; its packets were skipped`;
  if (a.code === 'wlan_protected') return `802.11 frames on ${a.detail ?? 'an interface'} are encrypted (WEP/WPA); they were skipped`;
  return undefined;
}
