/**
 * The exported data model: what `tlsscope export` prints, one `Session` per
 * TLS handshake conversation. snake_case keys, numbers as on the wire beside
 * names. The meanings of the keys named in ../shared/captures/README.md
 * ("Field meanings") are a contract: do not change them.
 *
 * The TLS message decoders (src/tls/) produce the `*Json` shapes directly so
 * the session builder only places them.
 */
import type { Endpoint, Severity } from './types.js';

export const SCHEMA_VERSION = 1;

/** One extension as it appeared on the wire, with what was decoded from it. */
export interface ExtensionJson {
  type: number;
  /** IANA name, 'GREASE' or 'unknown(0x....)' */
  name: string;
  /** Length of extension_data. */
  length: number;
  grease?: boolean;
  /** Decoded content (shape per extension type); absent when not decoded. */
  value?: unknown;
  /** Raw bytes, hex, for extensions that are not decoded (capped at 256 bytes). */
  hex?: string;
  /** Set when the extension data did not parse. */
  malformed?: boolean;
}

export interface KeyShareJson {
  group: number;
  group_name: string;
  key_length: number;
}

export interface EchJson {
  type: 'outer' | 'inner';
  config_id?: number;
  kdf?: number;
  aead?: number;
  enc_length?: number;
  payload_length?: number;
}

/**
 * A ClientHello (RFC 8446 section 4.1.2; RFC 5246 section 7.4.1.2).
 * List fields are wire order with GREASE values kept; empty list when the
 * extension is absent (as tshark reports).
 */
export interface ClientHelloJson {
  /** legacy_version (0x0303 = 771 for TLS 1.2+; 2 for SSLv2 record format: see `sslv2`). */
  version: number;
  version_name: string;
  /** record-layer version of the first record carrying it. */
  record_version?: number;
  random: string;
  session_id: string;
  cipher_suites: number[];
  cipher_suite_names: string[];
  compression_methods: number[];
  /** extension type numbers, wire order */
  extensions: number[];
  extension_details: ExtensionJson[];
  server_name: string | null;
  alpn: string[];
  supported_versions: number[];
  supported_groups: number[];
  ec_point_formats: number[];
  signature_algorithms: number[];
  signature_algorithms_cert: number[];
  key_shares: KeyShareJson[];
  psk_key_exchange_modes: number[];
  pre_shared_key?: { identities: number; binders: number };
  early_data: boolean;
  session_ticket_length: number | null;
  ech?: EchJson;
  /** Handshake message length (bytes of body). */
  length: number;
  /** The hello came in an SSLv2-compatible record (RFC 5246 appendix E.2). */
  sslv2?: boolean;
  /** Set by the session stage (fingerprints). */
  ja3?: string;
  ja3_full?: string;
  ja4?: string;
  ja4_r?: string;
  ja4_o?: string;
  ja4_ro?: string;
}

/** ServerHello (RFC 8446 section 4.1.3) or HelloRetryRequest. */
export interface ServerHelloJson {
  version: number;
  version_name: string;
  random: string;
  session_id: string;
  cipher_suite: number;
  cipher_suite_name: string;
  compression_method: number;
  extensions: number[];
  extension_details: ExtensionJson[];
  /** supported_versions in a ServerHello: the version chosen (772 = TLS 1.3), absent if none. */
  selected_version?: number;
  /** ALPN protocol selected, absent if none. */
  alpn?: string;
  key_share_group?: number;
  pre_shared_key_identity?: number;
  hello_retry_request: boolean;
  length: number;
  ja3s?: string;
  ja3s_full?: string;
}

/** A decrypted EncryptedExtensions message. */
export interface EncryptedExtensionsJson {
  /** extension type numbers, wire order */
  extensions: number[];
  extension_details: ExtensionJson[];
  /** ALPN protocol selected, null if none. */
  alpn: string | null;
  length: number;
}

export interface AlertJson {
  from: 'client' | 'server';
  /** 1 = warning, 2 = fatal; null when encrypted */
  level: number | null;
  level_name: string | null;
  /** AlertDescription number, null when encrypted */
  description: number | null;
  name: string | null;
  encrypted: boolean;
  time: string;
  /** The handshake step this alert followed ('client_hello', 'server_hello_done', ...). */
  after: string | null;
  /** true when this is taken to be an alert from its size alone (a TLS 1.3 encrypted record of alert size). */
  inferred?: boolean;
}

