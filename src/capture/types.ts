import type { CaptureWarning, Packet } from '../core/types.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** One capture interface (pcap: the single implicit one; pcapng: one per IDB). */
export interface InterfaceInfo {
  /** Global id, as used in Packet.interfaceId. */
  id: number;
  /** pcapng section number (0-based); 0 for pcap. */
  section: number;
  linkType: number;
  snapLen: number;
  name?: string;
  description?: string;
  /** Timestamp units per second (1e6 for classic pcap us, 1e9 for ns, any power of 2 or 10 for pcapng). */
  tsUnitsPerSec: number;
  /** if_tsoffset in seconds (pcapng). */
  tsOffsetSec: number;
}

/** pcapng Decryption Secrets Block (kept for a later decryption feature). */
export interface DecryptionSecret {
  /** secrets type, e.g. 0x544c534b = TLS key log. */
  type: number;
  data: Uint8Array;
}

export interface CaptureInfo {
  format: CaptureFormat;
  /** true when the input was gzip-compressed. */
  gzip: boolean;
  /** pcap: 'us' or 'ns'; pcapng: per interface. */
  byteOrder: 'le' | 'be';
  /** Which implementation served the read ('tlsscope' or 'pcap-parser'). */
  reader: string;
}

/**
 * A capture being read. `run()` streams every packet, in file order, to the
 * callback and resolves when the input ends. A corrupt file rejects with a
 * CaptureError (file, offset, message); a file cut mid-record resolves after
 * the last whole packet and adds a warning. Memory does not grow with the
 * file size.
 */
export interface CaptureReader {
  readonly info: CaptureInfo;
  readonly interfaces: InterfaceInfo[];
  readonly warnings: CaptureWarning[];
  readonly secrets: DecryptionSecret[];
  run(onPacket: (p: Packet) => void): Promise<void>;
}

export interface OpenOptions {
  /** Force an implementation for classic microsecond pcap ('auto' picks the faster, see README). */
  pcapImpl?: 'auto' | 'tlsscope' | 'pcap-parser';
  /** Read chunk size in bytes. */
  chunkSize?: number;
}
