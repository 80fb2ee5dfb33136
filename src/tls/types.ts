/**
 * The TLS stage's interface: one `TlsDirectionParser` per direction of a
 * stream consumes in-order bytes (starting at a record boundary) and emits
 * `TlsEvent`s synchronously to a sink. It never sees packets and never throws.
 */
import type { ClientHelloJson, ExtensionJson, ServerHelloJson } from '../core/model.js';
import type { Anomaly, Ts } from '../core/types.js';

/** Where an event came from in the capture. */
export interface At {
  ts: Ts;
  /** 0-based frame index of the packet that completed the record/message. */
  packetIndex: number;
}

/** TLS record content types (RFC 8446 section 5.1). */
export const CT_CHANGE_CIPHER_SPEC = 20;
export const CT_ALERT = 21;
export const CT_HANDSHAKE = 22;
export const CT_APPLICATION_DATA = 23;
export const CT_HEARTBEAT = 24;

export type HandshakeBody =
  | { type: 'client_hello'; hello: ClientHelloJson }
  /** ServerHello or HelloRetryRequest (hello.hello_retry_request tells which). */
  | { type: 'server_hello'; hello: ServerHelloJson }
  /** TLS <= 1.2 Certificate: DER certificates (copies) in the order sent. */
  | { type: 'certificate'; certs: Uint8Array[] }
  /** CertificateStatus (RFC 6066 section 8): the DER OCSPResponse (copy). */
  | { type: 'certificate_status'; statusType: number; ocsp: Uint8Array }
  /** ServerKeyExchange: named group for ECDHE, prime size in bits for DHE. */
  | { type: 'server_key_exchange'; group?: number; dhBits?: number; length: number }
  | { type: 'certificate_request'; length: number }
  | { type: 'server_hello_done' }
  | { type: 'client_key_exchange'; length: number }
  | { type: 'new_session_ticket'; lifetimeHint: number; length: number }
  | { type: 'certificate_verify'; length: number }
  /** EncryptedExtensions (RFC 8446 4.3.1), seen only when the handshake is decrypted. */
  | { type: 'encrypted_extensions'; extensions: ExtensionJson[]; alpn?: string; length: number }
  /** Finished (RFC 8446 4.4.4), seen only when the handshake is decrypted. */
  | { type: 'finished'; length: number }
  /** Any other handshake message, by its type number. */
  | { type: 'other'; msgType: number; length: number };

export type TlsEvent =
  /** Every record header seen (plaintext or not). `length` is the record's fragment length. */
  | { kind: 'record'; contentType: number; version: number; length: number; at: At }
  /** A decoded plaintext handshake message. `record_version` is the version of the record that started it. */
  | {
    kind: 'handshake'; msgType: number; length: number; body: HandshakeBody; recordVersion: number; at: At;
    /** The whole message (4-byte header + body; SSLv2 CLIENT-HELLO from msg_type on), a copy: only with `keepRaw`. */
    raw?: Uint8Array;
  }
  /** An encrypted handshake record (after ChangeCipherSpec), e.g. Finished. Length only. */
  | { kind: 'encrypted_handshake'; length: number; at: At }
  | { kind: 'change_cipher_spec'; at: At }
  /** A plaintext alert (level, description) or an encrypted one (both null). */
  | { kind: 'alert'; level: number | null; description: number | null; encrypted: boolean; at: At }
  /** Application data record (or TLS 1.3 encrypted record), length only. */
  | { kind: 'application_data'; length: number; at: At }
  /** Heartbeat record; `payloadLength` is the claimed payload length when plaintext. */
  | { kind: 'heartbeat'; length: number; messageType: number | null; payloadLength: number | null; encrypted: boolean; at: At }
  /** SSLv2 record format message other than a ClientHello (e.g. SSLv2 ServerHello). */
  | { kind: 'sslv2'; msgType: number; length: number; at: At }
  /** The first protected record of this direction was opened with the secrets given (see `setDecryptor`). */
  | { kind: 'decrypted'; at: At }
  /** Parsing of this direction stopped (violation or gap); nothing more will be emitted. */
  | { kind: 'stopped'; reason: string; at: At }
  | { kind: 'anomaly'; anomaly: Anomaly };

export interface TlsDirectionParser {
  /** Feed contiguous in-order bytes. The chunk is only valid during the call. */
  push(chunk: Uint8Array, at: At): void;
  /** Bytes were lost: parsing of this direction stops (a 'stopped' event and an anomaly). */
  gap(bytes: number, at: At): void;
  /**
   * From now on, records of this direction are encrypted (called by the session
   * stage for the client direction once a TLS 1.3 ServerHello is seen; the
   * parser switches by itself after its own ChangeCipherSpec and after its own
   * TLS 1.3 ServerHello).
   */
  setEncrypted(): void;
  /**
   * Open this direction's protected (type 23) records with `d` and parse what
   * is inside as plaintext records of the inner content type. The parser drops
   * the decryptor by itself after a decrypted Finished (the keys change,
   * RFC 8446 7.2) and when a record does not open (anomaly `tls_decrypt_failed`).
   * `null` stops decrypting.
   */
  setDecryptor(d: RecordDecryptor | null): void;
  /**
   * The negotiated suite has a NULL bulk cipher (TLS <= 1.2): records after
   * this direction's ChangeCipherSpec are plaintext followed by a MAC of
   * `macLength` bytes (RFC 5246 6.2.3.1), so its alerts can still be read.
   */
  setPlaintextMac(macLength: number): void;
  /**
   * Stop decoding: only record headers are walked and counted from now on
   * (cheap); alert records are still reported (as encrypted unless readable
   * under a NULL cipher, see setPlaintextMac).
   */
  countOnly(): void;
  /** True once the direction stopped (violation/gap). */
  readonly stopped: boolean;
}

export interface TlsParserOptions {
  /** Largest handshake message reassembled (default 256 KiB); bigger ones are skipped with an anomaly. */
  maxHandshakeMessage?: number;
  /** Attach a copy of each handshake message's bytes to its event (the terminal UI's hex view). Default false. */
  keepRaw?: boolean;
}

/** What opened a protected record: inner content type and content, 'skip' (not opened, try the next one), or undefined (failed). */
export type OpenResult = { contentType: number; content: Uint8Array } | 'skip' | undefined;

/** Opens the protected records of one direction, in order (see `TlsDirectionParser.setDecryptor`). */
export interface RecordDecryptor {
  /** `header`: the record's 5 header bytes (the AEAD additional data); `body`: the encrypted record. Both views valid during the call only. */
  open(header: Uint8Array, body: Uint8Array): OpenResult;
}