/** What the x509 stage reports for one certificate. `sha256` and `der` are always present. */
export interface CertificateJson {
  /** SHA-256 of the DER, lowercase hex, no colons. */
  sha256: string;
  /** DER, base64. */
  der: string;
  length: number;
  subject?: string;
  issuer?: string;
  subject_cn?: string | null;
  issuer_cn?: string | null;
  serial?: string;
  not_before?: string;
  not_after?: string;
  san?: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
  public_key?: { type: string; bits?: number; curve?: string };
  signature_algorithm?: string;
  sha1?: string;
  basic_constraints?: { ca: boolean; path_length?: number } | null;
  key_usage?: string[];
  extended_key_usage?: string[];
  self_signed?: boolean;
  sct_count?: number;
  ocsp_must_staple?: boolean;
  /** Set when the certificate did not parse; what could be read is still given. */
  parse_error?: string;
}

/** The server chain judged as a whole (x509 stage). */
export interface ChainJson {
  /** Each certificate is signed by the next one. */
  ordered: boolean;
  link_errors: { index: number; reason: string }[];
  /** Chains to a Mozilla root (as shipped with Node) or a --ca certificate. */
  trusted: boolean;
  anchor: string | null;
  self_signed: boolean;
  /** The leaf's issuer was not sent and is not a known root (missing intermediate). */
  incomplete: boolean;
  missing_issuer: string | null;
  /** SNI against SAN/CN (RFC 6125); null without an SNI. */
  hostname_matches: boolean | null;
  /** Per certificate, judged at the capture's own time. */
  validity_at_capture: ('valid' | 'expired' | 'not_yet_valid' | 'unknown')[];
  /** Per certificate, judged now (when the analysis ran). */
  validity_now: ('valid' | 'expired' | 'not_yet_valid' | 'unknown')[];
  weak: { index: number; what: string }[];
}

export interface FindingJson {
  code: string;
  severity: Severity;
  message: string;
  evidence: Record<string, unknown>;
  /** true when the cause is inferred from a pattern, not read from the wire (e.g. encrypted TLS 1.3 alerts). */
  inferred?: boolean;
}

export interface AnomalyJson {
  code: string;
  layer: string;
  packet?: number;
  detail?: string;
}

/** A handshake step with its time, for latency analysis and the history string. */
export interface StepJson {
  /** e.g. 'client_hello', 'server_hello', 'certificate', 'change_cipher_spec', 'finished', 'application_data' */
  step: string;
  from: 'client' | 'server';
  time: string;
  /** Milliseconds since the session start. */
  t_ms: number;
  /** 1-based frame number (as Wireshark numbers frames). */
  frame: number;
}

export interface DirectionCountsJson {
  records: number;
  bytes: number;
  handshake_records: number;
  application_data_records: number;
  application_data_bytes: number;
  alerts: number;
  change_cipher_spec: number;
  heartbeat: number;
}

/*
 * Sealed model classes: the session builder makes steps and record counts as
 * instances of these. Their keys are fixed (KEYS, in the order the
 * constructor assigns them; sealing makes adding or deleting a property
 * throw), so the export writes them field by field with prebuilt key bytes
 * instead of walking each object (export/json.ts); JSON.stringify and every
 * reader see plain data.
 */

export class Step implements StepJson {
  static readonly KEYS = ['step', 'from', 'time', 't_ms', 'frame'] as const;
  declare step: string;
  declare from: 'client' | 'server';
  declare time: string;
  declare t_ms: number;
  declare frame: number;
  constructor(step: string, from: 'client' | 'server', time: string, t_ms: number, frame: number) {
    this.step = step;
    this.from = from;
    this.time = time;
    this.t_ms = t_ms;
    this.frame = frame;
    Object.seal(this);
  }
}

