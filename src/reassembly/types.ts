import type { Anomaly, Dir, Endpoint, Ts } from '../core/types.js';

export type Transport = 'tcp' | 'udp';

/** Why a direction (or the flow) ended. */
export type EndReason = 'fin' | 'rst' | 'idle' | 'eof' | 'reused';

/** Per-direction counters (dir 0 = sent by A, dir 1 = sent by B). */
export interface DirStats {
  packets: number;
  /** Bytes of transport payload captured (includes retransmissions). */
  bytes: number;
  /** Bytes delivered in order to the consumer (no duplicates). */
  reassembled: number;
  /** Number of gaps and bytes skipped. */
  gaps: number;
  gapBytes: number;
  retransmissions: number;
  outOfOrder: number;
  synSeen: boolean;
  finSeen: boolean;
  rstSeen: boolean;
}

/**
 * One TCP stream or UDP conversation. A and B are the two endpoints, A being
 * the sender of the first packet seen. Roles: `clientIsA` is true when A is
 * the client (SYN sender), false when B is, undefined while unknown; a
 * consumer (the TLS layer, from the ClientHello) may set it with `setClient`.
 */
export interface FlowInfo {
  /** Sequential id in order of first packet (like Wireshark's tcp.stream / udp.stream, but shared across protocols). */
  id: number;
  transport: Transport;
  a: Endpoint;
  b: Endpoint;
  clientIsA: boolean | undefined;
  /** How roles were decided: 'syn', 'synack', 'consumer' (e.g. ClientHello), 'port' (heuristic) */
  roleSource: 'syn' | 'synack' | 'consumer' | 'port' | undefined;
  firstTs: Ts;
  lastTs: Ts;
  firstPacket: number;
  stats: [DirStats, DirStats];
  /** The capture started after this stream's SYN (first data without a handshake). */
  midstream: boolean;
  /** Some packets of this flow were truncated by the snaplen. */
  truncated: boolean;
  tunnel: string | undefined;
  anomalies: Anomaly[];
  /** Timestamps of the TCP three-way handshake, when seen (for RTT). */
  synTs?: Ts;
  synAckTs?: Ts;
  handshakeAckTs?: Ts;
  /** Marks the client direction (called by a consumer that recognised the protocol). */
  setClient(dir: Dir): void;
}

/**
 * Receives one flow's bytes, per direction, in order (gopacket's Stream).
 * `data` chunks are views valid only during the call: copy what you keep.
 */
export interface StreamConsumer {
  /** Contiguous bytes. `afterGap` is true for the first chunk following a gap. */
  data(dir: Dir, chunk: Uint8Array, ts: Ts, packetIndex: number, afterGap: boolean): void;
  /** `bytes` bytes of this direction are missing (lost, or dropped because a buffer cap was hit). */
  gap(dir: Dir, bytes: number, ts: Ts): void;
  /** A UDP datagram (UDP flows only). */
  datagram?(dir: Dir, payload: Uint8Array, ts: Ts, packetIndex: number): void;
  /** TCP control events, for timing and diagnosis (SYN, SYN/ACK, FIN, RST). */
  control?(dir: Dir, flags: number, ts: Ts, packetIndex: number): void;
  /** The flow ended (both directions); called exactly once per flow. */
  end(reason: EndReason, ts: Ts): void;
}

/** Creates a consumer for each new flow; returning undefined means "count it, do not deliver bytes". */
export type StreamFactory = (flow: FlowInfo) => StreamConsumer | undefined;

export interface ReassemblyLimits {
  /** Max bytes buffered out of order per direction (default 4 MiB). */
  perDirectionBuffer: number;
  /** Max bytes buffered out of order in all flows together (default 128 MiB). */
  totalBuffer: number;
  /** A flow idle this long (capture time) is ended and forgotten (default 300 s; FIN/RST flows 30 s). */
  idleTimeoutSec: number;
  /** Max number of live flows; the least recently seen is evicted beyond it (default 50,000). */
  maxFlows: number;
}
