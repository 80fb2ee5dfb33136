/**
 * Stable warning codes reported by the capture readers (CaptureWarning.code).
 * Each code is reported once per file (the first occurrence, with its offset);
 * later occurrences are counted in the message.
 */
export const CAPTURE_ANOMALIES: Record<string, string> = {
  truncated_file: 'the file ends in the middle of a record or block (or of its header); every whole packet before it was read',
  record_too_large: 'a pcap record claims a captured length above the sane cap (256 KiB + snaplen); reading stopped there',
  caplen_exceeds_origlen: 'a record captured more bytes than the original frame length; original length raised to the captured length',
  caplen_exceeds_snaplen: 'a record is longer than the snapshot length of its interface; kept as is',
  bad_timestamp_fraction: 'a pcap record sub-second field is one second or more; timestamp normalized',
  unusual_version: 'the pcap file version is not 2.4, or a pcapng section major version is not 1; read anyway',
  link_type_high_bits: 'the pcap LinkType field has its upper 16 bits set (FCS information); link type taken from the low 16 bits',
  bad_block_length: 'a pcapng block total length is < 12, not a multiple of 4 or above the 64 MiB cap; reading stopped there',
  block_length_mismatch: 'a pcapng block trailing total length differs from the leading one; leading length used',
  bad_byte_order_magic: 'a pcapng Section Header Block has an invalid byte-order magic; reading stopped there',
  malformed_block: 'a pcapng block body is too short for its fixed fields; block skipped',
  packet_exceeds_block: 'a packet block captured length runs past the block body; clamped to the body',
  unknown_interface: 'a packet block references an interface not described in its section; packet skipped',
  too_many_interfaces: 'more than 65536 interfaces in the file; further Interface Description Blocks ignored',
  malformed_option: 'a pcapng option runs past the end of its block; remaining options ignored',
  unknown_block: 'a pcapng block of unknown type was skipped',
  spb_no_timestamp: 'a Simple Packet Block has no timestamp; the previous packet timestamp (or 0) is used',
  secrets_limit: 'Decryption Secrets Blocks beyond the 64 MiB total cap were dropped',
  gzip_error: 'the gzip stream is corrupt or cut short; reading stopped at that point',
  reader_fallback: 'the pcap-parser implementation was requested but only reads classic microsecond pcap; the built-in reader was used',
};
