/**
 * Stable anomaly codes reported while dissecting DTLS (src/dtls), with a
 * one-line description each. Codes never change meaning once published.
 */
export const DTLS_ANOMALIES: Record<string, string> = {
  dtls_trailing_bytes: 'Bytes follow the last whole DTLS record of a datagram (RFC 6347 4.1: a datagram holds whole records only).',
  dtls_malformed_handshake_fragment: 'A DTLS handshake fragment header (RFC 6347 4.2.2) does not fit its record.',
  dtls_inconsistent_fragment: 'Fragments of one DTLS handshake message (same message_seq) disagree on its type or length; the fragment is ignored.',
  dtls_too_many_fragments: 'The DTLS handshake messages in progress in one direction arrived as more than 1024 separate pieces between them, or all UDP flows together hold 65,536; the message whose fragment went past is dropped (memory and work cap).',
};
