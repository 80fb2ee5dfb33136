/**
 * Anomaly codes emitted by the TLS stage (layer 'tls'). Stable snake_case
 * strings; the value is the human description. Codes marked "stops" end the
 * parsing of the direction (a 'stopped' event follows).
 */
export const TLS_ANOMALIES: Record<string, string> = {
  // record layer (RFC 8446 section 5, RFC 5246 section 6.2)
  invalid_content_type: 'stops: record content type is not 20-24 (RFC 8446 5.1)',
  invalid_record_version: 'stops: record version is not 3.x (SSL 3.0 - TLS 1.3, RFC 8446 5.1 legacy_record_version)',
  record_too_long: 'stops: record length above 2^14 + 2048 (RFC 5246 6.2.3, RFC 8446 5.2)',
  plaintext_record_too_long: 'plaintext record above 2^14 bytes (RFC 8446 5.1: record_overflow)',
  empty_record: 'zero-length handshake, alert or change_cipher_spec record (RFC 5246 6.2.1, RFC 8446 5.1)',
  gap: 'stops: bytes of this direction were lost (TCP gap)',
  // SSLv2 (RFC 6101 appendix E, draft-hickman-netscape-ssl-00)
  sslv2_record: 'an SSLv2-format record was seen (obsolete protocol, RFC 6176)',
  malformed_sslv2: 'an SSLv2 message did not parse',
  // handshake layer
  handshake_message_too_long: 'handshake message larger than the reassembly limit: skipped',
  handshake_fragment_interleaved: 'a handshake message was split across records with another content type in between (RFC 8446 5.1)',
  handshake_incomplete_at_key_change: 'data after a message that changes keys in the same record (RFC 8446 5.1)',
  unexpected_plaintext_after_ccs: 'a plaintext-looking ClientHello after ChangeCipherSpec (TLS 1.3 compatibility mode, RFC 8446 D.4)',
  malformed_client_hello: 'ClientHello did not parse (RFC 8446 4.1.2)',
  malformed_server_hello: 'ServerHello did not parse (RFC 8446 4.1.3)',
  malformed_certificate: 'Certificate did not parse (RFC 5246 7.4.2, RFC 8446 4.4.2)',
  malformed_certificate_status: 'CertificateStatus did not parse (RFC 6066 8)',
  malformed_server_key_exchange: 'ServerKeyExchange did not parse (RFC 5246 7.4.3, RFC 8422 5.4)',
  malformed_encrypted_extensions: 'EncryptedExtensions (decrypted) did not parse (RFC 8446 4.3.1)',
  tls_decrypt_failed: 'a protected record did not open with the logged TLS secrets (wrong or missing key log lines): that direction is no longer decrypted (RFC 8446 5.2)',
  malformed_new_session_ticket: 'NewSessionTicket did not parse (RFC 5077 3.3)',
  malformed_extension: 'an extension body did not parse (RFC 8446 4.2)',
  duplicate_extension: 'the same extension type appears twice in one message (RFC 8446 4.2)',
  session_id_too_long: 'session id longer than 32 bytes (RFC 5246 7.4.1.2)',
  odd_cipher_suites_length: 'cipher_suites length is odd (RFC 5246 7.4.1.2)',
  trailing_data: 'bytes left over after a handshake message body',
  // alerts / ccs / heartbeat
  malformed_alert: 'alert record whose length is not a multiple of 2 (treated as encrypted) (RFC 8446 6)',
  malformed_change_cipher_spec: 'ChangeCipherSpec is not the single byte 1 (RFC 5246 7.1)',
  heartbeat_length_mismatch: 'heartbeat payload_length + 3 + 16 exceeds the record length (Heartbleed, CVE-2014-0160, RFC 6520 4)',
  malformed_heartbeat: 'heartbeat record shorter than 3 bytes (RFC 6520 4)',
};
