/**
 * Core types shared by every stage of the pipeline.
 *
 * capture -> decode -> reassembly -> tls -> x509 -> session -> export | cli
 *
 * Nothing here knows about a particular file format or protocol.
 */

/**
 * A capture timestamp with nanosecond precision, kept as two plain numbers
 * (integer seconds since the epoch and nanoseconds within that second) so the
 * hot path never allocates a bigint. Use the helpers in `core/time.ts`.
 */
export interface Ts {
  sec: number;
  nsec: number;
}

/** One captured frame, as read from the file. */
export interface Packet {
  /** 0-based frame number in file order (Wireshark's frame number is index + 1). */
  index: number;
  /** Interface id (pcapng IDB index within its section, globally renumbered; 0 for pcap). */
  interfaceId: number;
  /** LINKTYPE_* value of the interface (1 = Ethernet, 113 = SLL, 276 = SLL2, 101 = raw IP...). */
  linkType: number;
  tsSec: number;
  tsNsec: number;
  /** Bytes captured (data.length). */
  capLen: number;
  /** Length of the frame on the wire. capLen < origLen means the frame was truncated (snaplen). */
  origLen: number;
  /**
   * The captured bytes. A view into the reader's buffer, valid only until the
   * reader has handled its chunk (a file's read buffers are used again, see
   * capture/source.ts ChunkPool): a consumer that keeps bytes beyond the call
   * must copy (`slice()`) them.
   */
  data: Uint8Array;
}

export type Severity = 'info' | 'low' | 'medium' | 'high';

/** Which stage reported an anomaly. */
export type Layer = 'capture' | 'link' | 'ip' | 'tcp' | 'udp' | 'tls' | 'x509' | 'session';

/**
 * A "weird" (Zeek) / "event" (Suricata): something odd in the input that did
 * not stop the analysis. `code` is a stable string from the catalogue
 * (`core/anomalies.ts`); it is reported at most once per flow/session.
 */
export interface Anomaly {
  code: string;
  layer: Layer;
  /** Frame index (0-based) where it was first seen, when known. */
  packetIndex?: number;
  /** Free text for humans; never parsed. */
  detail?: string;
}

export interface Endpoint {
  /** Textual IP: dotted quad, or RFC 5952 compressed IPv6. */
  ip: string;
  port: number;
}

/** Physical direction inside a flow: 0 = sent by endpoint A (sender of the first packet seen), 1 = sent by B. */
export type Dir = 0 | 1;

/**
 * A problem that stops reading the capture (not a parse anomaly): the file is
 * not a capture, its header is corrupt, it cannot be opened. The CLI prints
 * `tlsscope: FILE: offset N: message` and exits 1.
 */
export class CaptureError extends Error {
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, message: string) {
    super(message);
    this.name = 'CaptureError';
    this.file = file;
    this.offset = offset;
  }
  /** The one-line form the CLI prints. */
  oneLine(): string {
    return `${this.file}: offset ${this.offset}: ${this.message}`;
  }
}

/** A non-fatal problem with the capture file itself (e.g. cut mid-record). */
export interface CaptureWarning {
  code: string;
  /** Byte offset in the (decompressed) capture where it was noticed. */
  offset: number;
  message: string;
}
