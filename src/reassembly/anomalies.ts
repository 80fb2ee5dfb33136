/**
 * Anomaly codes reported by the reassembly stage (pushed to `FlowInfo.anomalies`,
 * each code at most once per flow). Codes are stable: do not rename.
 */
export const REASSEMBLY_ANOMALIES: Record<string, string> = {
  tcp_overlap_mismatch:
    'A retransmitted or overlapping segment carried bytes different from the copy already delivered or buffered; the first copy was kept.',
  tcp_buffer_overflow:
    'Out-of-order data exceeded the per-direction or global buffer cap; the hole before it was reported as a gap and the buffered data delivered.',
  tcp_truncated_segment:
    'A TCP segment was cut by the capture snaplen; the bytes not captured were reported as a gap.',
  tcp_missing_data:
    'Bytes of the stream were never seen (capture loss or capture started late in a direction); reported as a gap.',
  tcp_seq_out_of_window:
    'A segment sequence number was more than 1 GiB away from the expected one; the segment was ignored.',
  tcp_data_after_fin: 'A segment carried data beyond the FIN sequence number; the extra bytes were ignored.',
  tcp_fin_mismatch: 'A second FIN was seen at a different sequence number than the first; the first was kept.',
  tcp_invalid_flags: 'A TCP segment had an invalid flag combination (SYN+FIN, SYN+RST, or no flags at all).',
  tcp_rst_with_data: 'A RST segment carried payload (not delivered as stream data).',
  udp_truncated_datagram: 'A UDP datagram was cut by the capture snaplen; the truncated payload was delivered.',
  flow_evicted: 'The flow table was full (maxFlows); this least recently seen flow was ended early.',
};