export class DirectionCounts implements DirectionCountsJson {
  static readonly KEYS = [
    'records', 'bytes', 'handshake_records', 'application_data_records', 'application_data_bytes', 'alerts', 'change_cipher_spec', 'heartbeat',
  ] as const;
  declare records: number;
  declare bytes: number;
  declare handshake_records: number;
  declare application_data_records: number;
  declare application_data_bytes: number;
  declare alerts: number;
  declare change_cipher_spec: number;
  declare heartbeat: number;
  constructor() {
    this.records = 0;
    this.bytes = 0;
    this.handshake_records = 0;
    this.application_data_records = 0;
    this.application_data_bytes = 0;
    this.alerts = 0;
    this.change_cipher_spec = 0;
    this.heartbeat = 0;
    Object.seal(this);
  }
}

export interface TimingJson {
  tcp_rtt_ms: number | null;
  client_hello_to_server_hello_ms: number | null;
  hello_retry_extra_ms: number | null;
  handshake_ms: number | null;
  first_application_data_ms: number | null;
}

export interface Session {
  /** `<flow id>` or `<flow id>.<n>` when one stream carried several handshakes. */
  id: string;
  flow_id: number;
  /** 0 for the first handshake in the stream, 1 for the next (renegotiation, retry...) */
  handshake_index: number;
  transport: 'tcp' | 'udp';
  protocol: 'tls' | 'ssl2' | 'dtls' | 'quic';
  client: Endpoint;
  server: Endpoint;
  tunnel?: string;
  /** Plaintext protocol that upgraded to TLS ('smtp', 'imap', 'pop3', 'ftp', 'xmpp', 'ldap', 'postgres', 'irc', 'nntp', ...). */
  starttls?: string;
  /** Proxy the TLS ran through ('socks4', 'socks5', 'http_connect'). */
  proxy?: string;
  /** host:port the proxy was asked to reach. */
  proxy_target?: string;
  start_time: string;
  /** The packet that closed the connection (the second FIN or the first RST), else its last packet. */
  end_time: string;
  /** Seconds since the epoch. */
  start_ts: number;
  end_ts: number;
  server_name: string | null;
  version: number | null;
  version_name: string | null;
  cipher_suite: number | null;
  cipher_suite_name: string | null;
  alpn: string | null;
  client_hello?: ClientHelloJson;
  /** Second ClientHello sent after a HelloRetryRequest. */
  client_hello_retry?: ClientHelloJson;
  hello_retry_request?: ServerHelloJson;
  server_hello?: ServerHelloJson;
  client_hellos: number;
  server_hellos: number;
  resumed: boolean;
  resumption: 'session_id' | 'ticket' | 'psk' | null;
  established: boolean;
  /** Server certificate chain as sent (TLS <= 1.2). */
  certificates: CertificateJson[];
  /** TLS 1.3: the Certificate message is encrypted and cannot be read (false when the handshake was decrypted). */
  certificates_encrypted: boolean;
  /** true when protected handshake records were opened with logged TLS secrets (`--keylog`, pcapng Decryption Secrets Block). */
  decrypted?: boolean;
  /** TLS 1.3 EncryptedExtensions (RFC 8446 4.3.1), present when the server's handshake was decrypted. */
  encrypted_extensions?: EncryptedExtensionsJson;
  client_certificates: CertificateJson[];
  /** Chain checks of `certificates` (absent when no certificate was seen). */
  chain?: ChainJson;
  client_certificate_requested: boolean;
  ocsp?: Record<string, unknown>;
  server_key_exchange?: { group?: number; group_name?: string; dh_bits?: number; length: number };
  client_key_exchange_length?: number;
  new_session_ticket?: { lifetime_hint: number; length: number };
  alerts: AlertJson[];
  /** TCP segments (packets) the first ClientHello was spread over. */
  client_hello_segments: number;
  /** First bytes the server sent when it answered the ClientHello in something other than TLS (latin1, max 128 bytes). */
  server_plaintext?: string;
  /** Compact handshake history; letters documented in README ("Handshake history"). */
  history: string;
  steps: StepJson[];
  counts: { client: DirectionCountsJson; server: DirectionCountsJson };
  timing: TimingJson;
  findings: FindingJson[];
  anomalies: AnomalyJson[];
  flags: {
    midstream: boolean;
    gap: boolean;
    truncated: boolean;
    client_hello_seen: boolean;
    server_hello_seen: boolean;
    closed_by: 'fin' | 'rst' | 'idle' | 'eof' | null;
    reset_by: 'client' | 'server' | null;
    /** Who sent the first FIN, if anyone. */
    fin_by: 'client' | 'server' | null;
  };
}
