/**
 * Stable anomaly codes reported while dissecting QUIC Initial packets
 * (src/quic), with a one-line description each. Codes never change meaning
 * once published.
 */
export const QUIC_ANOMALIES: Record<string, string> = {
  quic_initial_undecryptable: 'An Initial packet did not decrypt with the keys derived from its Destination Connection ID (RFC 9001 5.2).',
  quic_malformed_frame: 'A frame in a decrypted Initial packet does not parse (RFC 9000 12.4); the rest of the packet is skipped.',
  quic_crypto_overflow: 'CRYPTO frame data lies beyond the 64 KiB reassembly limit and was dropped.',
  quic_crypto_too_fragmented: 'The Initial CRYPTO stream arrived as more than 1024 separate pieces, or all UDP flows together hold 65,536; its reassembly is abandoned (memory and work cap).',
  quic_connection_close: 'A CONNECTION_CLOSE frame was seen in an Initial packet (the error code and reason are in the detail).',
};
